package builder

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
)

// Ranks: where a territory stands among its peers, for each key figure and
// each chart's main measure, from the pre-pass (stats.go).
//
//   - a commune among the communes of its département, and among the
//     communes of France of the same size band (sizeBands);
//   - an EPCI among the EPCI of its région (the région of most of its
//     members);
//   - a département among the départements, a région among the régions;
//   - an arrondissement (départemental) among the arrondissements of its
//     région: a département has 1 to 7, too few to rank among, a région
//     5 to 40;
//   - a study zone among the zones of the same zoning in France (zones
//     d'emploi, unités urbaines, aires d'attraction des villes, bassins de
//     vie; API builds only: the offline source has no zones).
//
// Rank 1 is the highest value. Equal values (as shown, after rounding)
// share the best rank and are said "ex aequo"; the next rank counts them
// all (1, 2, 2, 4). A secret or missing value has no rank and takes none:
// the denominator counts the ranked territories only. A group is ranked
// only when the build holds every territory of it (a build of one
// département ranks its communes within it, not within France), and when
// at least two of them have a value.

// sizeBands are the lower bounds of the population bands of communes
// (legal population): < 500, 500–1 999, 2 000–4 999, 5 000–19 999,
// 20 000–99 999, 100 000 or more.
var sizeBands = []int{0, 500, 2000, 5000, 20000, 100000}

// sizeBand returns the index of the band of a population.
func sizeBand(pop int) int {
	b := 0
	for i, lo := range sizeBands {
		if pop >= lo {
			b = i
		}
	}
	return b
}

// bandLabel names the communes of a band: "communes de France de 2 000 à
// 4 999 habitants".
func bandLabel(b int) string {
	switch {
	case b == 0:
		return "communes de France de moins de " + formatInt(sizeBands[1]) + " habitants"
	case b == len(sizeBands)-1:
		return "communes de France de " + formatInt(sizeBands[b]) + " habitants ou plus"
	}
	return "communes de France de " + formatInt(sizeBands[b]) + " à " + formatInt(sizeBands[b+1]-1) + " habitants"
}

// peerKeys returns the keys of the (at most two) groups a territory is
// ranked in, "" for none.
func peerKeys(t *geo.Territory) [2]string {
	switch t.Kind {
	case geo.Commune:
		var k [2]string
		if t.Departement != nil {
			k[0] = "dep/" + t.Departement.Code
		}
		if p, ok := t.LatestPopulation(); ok {
			k[1] = "band/" + strconv.Itoa(sizeBand(p.Value))
		}
		return k
	case geo.EPCI:
		if r := epciRegion(t); r != nil {
			return [2]string{"epci/" + r.Code}
		}
	case geo.Departement:
		return [2]string{"departements"}
	case geo.Region:
		return [2]string{"regions"}
	case geo.ArrondissementDep:
		if r := t.Region; r != nil && r.Kind == geo.Region {
			return [2]string{"arr/" + r.Code}
		}
	case geo.ZoneEmploi, geo.UniteUrbaine, geo.AireAttraction, geo.BassinVie:
		return [2]string{"zone/" + t.Kind.Slug()}
	}
	return [2]string{}
}

// peerLabel names the members of a group, after "58e sur 266".
func peerLabel(key string, t *geo.Territory) string {
	kind, rest, _ := strings.Cut(key, "/")
	switch kind {
	case "dep":
		if t.Departement != nil && t.Departement.Kind == geo.Collectivite {
			return "communes de la collectivité"
		}
		return "communes " + ofDepartement(t.Departement.Code, t.Departement.Name)
	case "band":
		b, _ := strconv.Atoi(rest)
		return bandLabel(b)
	case "epci":
		if r := epciRegion(t); r != nil {
			return "intercommunalités de la région " + r.Name
		}
		return "intercommunalités de la région"
	case "departements":
		return "départements"
	case "regions":
		return "régions"
	case "arr":
		if t.Region != nil {
			return "arrondissements de la région " + t.Region.Name
		}
		return "arrondissements de la région"
	case "zone":
		return lowerFirst(t.Kind.Plural()) + " de France"
	}
	return ""
}

// masculine reports whether a territory's kind is a masculine noun in
// French (un département, un arrondissement, un bassin de vie): its first
// rank is "1er", not "1re".
func masculine(k geo.Kind) bool {
	switch k {
	case geo.Departement, geo.ArrondissementDep, geo.Arrondissement, geo.BassinVie:
		return true
	}
	return false
}

// epciRegion is the région of most of an EPCI's members (ties: the first
// in the order of its members).
func epciRegion(t *geo.Territory) *geo.Territory {
	var best *geo.Territory
	n := map[*geo.Territory]int{}
	for _, c := range t.Children {
		if c.Region == nil || c.Region.Kind != geo.Region {
			continue
		}
		n[c.Region]++
		if best == nil || n[c.Region] > n[best] {
			best = c.Region
		}
	}
	return best
}

// rankCell is a territory's rank in one group for one column, times two,
// plus one when tied: 0 when it has none. Four bytes, so that the ranks of
// the whole country hold in 3.5 MB.
type rankCell int32

