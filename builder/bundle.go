package builder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"territoires/geo"
)

// The communes' JSON downloads: one file per département or collectivité
// d'outre-mer, named like their CSV zip (/api/commune/departement-69.json,
// /api/commune/collectivite-outre-mer-975.json), rather than one file per
// commune: 35,000 fewer files, and a fifth of the bytes, because what all
// communes share is written once.
//
// A bundle lists the series once, each described by its theme, measure,
// source, vintage(s), periods and breakdown(s) ("series"); then, for each
// commune, its code, name, page and parents, and "valeurs": valeurs[i] holds
// the values of series[i], one per period, or null when the commune has no
// such series; "statuts", only for a commune with a missing value, maps the
// index of a series to its statuses ("" for a value, "secret",
// "non-publie"). A commune whose periods, vintages or breakdowns differ
// from the others' has its own descriptor for that measure, so that every
// commune's figures are given exactly. Rebuilding a commune's series as the
// other territories' files give them (/api/epci/200046977.json) takes a loop:
// see communeFile in bundle_test.go, and fromBundle in assets/compare.js.
//
// The file of a commune follows from its code alone: its first two
// characters ("69", "2A"), three from 97 or 98 on ("974", "987"); the
// collectivités d'outre-mer are 975, 977, 978 and 98x, the others
// départements. TestBundleRule checks it for every commune of the
// referential; compare.js applies it.

// bundled says whether a territory's figures are published in its
// département's bundle rather than in a file of their own.
func bundled(t *geo.Territory) bool { return t.Kind == geo.Commune && t.Departement != nil }

// jsonPath is the path of the JSON file that holds a territory's figures:
// "api/commune/departement-69.json" for a commune, "api/epci/200046977.json"
// for the others.
func jsonPath(t *geo.Territory) string {
	if bundled(t) {
		return "api/commune/" + embedFragment(t.Departement) + ".json"
	}
	return apiPath(t) + ".json"
}

// jsonLabel says, beside a page's JSON link, which territories the file
// holds; empty for a file of its own.
func jsonLabel(t *geo.Territory) string {
	switch {
	case !bundled(t):
		return ""
	case t.Departement.Kind == geo.Collectivite:
		return "toutes les communes de la collectivité"
	}
	return "toutes les communes du département"
}

// seriesHead says what a series is: a territory's file gives it with the
// values (apiSeries), a bundle once for all its communes.
type seriesHead struct {
	Theme        string   `json:"theme"`
	Mesure       string   `json:"mesure"`
	Source       string   `json:"source"`
	Ventilation  string   `json:"ventilation,omitempty"`
	Ventilations []string `json:"ventilations,omitempty"`
	Millesime    string   `json:"millesime,omitempty"`
	Millesimes   []string `json:"millesimes,omitempty"`
	Periodes     []string `json:"periodes"`
}

// appendKey appends to b the key that identifies a descriptor: every
// field, each with its length, so that no two descriptors share a key.
func (d *seriesHead) appendKey(b []byte) []byte {
	put := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	list := func(l []string) {
		if l == nil {
			b = append(b, '-')
			return
		}
		b = strconv.AppendInt(b, int64(len(l)), 10)
		b = append(b, '[')
		for _, s := range l {
			put(s)
		}
	}
	put(d.Theme)
	put(d.Mesure)
	put(d.Source)
	put(d.Ventilation)
	list(d.Ventilations)
	put(d.Millesime)
	list(d.Millesimes)
	list(d.Periodes)
	return b
}

// bundleCommune is one commune of a bundle: Valeurs[i] are its values of
// the bundle's Series[i] (nil: it has no such series); Statuts, only where
// a value is missing, gives the statuses of a series by its index.
type bundleCommune struct {
	Code    string           `json:"code"`
	Nom     string           `json:"nom"`
	Page    string           `json:"page"`
	Parents []apiParent      `json:"parents,omitempty"`
	Valeurs [][]*float64     `json:"valeurs"`
	Statuts map[int][]string `json:"statuts,omitempty"`
}

// bundleGroup is the département or collectivité of a bundle.
type bundleGroup struct {
	Code string `json:"code"`
	Type string `json:"type"`
	Nom  string `json:"nom"`
	Page string `json:"page"`
}

type bundleFile struct {
	Description   string          `json:"description"`
	Groupe        bundleGroup     `json:"groupe"`
	Illustratif   bool            `json:"illustratif,omitempty"`
	Avertissement string          `json:"avertissement,omitempty"`
	Series        []seriesHead    `json:"series"`
	Communes      []bundleCommune `json:"communes"`
}

