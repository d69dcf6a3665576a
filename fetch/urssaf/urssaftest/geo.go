package urssaftest

import (
	"fmt"
	"slices"
	"strings"

	"territoires/geo"
)

// Commune is one commune, or one arrondissement municipal, of the fake's
// territory.
type Commune struct {
	Code        string // INSEE code: "94065"; an arrondissement's own code: "75101"
	Name        string // "Rungis"
	Parent      string // an arrondissement's commune ("75056"); "" for a commune
	EPCI        string // SIREN of the EPCI, "" if none
	Departement string // "94", "2A", "974"; an overseas collectivity's code ("975")
	Region      string // "11"; an overseas collectivity's code ("975")
	// Collectivite says that Departement and Region are an overseas
	// collectivity (geo.Collectivite), as for Saint-Pierre-et-Miquelon.
	Collectivite bool
}

// IsArrondissement reports whether c is an arrondissement municipal.
func (c Commune) IsArrondissement() bool { return c.Parent != "" }

// SampleCommunes returns a small, real-looking territory: Paris, Lyon and
// Marseille with their arrondissements municipaux, a few communes around
// them, Annecy (which absorbed Annecy-le-Vieux, code 74011, in 2017), an
// island commune outside any EPCI and an overseas commune.
func SampleCommunes() []Commune {
	cs := []Commune{
		{Code: "75056", Name: "Paris", EPCI: "200054781", Departement: "75", Region: "11"},
		{Code: "94065", Name: "Rungis", EPCI: "200054781", Departement: "94", Region: "11"},
		{Code: "94081", Name: "Vitry-sur-Seine", EPCI: "200054781", Departement: "94", Region: "11"},
		{Code: "69123", Name: "Lyon", EPCI: "200046977", Departement: "69", Region: "84"},
		{Code: "69266", Name: "Villeurbanne", EPCI: "200046977", Departement: "69", Region: "84"},
		{Code: "69029", Name: "Bron", EPCI: "200046977", Departement: "69", Region: "84"},
		{Code: "74010", Name: "Annecy", EPCI: "200066793", Departement: "74", Region: "84"},
		{Code: "74224", Name: "Poisy", EPCI: "200066793", Departement: "74", Region: "84"},
		{Code: "13055", Name: "Marseille", EPCI: "200054807", Departement: "13", Region: "93"},
		{Code: "13001", Name: "Aix-en-Provence", EPCI: "200054807", Departement: "13", Region: "93"},
		{Code: "29083", Name: "Île-de-Sein", Departement: "29", Region: "53"},
		{Code: "29019", Name: "Brest", EPCI: "242900314", Departement: "29", Region: "53"},
		{Code: "97411", Name: "Saint-Denis", EPCI: "249740119", Departement: "974", Region: "04"},
	}
	arr := func(parent Commune, first, n int, name string) {
		for i := range n {
			cs = append(cs, Commune{
				Code: fmt.Sprintf("%d", first+i), Name: fmt.Sprintf("%s %d%s Arrondissement", name, i+1, ordinal(i+1)),
				Parent: parent.Code, EPCI: parent.EPCI, Departement: parent.Departement, Region: parent.Region,
			})
		}
	}
	arr(cs[0], 75101, 20, "Paris")
	arr(cs[3], 69381, 9, "Lyon")
	arr(cs[8], 13201, 16, "Marseille")
	return cs
}

func ordinal(n int) string {
	if n == 1 {
		return "er"
	}
	return "e"
}

// SampleRetired maps the retired codes SampleCommunes' data still use to
// their current commune: Annecy-le-Vieux, merged into Annecy in 2017.
func SampleRetired() map[string]string { return map[string]string{"74011": "74010"} }

// CommunesOf lists the communes and arrondissements municipaux of a
// referential, so that the fake serves data for the real geography.
func CommunesOf(r *geo.Referential) []Commune {
	var out []Commune
	code := func(t *geo.Territory) string {
		if t == nil {
			return ""
		}
		return t.Code
	}
	for _, k := range []geo.Kind{geo.Commune, geo.Arrondissement} {
		for _, t := range r.OfKind(k) {
			src := t
			c := Commune{Code: t.Code, Name: t.Name}
			if k == geo.Arrondissement && t.Commune != nil {
				c.Parent, src = t.Commune.Code, t.Commune
			}
			c.EPCI, c.Departement, c.Region = code(src.EPCI), code(src.Departement), code(src.Region)
			c.Collectivite = src.Departement != nil && src.Departement.Kind == geo.Collectivite
			out = append(out, c)
		}
	}
	return out
}

// RetiredOf returns, from a referential's retired codes, up to n whose
// current commune is in communes: the fake publishes some rows under them.
func RetiredOf(r *geo.Referential, communes []Commune, n int) map[string]string {
	have := map[string]bool{}
	for _, c := range communes {
		have[c.Code] = true
	}
	out := map[string]string{}
	for _, rc := range r.RetiredCodes() {
		if len(out) == n {
			break
		}
		if have[rc[1]] && !have[rc[0]] {
			out[rc[0]] = rc[1]
		}
	}
	return out
}

