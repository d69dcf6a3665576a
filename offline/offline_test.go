package offline

import (
	"context"
	"math"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

func figures(t *testing.T, s *Source, ter *geo.Territory) map[string]indicator.Figure {
	t.Helper()
	fs, err := s.AppendFigures(context.Background(), nil, ter)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]indicator.Figure{}
	for _, f := range fs {
		key := f.Measure + "|" + f.Dim + "|" + f.Period
		if _, dup := m[key]; dup {
			t.Fatalf("%s: duplicate figure %s", ter.ID(), key)
		}
		if f.Territory != ter.ID() && f.Measure != indicator.EffSalTrim && f.Measure != indicator.MasseSalTrim && f.Measure != indicator.DPAE {
			t.Errorf("%s: figure %s belongs to %s", ter.ID(), key, f.Territory)
		}
		m[key] = f
	}
	return m
}

func TestDeterministic(t *testing.T) {
	ref, _ := geo.Load()
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	a, _ := New(ref).AppendFigures(context.Background(), nil, lyon)
	b, _ := New(ref).AppendFigures(context.Background(), nil, lyon)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("got %d and %d figures", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("figure %d differs: %+v and %+v", i, a[i], b[i])
		}
	}
}

func TestParentsSumTheirCommunes(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	epci, _ := ref.Lookup(geo.EPCI, "200046977")
	parent := figures(t, s, epci)
	var births, salaried float64
	var medianW, pop float64
	for _, c := range epci.Children {
		f := figures(t, s, c)
		births += f[indicator.Naissances+"||2023"].Value
		salaried += f[indicator.EffectifsSal+"||2024"].Value
		p := f[indicator.PopHistorique+"||2021"].Value
		pop += p
		medianW += p * f[indicator.RevenuMedian+"||2021"].Value
	}
	if got := parent[indicator.Naissances+"||2023"].Value; got != births {
		t.Errorf("EPCI births = %v, want the sum of its communes %v", got, births)
	}
	if got := parent[indicator.EffectifsSal+"||2024"].Value; got != salaried {
		t.Errorf("EPCI salaried jobs = %v, want the sum %v", got, salaried)
	}
	// The median of a parent is a weighted mean of its communes' (rounded to 10 €).
	if got, want := parent[indicator.RevenuMedian+"||2021"].Value, medianW/pop; math.Abs(got-want) > 20 {
		t.Errorf("EPCI median = %v, want about %v", got, want)
	}
	// France is above every région.
	fr := figures(t, s, ref.France)
	reg, _ := ref.Lookup(geo.Region, "84")
	if fr[indicator.EmploisLieu+"||2021"].Value <= figures(t, s, reg)[indicator.EmploisLieu+"||2021"].Value {
		t.Error("France has fewer jobs than Auvergne-Rhône-Alpes")
	}
}

func TestSecretForSmallCommunes(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	var small, tiny *geo.Territory
	for _, c := range ref.OfKind(geo.Commune) {
		p, _ := c.LatestPopulation()
		if small == nil && p.Value > 500 && p.Value < 1500 {
			small = c
		}
		if tiny == nil && p.Value > 0 && p.Value < 100 {
			tiny = c
		}
	}
	fs := figures(t, s, small)
	if fs[indicator.RevenuD1+"||2021"].Status != indicator.Secret || fs[indicator.RevenuMedian+"||2021"].Status != indicator.Present {
		t.Errorf("%s (%s): D1 %v, median %v; want secret deciles and a median", small.Name, small.Code,
			fs[indicator.RevenuD1+"||2021"].Status, fs[indicator.RevenuMedian+"||2021"].Status)
	}
	if got := figures(t, s, tiny)[indicator.RevenuMedian+"||2021"].Status; got != indicator.Secret {
		t.Errorf("%s: median status %v, want secret", tiny.Name, got)
	}
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	if got := figures(t, s, lyon)[indicator.TauxPauvrete+"||2021"].Status; got != indicator.Present {
		t.Errorf("Lyon poverty rate status %v, want present", got)
	}
}

func TestPlausible(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	fr := figures(t, s, ref.France)
	pop, _ := ref.France.LatestPopulation()
	if got := fr[indicator.PopHistorique+"||2021"].Value; math.Abs(got-float64(pop.Value))/float64(pop.Value) > 0.05 {
		t.Errorf("France census 2021 = %v, want within 5%% of the legal population %d", got, pop.Value)
	}
	if v := fr[indicator.RevenuMedian+"||2021"].Value; v < 18000 || v > 28000 {
		t.Errorf("France median income = %v €, want in [18000, 28000]", v)
	}
	if v := fr[indicator.TauxChomage+"||2021"].Value; v < 3 || v > 20 {
		t.Errorf("France unemployment = %v %%", v)
	}
}