// jsonBundles gathers the series of the communes of each bundle as their
// pages are rendered, in any order, and publishes a bundle as soon as it
// has all its communes, in the order of the build's territories (as
// csvFiles does for the CSV): the files are deterministic and only the
// bundles being filled are held in memory.
type jsonBundles struct {
	mu sync.Mutex
	of map[*geo.Territory]*jsonBundle
}

type jsonBundle struct {
	rel     string
	group   *geo.Territory
	members []*geo.Territory
	series  map[*geo.Territory][]apiSeries
}

func newJSONBundles(terrs []*geo.Territory) *jsonBundles {
	c := &jsonBundles{of: map[*geo.Territory]*jsonBundle{}}
	files := map[string]*jsonBundle{}
	for _, t := range terrs {
		if !bundled(t) {
			continue
		}
		rel := jsonPath(t)
		f := files[rel]
		if f == nil {
			f = &jsonBundle{rel: rel, group: t.Departement, series: map[*geo.Territory][]apiSeries{}}
			files[rel] = f
		}
		f.members = append(f.members, t)
		c.of[t] = f
	}
	return c
}

// publishJSON publishes a territory's figures as JSON: in its bundle for a
// commune, in a file of its own for the others.
func (b *build) publishJSON(pub *Publisher, t *geo.Territory, series []apiSeries) error {
	if bundled(t) {
		return b.bundles.add(pub, b.site, t, series)
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if err := b.site.writeJSON(buf, t, series); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return pub.Write(jsonPath(t), buf.Bytes())
}

// add records the series of t and publishes t's bundle when it is complete.
func (c *jsonBundles) add(pub *Publisher, site *siteView, t *geo.Territory, series []apiSeries) error {
	c.mu.Lock()
	f := c.of[t]
	if f == nil {
		c.mu.Unlock()
		return fmt.Errorf("json: %s is not in the build", t.ID())
	}
	delete(c.of, t)
	f.series[t] = series
	complete := len(f.series) == len(f.members)
	c.mu.Unlock()
	if !complete {
		return nil
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if err := encodeJSON(buf, site.bundle(f.group, f.members, f.series)); err != nil {
		return fmt.Errorf("json %s: %w", f.rel, err)
	}
	f.series = nil
	return pub.Write(f.rel, buf.Bytes())
}

// bundle returns the bundle of the communes members of group, given the
// series of each.
func (s *siteView) bundle(group *geo.Territory, members []*geo.Territory, series map[*geo.Territory][]apiSeries) *bundleFile {
	f := &bundleFile{
		Description: fmt.Sprintf("Chiffres des communes, %s (%s %s). series décrit chaque série une fois ; "+
			"pour chaque commune, valeurs[i] donne ses valeurs de series[i], une par période (null : la commune n'a pas cette série), "+
			"et statuts, s'il manque une valeur, les statuts de la série i. Documentation : %s",
			group.Name, strings.ToLower(group.Kind.Label()), group.Code, s.abs("a-propos/")),
		Groupe:   bundleGroup{Code: group.Code, Type: group.Kind.Slug(), Nom: group.Name, Page: s.abs(group.Path())},
		Series:   []seriesHead{},
		Communes: make([]bundleCommune, len(members)),
	}
	f.Illustratif, f.Avertissement = s.warning()
	// A descriptor first met in a commune is placed right after that
	// commune's previous series, so that each commune's series keep the
	// order of its own file wherever the communes' orders agree (a commune
	// with fewer series, or other periods for one of them).
	type desc struct {
		d   seriesHead
		pos int
	}
	byKey := map[string]*desc{}
	var order []*desc
	var key []byte // a series' key, looked up without a string of its own
	used := make([][]*desc, len(members))
	for i, t := range members {
		var prev *desc
		for _, se := range series[t] {
			d := se.seriesHead
			key = d.appendKey(key[:0])
			x := byKey[string(key)]
			if x == nil {
				x = &desc{d: d}
				byKey[string(key)] = x
				at := 0
				if prev != nil {
					at = slices.Index(order, prev) + 1
				}
				order = slices.Insert(order, at, x)
			}
			used[i] = append(used[i], x)
			prev = x
		}
	}
	for j, x := range order {
		x.pos = j
		f.Series = append(f.Series, x.d)
	}
	for i, t := range members {
		a := s.apiTerritory(t)
		c := bundleCommune{Code: a.Code, Nom: a.Nom, Page: a.Page, Parents: a.Parents, Valeurs: make([][]*float64, len(order))}
		for k, se := range series[t] {
			j := used[i][k].pos
			c.Valeurs[j] = se.Valeurs
			if se.Statuts != nil {
				if c.Statuts == nil {
					c.Statuts = map[int][]string{}
				}
				c.Statuts[j] = se.Statuts
			}
		}
		f.Communes[i] = c
	}
	return f
}

func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