// departementRegion maps the 101 départements to their région (2016
// regions), for synthetic territories.
var departementRegion = func() map[string]string {
	m := map[string]string{}
	for reg, deps := range map[string]string{
		"84": "01 03 07 15 26 38 42 43 63 69 73 74",
		"27": "21 25 39 58 70 71 89 90",
		"53": "22 29 35 56",
		"24": "18 28 36 37 41 45",
		"94": "2A 2B",
		"44": "08 10 51 52 54 55 57 67 68 88",
		"32": "02 59 60 62 80",
		"11": "75 77 78 91 92 93 94 95",
		"28": "14 27 50 61 76",
		"75": "16 17 19 23 24 33 40 47 64 79 86 87",
		"76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
		"52": "44 49 53 72 85",
		"93": "04 05 06 13 83 84",
		"01": "971", "02": "972", "03": "973", "04": "974", "06": "976",
	} {
		for _, d := range strings.Fields(deps) {
			m[d] = reg
		}
	}
	return m
}()

// SyntheticCommunes returns n made-up communes spread over the 101
// départements, grouped 28 by 28 into EPCIs (every 50th commune outside
// any), for tests and benchmarks at the scale of France (n = 35,000).
func SyntheticCommunes(n int) []Commune {
	deps := make([]string, 0, len(departementRegion))
	for d := range departementRegion {
		deps = append(deps, d)
	}
	slices.Sort(deps)
	out := make([]Commune, 0, n)
	perDep := map[string]int{}
	for i, j := 0, 0; i < n; j++ {
		d := deps[j%len(deps)]
		k := perDep[d] + 1
		if len(d) == 3 && k > 99 || k > 999 {
			if j > n+len(deps)*1000 {
				break // more communes than codes
			}
			continue
		}
		perDep[d] = k
		var code string
		if len(d) == 3 {
			code = fmt.Sprintf("%s%02d", d, k)
		} else {
			code = fmt.Sprintf("%s%03d", d, k)
		}
		c := Commune{Code: code, Name: "Commune " + code, Departement: d, Region: departementRegion[d]}
		if i%50 != 49 {
			c.EPCI = fmt.Sprintf("2%03d%05d", j%len(deps), k/28)
		}
		out = append(out, c)
		i++
	}
	return out
}

// Geo is a small in-memory referential built from a list of communes. It
// has the lookups the URSSAF decoders need (Lookup, CurrentCommune), so
// tests can run without the embedded referential.
type Geo struct {
	France  *geo.Territory
	byID    map[string]*geo.Territory
	retired map[string]string
}

// NewGeo builds the territories of communes (and their EPCI, département,
// région and France, with made-up names) and the retired codes.
func NewGeo(communes []Commune, retired map[string]string) *Geo {
	g := &Geo{byID: map[string]*geo.Territory{}, retired: retired}
	g.France = g.get(geo.France, "FR", "France")
	parents := func(t *geo.Territory, c Commune) {
		t.Country = g.France
		if c.Collectivite {
			col := g.get(geo.Collectivite, c.Departement, "Collectivité "+c.Departement)
			col.Country = g.France
			t.Departement, t.Region = col, col
		} else {
			t.Region = g.get(geo.Region, c.Region, "Région "+c.Region)
			t.Region.Country = g.France
			t.Departement = g.get(geo.Departement, c.Departement, "Département "+c.Departement)
			t.Departement.Region, t.Departement.Country = t.Region, g.France
		}
		if c.EPCI != "" {
			t.EPCI = g.get(geo.EPCI, c.EPCI, "EPCI "+c.EPCI)
			t.EPCI.Departement, t.EPCI.Region, t.EPCI.Country = t.Departement, t.Region, g.France
		}
	}
	for _, c := range communes {
		if c.IsArrondissement() {
			continue
		}
		parents(g.get(geo.Commune, c.Code, c.Name), c)
	}
	for _, c := range communes {
		if !c.IsArrondissement() {
			continue
		}
		t := g.get(geo.Arrondissement, c.Code, c.Name)
		parents(t, c)
		t.Commune = g.byID[geo.Commune.Slug()+"/"+c.Parent]
	}
	return g
}

func (g *Geo) get(k geo.Kind, code, name string) *geo.Territory {
	id := k.Slug() + "/" + code
	if t, ok := g.byID[id]; ok {
		return t
	}
	t := &geo.Territory{Kind: k, Code: code, Name: name}
	g.byID[id] = t
	return t
}

// Lookup finds a territory by kind and code.
func (g *Geo) Lookup(k geo.Kind, code string) (*geo.Territory, bool) {
	t, ok := g.byID[k.Slug()+"/"+code]
	return t, ok
}

// ByID finds a territory by its ID ("commune/69123").
func (g *Geo) ByID(id string) (*geo.Territory, bool) {
	t, ok := g.byID[id]
	return t, ok
}

// CurrentCommune maps a current or retired commune code to the current
// commune.
func (g *Geo) CurrentCommune(code string) (*geo.Territory, bool) {
	if t, ok := g.Lookup(geo.Commune, code); ok {
		return t, true
	}
	if cur, ok := g.retired[code]; ok {
		return g.Lookup(geo.Commune, cur)
	}
	return nil, false
}

// OfKind returns the territories of one kind, sorted by code.
func (g *Geo) OfKind(k geo.Kind) []*geo.Territory {
	var out []*geo.Territory
	for _, t := range g.byID {
		if t.Kind == k {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *geo.Territory) int { return strings.Compare(a.Code, b.Code) })
	return out
}