func newRankCell(rank int, tied bool) rankCell {
	c := rankCell(rank) << 1
	if tied {
		c |= 1
	}
	return c
}

func (c rankCell) rank() int  { return int(c >> 1) }
func (c rankCell) tied() bool { return c&1 != 0 }

// peerGroup is one group of peers.
type peerGroup struct {
	key   string
	label string
	n     [statCols]int32 // territories with a value, per column
}

// rankTable holds the ranks of every territory of the build.
type rankTable struct {
	groups []peerGroup
	// of[row][i] is the group (index in groups) of the row's i-th key, -1
	// for none or an incomplete group.
	of    [][2]int32
	cells [][2][statCols]rankCell
}

// rankAll ranks every territory of the build in its complete groups: the
// groups of the referential and of the study zonings (nil: none).
func rankAll(ref *geo.Referential, zones *geo.Zonings, terrs []*geo.Territory, s *siteStats) rankTable {
	want := map[string]int{} // members of each group in the referential and zonings
	all := ref.All
	if zones != nil {
		all = slices.Concat(ref.All, zones.All)
	}
	for _, t := range all {
		for _, k := range peerKeys(t) {
			if k != "" {
				want[k]++
			}
		}
	}
	members := map[string][]int32{}
	for i, t := range terrs {
		for _, k := range peerKeys(t) {
			if k != "" {
				members[k] = append(members[k], int32(i))
			}
		}
	}
	keys := make([]string, 0, len(members))
	for k, m := range members {
		if len(m) == want[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	rt := rankTable{of: make([][2]int32, len(terrs)), cells: make([][2][statCols]rankCell, len(terrs))}
	for i := range rt.of {
		rt.of[i] = [2]int32{-1, -1}
	}
	type entry struct {
		v   float64
		row int32
	}
	var list []entry
	for gi, k := range keys {
		m := members[k]
		g := peerGroup{key: k, label: peerLabel(k, terrs[m[0]])}
		slot := 0
		if p := peerKeys(terrs[m[0]]); p[1] == k {
			slot = 1
		}
		for _, r := range m {
			rt.of[r][slot] = int32(gi)
		}
		for c := range statCols {
			if c == colPopChange {
				continue // a change is not a level: not ranked
			}
			list = list[:0]
			for _, r := range m {
				if row := &s.rows[r]; row.has(c) {
					list = append(list, entry{row.v[c], r})
				}
			}
			g.n[c] = int32(len(list))
			slices.SortFunc(list, func(a, b entry) int { return cmp.Compare(b.v, a.v) })
			for i := 0; i < len(list); {
				j := i
				for j < len(list) && list[j].v == list[i].v {
					j++
				}
				for _, e := range list[i:j] {
					rt.cells[e.row][slot][c] = newRankCell(i+1, j-i > 1)
				}
				i = j
			}
		}
		rt.groups = append(rt.groups, g)
	}
	return rt
}

// ordinal writes a rank the French way: 1er (1re for a feminine noun), 2e.
func ordinal(n int, feminine bool) string {
	var out [32]byte
	return string(appendOrdinal(out[:0], n, feminine))
}

// appendOrdinal appends ordinal(n, feminine).
func appendOrdinal(b []byte, n int, feminine bool) []byte {
	if n == 1 {
		if feminine {
			return append(b, "1re"...)
		}
		return append(b, "1er"...)
	}
	return append(appendInt(b, n), 'e')
}

// rankTexts returns the ranks of a territory for a column, as phrases:
// "58e sur 266 communes du Rhône", "3e ex aequo sur 42 communes de
// France de 100 000 habitants ou plus". The first rank agrees with the
// territory's kind (une commune, une intercommunalité, une région, une
// zone d'emploi: "1re"; un département, un arrondissement: "1er").
func (s *siteStats) rankTexts(t *geo.Territory, c statCol) []string {
	var out []string
	var buf [160]byte
	s.appendRanks(buf[:0], t, c, func(b []byte) []byte {
		out = append(out, string(b))
		return b[:0]
	})
	return out
}

// appendRanks appends the phrases of rankTexts to b, calling next after
// each with b and going on with what it returns; it returns b.
func (s *siteStats) appendRanks(b []byte, t *geo.Territory, c statCol, next func([]byte) []byte) []byte {
	if s == nil {
		return b
	}
	i, ok := s.row[t]
	if !ok {
		return b
	}
	feminine := !masculine(t.Kind)
	for slot, gi := range s.ranks.of[i] {
		if gi < 0 {
			continue
		}
		g := &s.ranks.groups[gi]
		cell := s.ranks.cells[i][slot][c]
		if cell.rank() == 0 || g.n[c] < 2 {
			continue
		}
		b = appendOrdinal(b, cell.rank(), feminine)
		if cell.tied() {
			b = append(b, " ex aequo"...)
		}
		b = append(b, " sur "...)
		b = appendInt(b, int(g.n[c]))
		b = append(b, ' ')
		b = append(b, g.label...)
		b = next(b)
	}
	return b
}
