package builder

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/config"
	"territoires/geo"
	"territoires/indicator"
)

func TestChartCompare(t *testing.T) {
	dep := &geo.Territory{Kind: geo.Departement, Code: "69"}
	own := indicator.Figure{Territory: "departement/69", Measure: indicator.EffectifsSal}
	reg := indicator.Figure{Territory: "region/84", Measure: indicator.MasseSalTrim}
	pyr := []indicator.Figure{
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y15T29;SEX=F"},
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y_LT15;SEX=M"},
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y15T29;SEX=M"},
	}
	named := func(cats []string, names ...string) []chartSeries {
		var out []chartSeries
		for _, n := range names {
			out = append(out, chartSeries{Name: n})
		}
		return out
	}
	for _, tt := range []struct {
		name string
		spec chartSpec
		want string
	}{
		{"own series", chartSpec{series: named(nil, "Effectifs"), compare: timeCompare(dep, []line{{figs: []indicator.Figure{own}}})},
			`{"t":"t","s":{"Effectifs":{"m":"EFF_SAL"}}}`},
		{"régional series, scaled", chartSpec{series: named(nil, "Masse salariale"), compare: timeCompare(dep, []line{{figs: []indicator.Figure{reg}, factor: 1e-6}})},
			`{"t":"t","r":true,"s":{"Masse salariale":{"m":"MASSE_SAL_TRIM","f":0.000001}}}`},
		{"parents", chartSpec{series: named(nil, "1er décile", "Médiane"), compare: categoryCompare([]struct{ measure, name string }{{indicator.RevenuD1, "1er décile"}, {indicator.RevenuMedian, "Médiane"}})},
			`{"t":"c","s":{"1er décile":{"m":"REV_D1"},"Médiane":{"m":"REV_MEDIAN"}}}`},
		{"jobs", chartSpec{series: named(nil, "Emplois"), compare: jobsCompare()},
			`{"t":"c","s":{"Emplois":{"m":"EMPLOIS_LT","q":"POP_HISTORIQUE","f":100}}}`},
		{"sectors", chartSpec{categories: []string{"Industrie", "Construction"}, series: named(nil, "Effectifs"),
			compare: dimCompare(nil, []indicator.Figure{{Measure: "EFF_SAL", Dim: "GS=GS1"}, {Measure: "EFF_SAL", Dim: "GS=GS2"}})},
			`{"t":"d","s":{"Effectifs":{"m":"EFF_SAL","l":{"Construction":"GS=GS2","Industrie":"GS=GS1"}}}}`},
		{"pyramid", chartSpec{categories: []string{"0 à 14 ans", "15 à 29 ans"}, series: named(nil, "Hommes", "Femmes"), compare: pyramidCompare(pyr, []string{"Y_LT15", "Y15T29"})},
			`{"t":"d","s":{"Femmes":{"m":"POP_AGE_SEXE","l":{"15 à 29 ans":"AGE=Y15T29;SEX=F"}},"Hommes":{"m":"POP_AGE_SEXE","l":{"0 à 14 ans":"AGE=Y_LT15;SEX=M","15 à 29 ans":"AGE=Y15T29;SEX=M"},"n":true}}}`},
		{"series and spec disagree", chartSpec{series: named(nil, "A", "B"), compare: jobsCompare()}, `null`},
		{"shares and what they leave", chartSpec{series: named(nil, "Maisons", "Autres"), compare: sharesCompare(shareSpec{
			measure: indicator.Logements, parts: []sharePart{{"TDW=1", "Maisons"}}, rest: "Autres"})},
			`{"t":"s","w":{"m":"LOGEMENTS"},"s":{"Autres":{"m":"LOGEMENTS","o":true},"Maisons":{"m":"LOGEMENTS","d":"TDW=1"}}}`},
		{"shares of a part", chartSpec{series: named(nil, "Propriétaires"), compare: sharesCompare(shareSpec{
			measure: indicator.Logements, base: "OCS=DW_MAIN", parts: []sharePart{{"TSH=100", "Propriétaires"}}})},
			`{"t":"s","w":{"m":"LOGEMENTS","d":"OCS=DW_MAIN"},"s":{"Propriétaires":{"m":"LOGEMENTS","d":"TSH=100"}}}`},
		{"groups of sectors, one year", chartSpec{categories: []string{"Industrie", "Finance, assurance, immobilier"}, series: named(nil, "Créées"),
			compare: sectorGroupsCompare([]string{"Industrie", "Finance, assurance, immobilier"}, a10Groups, true)},
			`{"t":"d","s":{"Créées":{"m":"CREA_ENT","l":{"Finance, assurance, immobilier":"ACTIVITY=KZ|ACTIVITY=LZ","Industrie":"ACTIVITY=BE"}}}}`},
		{"groups of sectors, years", chartSpec{categories: []string{"2023", "2024"}, series: named(nil, "Industrie", "Finance, assurance, immobilier"),
			compare: sectorGroupsCompare([]string{"Industrie", "Finance, assurance, immobilier"}, a10Groups, false)},
			`{"t":"t","s":{"Finance, assurance, immobilier":{"m":"CREA_ENT","d":"ACTIVITY=KZ|ACTIVITY=LZ"},"Industrie":{"m":"CREA_ENT","d":"ACTIVITY=BE"}}}`},
		{"tourist beds", chartSpec{series: named(nil, "Lits"), compare: perInhabitantCompare("tourisme-lits", 100)},
			`{"t":"c","s":{"Lits":{"m":"TOUR_PLACES","d":"ACTIVITY=I551;RANKING=_T|ACTIVITY=I553;RANKING=_T|ACTIVITY=I552;RANKING=_T","q":"POP_LEGALE","f":100,"k":[2,3,1]}}}`},
		{"stars", chartSpec{categories: []string{"1 étoile"}, series: named(nil, "Campings", "Emplacements"), compare: starsCompare(actCampsites, []string{"1 étoile"})},
			`{"t":"d","s":{"Campings":{"m":"TOUR_CAP","l":{"1 étoile":"ACTIVITY=I553;RANKING=1"},"z":"ACTIVITY=I553;RANKING=_T"},"Emplacements":{"m":"TOUR_PLACES","l":{"1 étoile":"ACTIVITY=I553;RANKING=1"},"z":"ACTIVITY=I553;RANKING=_T"}}}`},
		{"a région's sectors beside France's", chartSpec{categories: []string{"Commerce"}, series: named(nil, "Bretagne", "France"),
			compare: regionalSectorsCompare([]indicator.Figure{{Measure: indicator.EffSalTrim, Dim: "NA28I=GZ"}}, 2)},
			`{"t":"d","r":true,"s":{"*":{"m":"EFF_SAL_TRIM","l":{"Commerce":"NA28I=GZ"},"q":"EFF_SAL_TRIM","f":100}}}`},
	} {
		b, err := json.Marshal(tt.spec.chartCompare())
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s: chartCompare = %s, want %s", tt.name, b, tt.want)
		}
	}
}

