package offline

import (
	"math"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

// Arrondissements and study zones are summed over their member communes
// like the other aggregates; their income is the population-weighted mean
// of their communes' synthetic medians, never a sum.
func TestArrondissementAndZoneSumTheirCommunes(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	arr, _ := ref.Lookup(geo.ArrondissementDep, "741")
	zs, err := geo.NewZonings(ref, []geo.ZoneInput{{Kind: geo.ZoneEmploi, Code: "8212", Name: "Annecy", Communes: []string{"74010", "74019", "74281"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, agg := range []*geo.Territory{arr, zs.All[0]} {
		parent := figures(t, s, agg)
		var births, pop, medianW float64
		for _, c := range agg.Children {
			f := figures(t, s, c)
			births += f[indicator.Naissances+"||2023"].Value
			p := f[indicator.PopHistorique+"||2021"].Value
			pop += p
			medianW += p * f[indicator.RevenuMedian+"||2021"].Value
		}
		if got := parent[indicator.Naissances+"||2023"].Value; got != births {
			t.Errorf("%s: births %v, want the sum of its communes %v", agg.ID(), got, births)
		}
		if got := parent[indicator.PopHistorique+"||2021"].Value; got != pop {
			t.Errorf("%s: population %v, want %v", agg.ID(), got, pop)
		}
		median := parent[indicator.RevenuMedian+"||2021"]
		if want := math.Round(medianW/pop/10) * 10; median.Value != want || median.Status != indicator.Present {
			t.Errorf("%s: median income %v (%v), want the weighted mean %v", agg.ID(), median.Value, median.Status, want)
		}
	}
}
