package builder

import (
	"context"
	"math"
	"slices"
	"testing"

	"territoires/geo"
)

func TestSizeBand(t *testing.T) {
	for _, tt := range []struct{ pop, want int }{
		{0, 0}, {499, 0}, {500, 1}, {1999, 1}, {2000, 2}, {4999, 2},
		{5000, 3}, {19999, 3}, {20000, 4}, {99999, 4}, {100000, 5}, {2133111, 5},
	} {
		if got := sizeBand(tt.pop); got != tt.want {
			t.Errorf("sizeBand(%d) = %d, want %d", tt.pop, got, tt.want)
		}
	}
}

func TestBandLabel(t *testing.T) {
	for _, tt := range []struct {
		band int
		want string
	}{
		{0, "communes de France de moins de 500 habitants"},
		{2, "communes de France de 2\u202f000 à 4\u202f999 habitants"},
		{5, "communes de France de 100\u202f000 habitants ou plus"},
	} {
		if got := bandLabel(tt.band); got != tt.want {
			t.Errorf("bandLabel(%d) = %q, want %q", tt.band, got, tt.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for _, tt := range []struct {
		n        int
		feminine bool
		want     string
	}{
		{1, false, "1er"}, {1, true, "1re"}, {2, true, "2e"}, {58, false, "58e"}, {1200, true, "1\u202f200e"},
	} {
		if got := ordinal(tt.n, tt.feminine); got != tt.want {
			t.Errorf("ordinal(%d, %v) = %q, want %q", tt.n, tt.feminine, got, tt.want)
		}
	}
}

func TestOfDepartement(t *testing.T) {
	for _, tt := range []struct{ code, name, want string }{
		{"69", "Rhône", "du Rhône"}, {"01", "Ain", "de l'Ain"}, {"42", "Loire", "de la Loire"},
		{"40", "Landes", "des Landes"}, {"75", "Paris", "de Paris"}, {"999", "Nulle part", "de Nulle part"},
	} {
		if got := ofDepartement(tt.code, tt.name); got != tt.want {
			t.Errorf("ofDepartement(%q, %q) = %q, want %q", tt.code, tt.name, got, tt.want)
		}
	}
}

// peers builds a département with communes of the given populations and
// income values (NaN: missing; secret when listed in secret).
func peers(pops []int) (*geo.Referential, []*geo.Territory) {
	fr := &geo.Territory{Kind: geo.France, Code: "FR", Name: "France"}
	reg := &geo.Territory{Kind: geo.Region, Code: "84", Name: "Auvergne-Rhône-Alpes", Country: fr}
	dep := &geo.Territory{Kind: geo.Departement, Code: "69", Name: "Rhône", Region: reg, Country: fr}
	dep.Departement = dep
	ref := &geo.Referential{France: fr, All: []*geo.Territory{fr, reg, dep}}
	var coms []*geo.Territory
	for i, p := range pops {
		c := &geo.Territory{Kind: geo.Commune, Code: "690" + string(rune('0'+i/10)) + string(rune('0'+i%10)), Name: "C" + string(rune('A'+i)),
			Departement: dep, Region: reg, Country: fr, Population: []geo.Pop{{Year: 2023, Value: p}}}
		coms = append(coms, c)
		dep.Children = append(dep.Children, c)
	}
	ref.All = append(ref.All, coms...)
	return ref, coms
}

func TestRanks(t *testing.T) {
	ref, coms := peers([]int{1000, 900, 800, 700, 600, 150000})
	// Income: 20 and 20 tie for first, 10 is third, then 5; one secret,
	// one missing: four ranked.
	income := []float64{20, 10, 20, math.NaN(), 5, math.NaN()}
	s := &siteStats{row: map[*geo.Territory]int32{}, rows: make([]statRow, len(coms))}
	for i, c := range coms {
		s.row[c] = int32(i)
		for col := range s.rows[i].v {
			s.rows[i].v[col] = math.NaN()
		}
		s.rows[i].v[colPop] = float64(c.Population[0].Value)
		s.rows[i].v[colIncome] = income[i]
	}
	s.rows[3].secret = 1 << colIncome
	s.ranks = rankAll(ref, nil, coms, s)
	band := " communes de France de 500 à 1\u202f999 habitants"
	for _, tt := range []struct {
		i    int
		col  statCol
		want []string
	}{
		{0, colIncome, []string{"1re ex aequo sur 4 communes du Rhône", "1re ex aequo sur 4" + band}},
		{2, colIncome, []string{"1re ex aequo sur 4 communes du Rhône", "1re ex aequo sur 4" + band}},
		{1, colIncome, []string{"3e sur 4 communes du Rhône", "3e sur 4" + band}},
		{4, colIncome, []string{"4e sur 4 communes du Rhône", "4e sur 4" + band}},
		{3, colIncome, nil}, // secret: no rank
		{5, colIncome, nil}, // missing
		// The commune of 150,000 is alone in its band: no rank there.
		{5, colPop, []string{"1re sur 6 communes du Rhône"}},
		{0, colPop, []string{"2e sur 6 communes du Rhône", "1re sur 5" + band}},
	} {
		got := s.rankTexts(coms[tt.i], tt.col)
		if !slices.Equal(got, tt.want) {
			t.Errorf("rankTexts(%s, %d) = %q, want %q", coms[tt.i].Name, tt.col, got, tt.want)
		}
	}
}

func TestRanksBandAndIncompleteGroup(t *testing.T) {
	ref, coms := peers([]int{1000, 1200, 1500, 700})
	s := &siteStats{row: map[*geo.Territory]int32{}, rows: make([]statRow, len(coms))}
	for i, c := range coms {
		s.row[c] = int32(i)
		for col := range s.rows[i].v {
			s.rows[i].v[col] = math.NaN()
		}
		s.rows[i].v[colPop] = float64(c.Population[0].Value)
	}
	s.ranks = rankAll(ref, nil, coms, s)
	want := []string{"2e sur 4 communes du Rhône", "2e sur 4 communes de France de 500 à 1\u202f999 habitants"}
	if got := s.rankTexts(coms[1], colPop); !slices.Equal(got, want) {
		t.Errorf("rankTexts = %q, want %q", got, want)
	}
	// A build without one of the communes ranks the others in no group:
	// a rank among part of the peers would mislead.
	s2 := &siteStats{row: map[*geo.Territory]int32{}, rows: s.rows[:3]}
	for i, c := range coms[:3] {
		s2.row[c] = int32(i)
	}
	s2.ranks = rankAll(ref, nil, coms[:3], s2)
	if got := s2.rankTexts(coms[1], colPop); got != nil {
		t.Errorf("incomplete build: rankTexts = %q, want none", got)
	}
}

// TestRanksOfArrondissementsAndZones: an arrondissement is ranked among
// those of its région, a study zone among the zones of its zoning in
// France; ties, secret figures and incomplete groups as for communes.
func TestRanksOfArrondissementsAndZones(t *testing.T) {
	fr := &geo.Territory{Kind: geo.France, Code: "FR", Name: "France"}
	ara := &geo.Territory{Kind: geo.Region, Code: "84", Name: "Auvergne-Rhône-Alpes", Country: fr}
	bzh := &geo.Territory{Kind: geo.Region, Code: "53", Name: "Bretagne", Country: fr}
	rhone := &geo.Territory{Kind: geo.Departement, Code: "69", Name: "Rhône", Region: ara, Country: fr}
	ain := &geo.Territory{Kind: geo.Departement, Code: "01", Name: "Ain", Region: ara, Country: fr}
	fin := &geo.Territory{Kind: geo.Departement, Code: "29", Name: "Finistère", Region: bzh, Country: fr}
	arr := func(code string, dep *geo.Territory) *geo.Territory {
		return &geo.Territory{Kind: geo.ArrondissementDep, Code: code, Name: code, Departement: dep, Region: dep.Region, Country: fr}
	}
	zone := func(k geo.Kind, code string) *geo.Territory {
		return &geo.Territory{Kind: k, Code: code, Name: code, Country: fr}
	}
	terrs := []*geo.Territory{
		arr("691", rhone), arr("692", rhone), arr("011", ain), // Auvergne-Rhône-Alpes: three
		arr("291", fin), // Bretagne: alone
		zone(geo.ZoneEmploi, "8201"), zone(geo.ZoneEmploi, "8202"), zone(geo.ZoneEmploi, "8203"),
		zone(geo.BassinVie, "69123"), // one of two bassins de vie
	}
	ref := &geo.Referential{France: fr, All: append([]*geo.Territory{fr, ara, bzh, rhone, ain, fin}, terrs[:4]...)}
	zones := &geo.Zonings{All: append(slices.Clone(terrs[4:]), zone(geo.BassinVie, "01004"))}
	pops := []float64{1_300_000, 250_000, 250_000, 300_000, 900, 800, 700, 5_000}
	income := []float64{22_000, 21_000, math.NaN(), 20_000, 19_000, math.NaN(), 17_000, 18_000}
	s := &siteStats{row: map[*geo.Territory]int32{}, rows: make([]statRow, len(terrs))}
	for i, tr := range terrs {
		s.row[tr] = int32(i)
		for col := range s.rows[i].v {
			s.rows[i].v[col] = math.NaN()
		}
		s.rows[i].v[colPop] = pops[i]
		s.rows[i].v[colIncome] = income[i]
	}
	s.rows[5].secret = 1 << colIncome
	s.ranks = rankAll(ref, zones, terrs, s)
	for _, tt := range []struct {
		i    int
		col  statCol
		want []string
	}{
		{0, colPop, []string{"1er sur 3 arrondissements de la région Auvergne-Rhône-Alpes"}},
		{1, colPop, []string{"2e ex aequo sur 3 arrondissements de la région Auvergne-Rhône-Alpes"}},
		{2, colPop, []string{"2e ex aequo sur 3 arrondissements de la région Auvergne-Rhône-Alpes"}},
		{1, colIncome, []string{"2e sur 2 arrondissements de la région Auvergne-Rhône-Alpes"}}, // 011 has none
		{2, colIncome, nil},
		{3, colPop, nil}, // alone in Bretagne
		{4, colPop, []string{"1re sur 3 zones d'emploi de France"}},
		{6, colPop, []string{"3e sur 3 zones d'emploi de France"}},
		{4, colIncome, []string{"1re sur 2 zones d'emploi de France"}}, // 8202 secret takes no rank
		{5, colIncome, nil},
		{7, colPop, nil}, // the other bassin de vie is not built
	} {
		if got := s.rankTexts(terrs[tt.i], tt.col); !slices.Equal(got, tt.want) {
			t.Errorf("rankTexts(%s %s, %d) = %q, want %q", terrs[tt.i].Kind, terrs[tt.i].Code, tt.col, got, tt.want)
		}
	}
}

// corseZones are two zones d'emploi of Corse, as the Métadonnées cache
// would give them (the membership is a test's, not INSEE's).
var corseZones = []geo.ZoneInput{
	{Kind: geo.ZoneEmploi, Code: "9401", Name: "Ajaccio", Communes: []string{"2A004", "2A247"}},
	{Kind: geo.ZoneEmploi, Code: "9402", Name: "Bastia", Communes: []string{"2B033", "2B120"}},
}

// TestRanksOnArrondissementAndZonePages builds Corse with two zones
// d'emploi: the arrondissement of Ajaccio and the zone of Bastia say their
// ranks under their key figures.
func TestRanksOnArrondissementAndZonePages(t *testing.T) {
	site := newSite(t, "base_url = \"https://example.org/\"\n[territories]\nregions = [\"94\"]\n")
	if _, err := Build(context.Background(), Options{Site: site, Zones: corseZones}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ page, want string }{
		{"arrondissement/2A1/index.html", "1er sur 5 arrondissements de la région Corse"},
		{"arrondissement/2A4/index.html", "4e sur 5 arrondissements de la région Corse"},
		{"zone-emploi/9402/index.html", "2e sur 2 zones d'emploi de France"},
	} {
		doc := readPage(t, site, tt.page)
		if got := texts(doc.Find(".key li").First().Find(".rank")); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%s: population ranks = %q, want [%s]", tt.page, got, tt.want)
		}
	}
}

// TestNoRankAloneOrIncomplete: in the Haute-Savoie of the zone tests, the
// zone d'emploi of Annecy is alone in its zoning, the bassin de vie of
// Annecy one of two of which one is not built, and the arrondissements of
// Haute-Savoie four of the région's: none of them is ranked.
func TestNoRankAloneOrIncomplete(t *testing.T) {
	site := annecySite(t)
	for _, page := range []string{"zone-emploi/8212/index.html", "bassin-vie/74010/index.html", "arrondissement/741/index.html"} {
		doc := readPage(t, site, page)
		if doc.Find(".key li").Length() == 0 {
			t.Errorf("%s has no key figures", page)
		}
		if got := texts(doc.Find(".key .rank")); len(got) != 0 {
			t.Errorf("%s: ranks %q, want none", page, got)
		}
	}
}