// TestCompareIndexMerges: pages that lack a series or a category add
// nothing wrong; the site-wide entry gathers them all.
func TestCompareIndexMerges(t *testing.T) {
	page := func(cats []string, dims []string, names ...string) []themeView {
		var figs [][]indicator.Figure
		var series []chartSeries
		for _, n := range names {
			var f []indicator.Figure
			for _, d := range dims {
				f = append(f, indicator.Figure{Measure: "ETAB_INSEE", Dim: d})
			}
			figs = append(figs, f)
			series = append(series, chartSeries{Name: n})
		}
		spec := chartSpec{categories: cats, series: series, compare: dimCompare(nil, figs...)}
		return []themeView{{Charts: []chartView{{ID: "etablissements-insee", cmp: &spec}}}}
	}
	var x compareIndex
	x.add(page([]string{"Industrie"}, []string{"A5=BE"}, "Établissements"))
	x.add(page([]string{"Agriculture", "Industrie"}, []string{"A5=AZ", "A5=BE"}, "Établissements"))
	got, err := x.json()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"etablissements-insee":{"t":"d","s":{"Établissements":{"m":"ETAB_INSEE","l":{"Agriculture":"A5=AZ","Industrie":"A5=BE"}}}}}` + "\n"
	if string(got) != want {
		t.Errorf("comparer.json = %s, want %s", got, want)
	}

	// Creations by sector: one year on a page (a breakdown), several on
	// another (a series a group): both, in the same mode whatever the order.
	groups := []string{"Industrie", "Construction"}
	oneYear := chartSpec{categories: groups, series: []chartSeries{{Name: "Entreprises créées"}}, compare: sectorGroupsCompare(groups, a10Groups, true)}
	years := chartSpec{categories: []string{"2023", "2024"}, series: []chartSeries{{Name: "Industrie"}, {Name: "Construction"}}, compare: sectorGroupsCompare(groups, a10Groups, false)}
	pages := []themeView{
		{Charts: []chartView{{ID: "creations-secteurs", cmp: &oneYear}}},
		{Charts: []chartView{{ID: "creations-secteurs", cmp: &years}}},
	}
	var outs []string
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		var x compareIndex
		for _, i := range order {
			x.add(pages[i : i+1])
		}
		got, err := x.json()
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(got))
	}
	want = `{"creations-secteurs":{"t":"d","s":{"Construction":{"m":"CREA_ENT","d":"ACTIVITY=FZ"},"Entreprises créées":{"m":"CREA_ENT","l":{"Construction":"ACTIVITY=FZ","Industrie":"ACTIVITY=BE"}},"Industrie":{"m":"CREA_ENT","d":"ACTIVITY=BE"}}}}` + "\n"
	for _, got := range outs {
		if got != want {
			t.Errorf("comparer.json = %s, want %s", got, want)
		}
	}
}

func TestFlattened(t *testing.T) {
	for _, tt := range []struct {
		vals []float64
		want bool
	}{
		{[]float64{513275, 516092, 519127}, true}, // Lyon: flat from zero
		{[]float64{100, 200, 400}, false},
		{[]float64{0, 10}, false},
		{nil, false},
		{[]float64{-5, -4}, false},
	} {
		var vals []*float64
		for _, v := range tt.vals {
			vals = append(vals, ptr(v))
		}
		if got := flattened([]chartSeries{{Values: vals}}); got != tt.want {
			t.Errorf("flattened(%v) = %v, want %v", tt.vals, got, tt.want)
		}
	}
}

// apiValues reads a territory's file of the static API as compare.js
// indexes it: the values of each measure and breakdown, by period.
func apiValues(t *testing.T, site *config.Site, rel string) map[string]map[string]*float64 {
	t.Helper()
	rel, commune, bundled := strings.Cut(rel, "#") // a commune in its bundle (bundle.go)
	b, err := os.ReadFile(filepath.Join(site.Path(site.Output), rel))
	if err != nil {
		t.Fatal(err)
	}
	if bundled {
		b, _ = json.Marshal(communeFile(t, decodeAny(t, b), commune))
	}
	var f apiFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	idx := map[string]map[string]*float64{}
	for _, s := range f.Series {
		for i, p := range s.Periodes {
			dim := s.Ventilation
			if s.Ventilations != nil {
				dim = s.Ventilations[i]
			}
			k := s.Mesure + "|" + dim
			if idx[k] == nil {
				idx[k] = map[string]*float64{}
			}
			idx[k][p] = s.Valeurs[i]
		}
	}
	return idx
}

// drawable reports whether a territory's file has a value for a measure
// and every part of a breakdown ("A|B": a sum) in some period.
func drawable(idx map[string]map[string]*float64, measure, dim string) bool {
	var periods map[string]bool
	for _, part := range strings.Split(dim, "|") {
		have := map[string]bool{}
		for p, v := range idx[measure+"|"+part] {
			if v != nil && (periods == nil || periods[p]) {
				have[p] = true
			}
		}
		periods = have
	}
	return len(periods) > 0
}

// seriesDrawable reports whether a series of a compare spec has a value in
// a territory's file: its own breakdown, or one of its categories'. (That
// every category has its breakdown is checked on its own.)
func seriesDrawable(idx map[string]map[string]*float64, s compareSeries, cats []string) bool {
	if s.Labels == nil {
		return drawable(idx, s.Measure, s.Dim) && (s.Per == "" || drawable(idx, s.Per, ""))
	}
	for _, c := range cats {
		if d, ok := s.Labels[c]; ok && drawable(idx, s.Measure, d) {
			return true
		}
	}
	return s.Zero != "" && drawable(idx, s.Measure, s.Zero)
}

// TestEveryChartCompares builds the Rhône and Paris: every chart of Lyon's
// page, of the Rhône's and of its région's has a compare spec in /api/comparer.json, with a
// series for each of its own series, whose measures and breakdowns are in
// the territory's file of the static API (so that a reader comparing
// another territory with Lyon sees Lyon drawn) and in Paris's (so that
// comparing Lyon with Paris draws Paris on every chart; Île-de-France for
// the région).
func TestEveryChartCompares(t *testing.T) {
	site := newSite(t, strings.Replace(rhone, `["69"]`, `["69", "75"]`, 1))
	mustBuild(t, site)
	b, err := os.ReadFile(filepath.Join(site.Path(site.Output), "api/comparer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var specs map[string]chartCompare
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatalf("comparer.json: %v", err)
	}
	for _, tt := range []struct {
		page, own, other, otherRegion string
		region                        string // of own
		min                           int    // charts at least
	}{
		{"commune/69123/index.html", "api/commune/departement-69.json#69123", "api/commune/departement-75.json#75056", "api/region/11.json", "api/region/84.json", 20},
		{"departement/69/index.html", "api/departement/69.json", "api/departement/75.json", "api/region/11.json", "api/region/84.json", 25},
		{"region/84/index.html", "api/region/84.json", "api/region/11.json", "api/region/11.json", "api/region/84.json", 30},
	} {
		doc := readPage(t, site, tt.page)
		files := map[string]map[string]map[string]*float64{}
		for _, rel := range []string{tt.own, tt.other, tt.region, tt.otherRegion} {
			files[rel] = apiValues(t, site, rel)
		}
		n := 0
		doc.Find("figure.chart-block").Each(func(_ int, fig *goquery.Selection) {
			n++
			id := fig.AttrOr("id", "")
			spec, ok := specs[id]
			if !ok || len(spec.Series) == 0 {
				t.Errorf("%s: chart %s has no compare spec", tt.page, id)
				return
			}
			var cats, names []string
			fig.Find("table tbody th").Each(func(_ int, th *goquery.Selection) { cats = append(cats, strings.TrimSpace(th.Text())) })
			fig.Find("table thead th").Each(func(i int, th *goquery.Selection) {
				if i > 0 {
					names = append(names, strings.TrimSpace(th.Text()))
				}
			})
			own, other := files[tt.own], files[tt.other]
			if spec.Region {
				own, other = files[tt.region], files[tt.otherRegion]
			}
			if spec.Whole != nil {
				for what, idx := range map[string]map[string]map[string]*float64{"own": own, "Paris": other} {
					if !drawable(idx, spec.Whole.Measure, spec.Whole.Dim) {
						t.Errorf("%s: chart %s: the whole %s %q is not in the %s file", tt.page, id, spec.Whole.Measure, spec.Whole.Dim, what)
					}
				}
			}
			drawn := 0
			for name, s := range spec.Series {
				if s.Rest {
					continue
				}
				for _, c := range cats {
					if _, ok := s.Labels[c]; s.Labels != nil && !ok && c != "Total" {
						t.Errorf("%s: chart %s: series %q says no breakdown for category %q", tt.page, id, name, c)
					}
				}
				inOwn := seriesDrawable(own, s, cats)
				if !inOwn && slices.Contains(names, name) {
					t.Errorf("%s: chart %s: series %q (%s %q) is not in the territory's file", tt.page, id, name, s.Measure, s.Dim)
				}
				if seriesDrawable(other, s, cats) {
					drawn++
				}
			}
			if drawn == 0 {
				t.Errorf("%s: chart %s: comparing with Paris would draw nothing: no series of %+v in its file", tt.page, id, spec)
			}
		})
		if n < tt.min {
			t.Errorf("%s: %d charts, want at least %d", tt.page, n, tt.min)
		}
	}
}
