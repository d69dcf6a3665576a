package builder

import (
	"encoding/json"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

func TestCompareSpecs(t *testing.T) {
	dep := &geo.Territory{Kind: geo.Departement, Code: "69"}
	own := indicator.Figure{Territory: "departement/69", Measure: indicator.EffectifsSal}
	reg := indicator.Figure{Territory: "region/84", Measure: indicator.MasseSalTrim}
	pyr := []indicator.Figure{
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y15T29;SEX=F"},
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y_LT15;SEX=M"},
		{Measure: indicator.PopAgeSexe, Dim: "AGE=Y15T29;SEX=M"},
	}
	for _, tt := range []struct {
		name string
		spec *compareSpec
		want string
	}{
		{"own series", timeCompare(dep, []line{{figs: []indicator.Figure{own}}}), `{"t":"t","s":[{"m":"EFF_SAL"}]}`},
		{"régional series, scaled", timeCompare(dep, []line{{figs: []indicator.Figure{reg}, factor: 1e-6}}), `{"t":"t","s":[{"m":"MASSE_SAL_TRIM","f":0.000001}],"r":true}`},
		{"parents", categoryCompare([]struct{ measure, name string }{{indicator.RevenuD1, "1er décile"}, {indicator.RevenuMedian, "Médiane"}}),
			`{"t":"c","s":[{"m":"REV_D1"},{"m":"REV_MEDIAN"}]}`},
		{"jobs", jobsCompare(), `{"t":"c","s":[{"m":"EMPLOIS_LT","q":"POP_HISTORIQUE","f":100}]}`},
		{"sectors", dimCompare(nil, []indicator.Figure{{Measure: "EFF_SAL", Dim: "GS=GS1"}, {Measure: "EFF_SAL", Dim: "GS=GS2"}}),
			`{"t":"d","s":[{"m":"EFF_SAL","ds":["GS=GS1","GS=GS2"]}]}`},
		{"pyramid", pyramidCompare(pyr, []string{"Y_LT15", "Y15T29"}),
			`{"t":"d","s":[{"m":"POP_AGE_SEXE","ds":["AGE=Y_LT15;SEX=M","AGE=Y15T29;SEX=M"],"n":true},{"m":"POP_AGE_SEXE","ds":["","AGE=Y15T29;SEX=F"]}]}`},
	} {
		b, err := json.Marshal(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s: spec = %s, want %s", tt.name, b, tt.want)
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
