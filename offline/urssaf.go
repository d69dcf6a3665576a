package offline

import (
	"math"

	"territoires/geo"
	"territoires/indicator"
)

// The synthetic figures of the URSSAF series added by issue 10, with the
// codes the URSSAF client produces: the sector breakdown of the regional
// quarterly jobs (Dim "NA28I=<code>", régions and France, latest quarter),
// and the employees of private households (SalariesPartEmp, 2018, Dim ""
// and "CATEGORIE=<code>") by département, régions and France being the
// sums of their départements, as the client sums them.

// na28iSectors are the sector codes of the regional series, with a rough
// national share of private salaried jobs.
var na28iSectors = []struct {
	code  string
	share float64
}{
	{"AZ", 0.01}, {"CA", 0.04}, {"C5", 0.09}, {"DZ", 0.01}, {"EZ", 0.01}, {"FZ", 0.10}, {"GZ", 0.17},
	{"HZ", 0.08}, {"IZ", 0.07}, {"JZ", 0.05}, {"KZ", 0.05}, {"LZ", 0.02}, {"MA", 0.05}, {"MB", 0.01},
	{"MC", 0.01}, {"NZ", 0.11}, {"PZ", 0.01}, {"QA", 0.04}, {"QB", 0.05}, {"RZ", 0.01}, {"SZ", 0.02},
}

// homeCategories are the job categories of the particuliers employeurs
// dataset, with a rough share of its employees.
var homeCategories = []struct {
	code  string
	share float64
}{{"1", 0.10}, {"2", 0.27}, {"3", 0.63}}

const homeYear = "2018"

// withURSSAF appends to the figures of t (already holding its quarterly
// series) the regional sector breakdown and the home employees.
func (s *Source) withURSSAF(t *geo.Territory, figs []indicator.Figure) []indicator.Figure {
	switch t.Kind {
	case geo.Region, geo.France:
		figs = append(figs, regionalSectors(t, figs)...)
	case geo.Departement:
	default:
		return figs
	}
	return append(figs, s.homeEmployees(t)...)
}

// split divides total into parts of the given shares, jittered by r and
// rounded, the rounding remainder going to the largest part: the parts
// always add up to total.
func split(total float64, shares []float64, key string) []float64 {
	r := rngFor(key)
	w := make([]float64, len(shares))
	sum := 0.0
	for i, s := range shares {
		w[i] = s * between(r, 0.7, 1.3)
		sum += w[i]
	}
	out := make([]float64, len(shares))
	got, largest := 0.0, 0
	for i := range w {
		out[i] = math.Round(total * w[i] / sum)
		got += out[i]
		if out[i] > out[largest] {
			largest = i
		}
	}
	out[largest] += total - got
	return out
}

// regionalSectors splits the latest quarter's salaried jobs of a région or
// France (the figure Dim "" of figs) by NA28I sector.
func regionalSectors(t *geo.Territory, figs []indicator.Figure) []indicator.Figure {
	var total *indicator.Figure
	for i, f := range figs {
		if f.Territory == t.ID() && f.Measure == indicator.EffSalTrim && f.Dim == "" &&
			(total == nil || len(f.Period) > len(total.Period) || (len(f.Period) == len(total.Period) && f.Period > total.Period)) {
			total = &figs[i]
		}
	}
	if total == nil {
		return nil
	}
	shares := make([]float64, len(na28iSectors))
	for i, s := range na28iSectors {
		shares[i] = s.share
	}
	var out []indicator.Figure
	for i, v := range split(total.Value, shares, "na28i "+t.ID()) {
		f := *total
		f.Dim, f.Value = "NA28I="+na28iSectors[i].code, v
		out = append(out, f)
	}
	return out
}

// homeOf returns the home employees of one département by category.
func (s *Source) homeOf(dep *geo.Territory) []float64 {
	pop := s.aggregate(dep).pop
	r := rngFor("particuliers employeurs " + dep.ID())
	total := math.Round(pop * between(r, 14, 26) / 1000)
	shares := make([]float64, len(homeCategories))
	for i, c := range homeCategories {
		shares[i] = c.share
	}
	return split(total, shares, "particuliers employeurs categories "+dep.ID())
}

// homeEmployees returns the home employees of a département, or the sums
// of the départements of a région or of France.
func (s *Source) homeEmployees(t *geo.Territory) []indicator.Figure {
	var deps []*geo.Territory
	switch t.Kind {
	case geo.Departement:
		deps = []*geo.Territory{t}
	case geo.Region:
		for _, c := range t.Children {
			if c.Kind == geo.Departement {
				deps = append(deps, c)
			}
		}
	case geo.France:
		deps = s.ref.OfKind(geo.Departement)
	}
	sums := make([]float64, len(homeCategories))
	for _, d := range deps {
		for i, v := range s.homeOf(d) {
			sums[i] += v
		}
	}
	if len(deps) == 0 {
		return nil
	}
	add := func(out []indicator.Figure, dim string, v float64) []indicator.Figure {
		return append(out, indicator.Figure{
			Territory: t.ID(), Theme: indicator.Emploi, Measure: indicator.SalariesPartEmp, Dim: dim, Period: homeYear,
			Value: v, Status: indicator.Present, Source: SourceLabel, Vintage: "Urssaf " + homeYear,
		})
	}
	total := 0.0
	var out []indicator.Figure
	for i, c := range homeCategories {
		out = add(out, "CATEGORIE="+c.code, sums[i])
		total += sums[i]
	}
	return add(out, "", total)
}
