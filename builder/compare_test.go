package builder

import (
	"encoding/json"
	"testing"

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
		return []themeView{{Charts: []chartView{{ID: "etablissements-insee", compare: spec.chartCompare()}}}}
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
