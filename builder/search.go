package builder

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"territoires/geo"
)

// The search index is static and split into small shards, so that a query
// downloads one shard of a few kilobytes: names are found through the first
// three letters of one of their words (search/eti.json holds every
// territory with a word starting "eti": Saint-Étienne...), two-letter
// prefixes have a shard of their most populated names for the first
// keystrokes, and codes (INSEE or postal) through their first two characters
// (search/n42.json). assets/search.js reads the shards and ranks the results
// exactly as Search does here.

// searchShardMax caps the entries of a shard; the most populated are kept.
// Only prefixes shared by very many names reach it ("sai", for Saint-),
// and a longer query then picks a rarer word's shard.
const searchShardMax = 1200

// searchEntry is one territory in a shard, as a JSON array:
// [name, kind, code, département code, population, "postal codes"].
type searchEntry struct {
	Name   string
	Kind   geo.Kind
	Code   string
	Dep    string
	Pop    int
	Postal string // space-separated, only in code shards

	folded []string // words of the folded name
}

func (e searchEntry) MarshalJSON() ([]byte, error) {
	a := []any{e.Name, int(e.Kind), e.Code, e.Dep, e.Pop}
	if e.Postal != "" {
		a = append(a, e.Postal)
	}
	return json.Marshal(a)
}

func (e *searchEntry) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var kind int
	for i, dst := range []any{&e.Name, &kind, &e.Code, &e.Dep, &e.Pop, &e.Postal} {
		if i < len(a) {
			if err := json.Unmarshal(a[i], dst); err != nil {
				return err
			}
		}
	}
	e.Kind = geo.Kind(kind)
	e.folded = strings.Fields(geo.Fold(e.Name))
	return nil
}

// searchStop are words too common to choose a shard by.
var searchStop = map[string]bool{
	"saint": true, "sainte": true, "le": true, "la": true, "les": true, "de": true, "du": true,
	"des": true, "en": true, "sur": true, "sous": true, "et": true, "aux": true, "au": true,
	"l": true, "d": true, "lez": true,
}

// searchWords folds a query into words, spelling out St and Ste.
func searchWords(q string) []string {
	words := strings.Fields(geo.Fold(q))
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return words
}

func isCodeQuery(words []string) bool {
	return len(words) == 1 && len(words[0]) >= 2 && words[0][0] >= '0' && words[0][0] <= '9'
}

// searchShard names the shard a query reads: "n42" for codes, else the
// prefix of its longest word that is not a stop word. "" means the query is
// too short.
func searchShard(words []string) string {
	if len(words) == 0 {
		return ""
	}
	if isCodeQuery(words) {
		return "n" + words[0][:2]
	}
	best := ""
	for _, w := range words {
		if len(w) < 2 {
			continue
		}
		if best == "" || searchStop[best] && !searchStop[w] || searchStop[best] == searchStop[w] && len(w) > len(best) {
			best = w
		}
	}
	switch {
	case best == "":
		return ""
	case len(best) == 2:
		return "t" + best // the most populated names with a word starting so
	}
	return "w" + best[:3]
}

// searchRank orders the entries matching a query, best first.
func searchRank(words []string, entries []searchEntry) []searchEntry {
	var out []searchEntry
	code := isCodeQuery(words)
	for _, e := range entries {
		if code {
			if strings.HasPrefix(strings.ToLower(e.Code), words[0]) || strings.Contains(" "+e.Postal, " "+words[0]) {
				out = append(out, e)
			}
			continue
		}
		if matchWords(words, e.folded) {
			out = append(out, e)
		}
	}
	score := func(e searchEntry) int {
		s := 0
		if code {
			if strings.ToLower(e.Code) == words[0] {
				s += 2
			}
			return s
		}
		if len(e.folded) == len(words) {
			s += 2 // the query is the whole name
		}
		if e.Kind == geo.Commune || e.Kind == geo.Arrondissement {
			s++
		}
		return s
	}
	slices.SortStableFunc(out, func(a, b searchEntry) int {
		return cmp.Or(score(b)-score(a), b.Pop-a.Pop, strings.Compare(a.Code, b.Code))
	})
	return out
}

// matchWords reports whether every query word starts a different word of
// the name.
func matchWords(query, name []string) bool {
	used := make([]bool, len(name))
	for _, q := range query {
		found := false
		for i, n := range name {
			if !used[i] && strings.HasPrefix(n, q) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// writeSearchIndex publishes the shards and search/meta.json (the names of
// the départements and the kinds, shared by every result).
func (b *build) writeSearchIndex(pub *Publisher, terrs []*geo.Territory) (map[string]int, error) {
	shards := map[string][]searchEntry{}
	for _, t := range terrs {
		if t.Kind == geo.France {
			continue
		}
		e := searchEntry{Name: t.Name, Kind: t.Kind, Code: t.Code}
		if p, ok := t.LatestPopulation(); ok {
			e.Pop = p.Value
		}
		if t.Departement != nil {
			e.Dep = t.Departement.Code
		}
		keys := map[string]bool{}
		for _, w := range strings.Fields(t.Folded) {
			if len(w) >= 2 {
				keys["t"+w[:2]] = true
			}
			if len(w) >= 3 {
				keys["w"+w[:3]] = true
			}
		}
		for k := range keys {
			shards[k] = append(shards[k], e)
		}
		if t.Kind == geo.EPCI {
			continue // found by name; SIREN codes would crowd the n20 shard
		}
		codes := map[string]bool{strings.ToLower(t.Code[:2]): true}
		for _, pc := range t.PostalCodes {
			codes[pc[:2]] = true
		}
		withPostal := e
		withPostal.Postal = strings.Join(t.PostalCodes, " ")
		for c := range codes {
			shards["n"+c] = append(shards["n"+c], withPostal)
		}
	}
	formerSearchEntries(shards, terrs)
	sizes := map[string]int{}
	keys := make([]string, 0, len(shards))
	for k := range shards {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	for _, k := range keys {
		list := shards[k]
		slices.SortStableFunc(list, func(a, b searchEntry) int { return cmp.Or(b.Pop-a.Pop, strings.Compare(a.Code, b.Code)) })
		limit := searchShardMax
		if k[0] == 't' {
			limit = 100 // first keystrokes: the most populated only
		}
		if len(list) > limit {
			list = list[:limit]
		}
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(list); err != nil {
			return nil, err
		}
		name := "search/" + k + ".json"
		sizes[name] = buf.Len()
		if err := pub.Write(name, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	meta := struct {
		Kinds []string          `json:"kinds"`
		Deps  map[string]string `json:"deps"`
	}{Deps: map[string]string{}}
	for _, k := range geo.Kinds {
		meta.Kinds = append(meta.Kinds, k.Slug()+"|"+k.Label())
	}
	for _, t := range terrs {
		if t.Kind == geo.Departement || t.Kind == geo.Collectivite {
			meta.Deps[t.Code] = t.Name
		}
	}
	buf.Reset()
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(meta); err != nil {
		return nil, err
	}
	sizes["search/meta.json"] = buf.Len()
	return sizes, pub.Write("search/meta.json", buf.Bytes())
}
