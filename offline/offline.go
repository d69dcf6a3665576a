package offline

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"territoires/geo"
	"territoires/indicator"
)

// Source generates the figures of every territory. It is safe for
// concurrent use.
type Source struct {
	ref *geo.Referential

	mu     sync.Mutex
	aggs   map[*geo.Territory]*agg // memoised sums of communes, for parents
	summed bool                    // the referential's parents are in aggs (sumParents)
}

// New returns the offline source over a referential.
func New(ref *geo.Referential) *Source {
	return &Source{ref: ref, aggs: map[*geo.Territory]*agg{}}
}

// Illustrative reports that the figures are synthetic.
func (s *Source) Illustrative() bool { return true }

// SourceLabel is the Source of every synthetic figure.
const SourceLabel = "Illustratif"

const (
	census   = 2021 // census vintage of the synthetic figures
	filosofi = 2021
	flores   = 2022
)

// Years and breakdowns of the synthetic series, with the codes the INSEE
// and Urssaf clients use.
var (
	censusYears  = []int{1968, 1975, 1982, 1990, 1999, 2010, 2015, 2021}
	civilYears   = yearRange(2017, 2023)
	urssafYears  = yearRange(2017, 2024)
	ageBands     = []string{"Y_LT15", "Y15T29", "Y30T44", "Y45T59", "Y60T74", "Y_GE75"}
	ageShares    = []float64{0.17, 0.17, 0.18, 0.20, 0.17, 0.11} // France, roughly
	inseeSectors = []string{"AZ", "BE", "FZ", "GU", "OQ"}        // A5 sections of Flores
	inseeShares  = []float64{0.07, 0.06, 0.12, 0.60, 0.15}
	urssafGS     = []string{"GS1", "GS2", "GS3", "GS4"} // Urssaf grands secteurs
	urssafShares = []float64{0.15, 0.10, 0.20, 0.55}
	quarters     = quarterRange(2015, 2025)
)

func yearRange(from, to int) []int {
	var ys []int
	for y := from; y <= to; y++ {
		ys = append(ys, y)
	}
	return ys
}

// quarterRange lists quarters "2015-T1" ... up to the second quarter of to.
func quarterRange(from, to int) []string {
	var qs []string
	for y := from; y <= to; y++ {
		for q := 1; q <= 4 && (y < to || q <= 2); q++ {
			qs = append(qs, fmt.Sprintf("%d-T%d", y, q))
		}
	}
	return qs
}

// agg holds the underlying values of a commune, or the sums of a parent.
// Rates are kept as population-weighted sums and divided at the end.
type agg struct {
	n          int     // communes summed
	pop        float64 // population of the census vintage
	history    []float64
	ages       [2][]float64 // [0 men, 1 women][band]
	births     []float64
	deaths     []float64
	medianW    float64 // Σ population × median
	d1W, d9W   float64
	povertyW   float64
	activityW  float64
	unemployW  float64
	jobs       float64
	estabInsee []float64
	salaried   []float64 // by Urssaf year
	estabUrs   []float64
	salariedGS []float64 // latest year, by grand secteur

	th themeValues // themes of issue 12 (themes.go)
}

func newAgg() *agg {
	return &agg{
		history:    make([]float64, len(censusYears)),
		ages:       [2][]float64{make([]float64, len(ageBands)), make([]float64, len(ageBands))},
		births:     make([]float64, len(civilYears)),
		deaths:     make([]float64, len(civilYears)),
		estabInsee: make([]float64, len(inseeSectors)),
		salaried:   make([]float64, len(urssafYears)),
		estabUrs:   make([]float64, len(urssafYears)),
		salariedGS: make([]float64, len(urssafGS)),
	}
}

func (a *agg) add(b *agg) {
	a.n += b.n
	a.pop += b.pop
	a.medianW += b.medianW
	a.d1W += b.d1W
	a.d9W += b.d9W
	a.povertyW += b.povertyW
	a.activityW += b.activityW
	a.unemployW += b.unemployW
	a.jobs += b.jobs
	a.th.add(&b.th)
	for _, p := range [][2][]float64{
		{a.history, b.history}, {a.ages[0], b.ages[0]}, {a.ages[1], b.ages[1]},
		{a.births, b.births}, {a.deaths, b.deaths}, {a.estabInsee, b.estabInsee},
		{a.salaried, b.salaried}, {a.estabUrs, b.estabUrs}, {a.salariedGS, b.salariedGS},
	} {
		for i, v := range p[1] {
			p[0][i] += v
		}
	}
}

// rngFor returns a generator seeded by a key, so that a territory always
// gets the same figures.
func rngFor(key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
}

// between draws uniformly in [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// commune generates the underlying values of one commune or arrondissement.
func commune(t *geo.Territory) *agg {
	a := newAgg()
	latest, ok := t.LatestPopulation()
	if !ok || latest.Value == 0 {
		return a
	}
	r := rngFor(t.ID())
	p := float64(latest.Value)
	a.n = 1
	// Census history: walk back from the latest legal population.
	growth := between(r, -0.004, 0.012) // yearly, since 1999
	old := between(r, -0.01, 0.015)     // yearly, before
	a.pop = math.Round(p / math.Pow(1+growth, float64(latest.Year-census)))
	at1999 := a.pop / math.Pow(1+growth, float64(census-1999))
	for i, y := range censusYears {
		v := a.pop / math.Pow(1+growth, float64(census-y))
		if y < 1999 {
			v = at1999 / math.Pow(1+old, float64(1999-y))
		}
		a.history[i] = math.Max(1, math.Round(v))
	}
	// Age structure: France's, tilted older or younger.
	tilt := between(r, -0.04, 0.04)
	var weights [2][]float64
	total := 0.0
	for s := range 2 {
		weights[s] = make([]float64, len(ageBands))
		for i, share := range ageShares {
			w := share * (1 + tilt*float64(i-2)) * between(r, 0.9, 1.1)
			if s == 1 && i >= 4 {
				w *= 1.25 // women live longer
			}
			weights[s][i] = w
			total += w
		}
	}
	for s := range 2 {
		for i := range ageBands {
			a.ages[s][i] = math.Round(a.pop * weights[s][i] / total)
		}
	}
	old75 := (a.ages[0][5] + a.ages[1][5]) / a.pop
	for i := range civilYears {
		a.births[i] = math.Round(a.pop * between(r, 0.008, 0.013) * (1 - 2*tilt))
		a.deaths[i] = math.Round(a.pop * (0.004 + old75*0.08) * between(r, 0.85, 1.15))
	}
	// Income (Filosofi), with unemployment and poverty following it.
	median := between(r, 18500, 27500)
	wealth := (median - 23000) / 4500 // about -1..1
	a.medianW = a.pop * median
	a.d1W = a.pop * median * between(r, 0.48, 0.58)
	a.d9W = a.pop * median * between(r, 1.7, 2.1)
	a.povertyW = a.pop * math.Max(3, 14-7*wealth+between(r, -2, 2))
	a.activityW = a.pop * (74 + 3*wealth + between(r, -3, 3))
	a.unemployW = a.pop * math.Max(3, 10-4*wealth+between(r, -2, 2))
	// Jobs and establishments: bigger communes concentrate jobs.
	ratio := math.Min(1.6, 0.15+0.08*math.Log10(p+1)*between(r, 0.6, 1.6))
	a.jobs = math.Round(a.pop * ratio)
	estab := math.Max(1, math.Round(a.jobs*between(r, 0.08, 0.14)+p*0.02))
	for i, sh := range inseeShares {
		a.estabInsee[i] = math.Round(estab * sh * between(r, 0.6, 1.4))
	}
	salaried := a.jobs * between(r, 0.45, 0.7)
	trend := between(r, -0.01, 0.025)
	lastYear := urssafYears[len(urssafYears)-1]
	for i, y := range urssafYears {
		f := math.Pow(1+trend, float64(y-lastYear))
		if y == 2009 || y == 2020 {
			f *= 0.97 // crises
		}
		a.salaried[i] = math.Round(salaried * f * between(r, 0.98, 1.02))
		a.estabUrs[i] = math.Round(salaried / between(r, 6, 12) * f)
	}
	last := a.salaried[len(a.salaried)-1]
	for i, sh := range urssafShares {
		a.salariedGS[i] = math.Round(last * sh * between(r, 0.5, 1.5))
	}
	a.th = communeThemes(t, a)
	return a
}

// aggregate returns the values of a territory: generated for a commune or an
// arrondissement, summed over its communes for a parent (memoised).
func (s *Source) aggregate(t *geo.Territory) *agg {
	switch t.Kind {
	case geo.Commune, geo.Arrondissement:
		return commune(t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.summed {
		s.sumParents()
		s.summed = true
	}
	if a, ok := s.aggs[t]; ok {
		return a
	}
	a := s.sum(t, commune) // a study zone, or a territory of another referential
	s.aggs[t] = a
	return a
}

// sum adds up the values of a parent's communes, as of gives them, in the
// order communesOf gives: aggregate and sumParents sum the same way.
func (s *Source) sum(t *geo.Territory, of func(*geo.Territory) *agg) *agg {
	a := newAgg()
	for _, c := range s.communesOf(t) {
		a.add(of(c))
	}
	return a
}

// sumParents sums, in one pass, the values of every parent territory of the
// referential (EPCI, arrondissements, départements, collectivités,
// régions, France): each commune's values are generated once, where
// summing each parent apart generated them once for each of its six
// levels. Each parent is summed by sum, as aggregate sums one, so the sums
// are the same to the last bit. The communes'
// values (some 60 MB, before the pages render) are dropped once the
// parents are summed.
func (s *Source) sumParents() {
	// The communes' values first, generated on every core: the parents'
	// first pages (the samples of the chart defaults) wait for them.
	communes := s.ref.OfKind(geo.Commune)
	generated := make([]*agg, len(communes))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(communes); i += workers {
				generated[i] = commune(communes[i])
			}
		})
	}
	wg.Wait()
	values := make(map[*geo.Territory]*agg, len(communes))
	for i, c := range communes {
		values[c] = generated[i]
	}
	of := func(c *geo.Territory) *agg {
		a := values[c]
		if a == nil {
			a = commune(c)
			values[c] = a
		}
		return a
	}
	for _, t := range s.ref.All {
		switch t.Kind {
		case geo.EPCI, geo.ArrondissementDep, geo.Departement, geo.Collectivite, geo.Region, geo.France:
			s.aggs[t] = s.sum(t, of)
		}
	}
}

// communesOf lists the communes of a parent territory.
func (s *Source) communesOf(t *geo.Territory) []*geo.Territory {
	switch t.Kind {
	case geo.EPCI, geo.Departement, geo.Collectivite,
		geo.ArrondissementDep, geo.ZoneEmploi, geo.UniteUrbaine, geo.AireAttraction, geo.BassinVie:
		return t.Children
	case geo.Region:
		var cs []*geo.Territory
		for _, d := range t.Children {
			cs = append(cs, d.Children...)
		}
		return cs
	case geo.France:
		var cs []*geo.Territory
		for _, c := range s.ref.OfKind(geo.Commune) {
			if c.Departement.Kind == geo.Departement {
				cs = append(cs, c)
			}
		}
		return cs
	}
	return nil
}

// AppendFigures appends the figures of one territory to out (a commune has
// some 150, a parent some 190).
func (s *Source) AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := s.aggregate(t)
	if a.n == 0 || a.pop == 0 {
		return out, nil
	}
	id := t.ID()
	add := func(theme indicator.Theme, measure, dim string, period int, v float64, st indicator.Status, vintage string) {
		out = append(out, indicator.Figure{
			Territory: id, Theme: theme, Measure: measure, Dim: dim, Period: year(period),
			Value: v, Status: st, Source: SourceLabel, Vintage: vintage,
		})
	}
	present := indicator.Present
	rp := vintageRP
	for i, y := range censusYears {
		add(indicator.Population, indicator.PopHistorique, "", y, a.history[i], present, rp)
	}
	for _, k := range ageOrder {
		add(indicator.Population, indicator.PopAgeSexe, ageDims[k.sex][k.band], census, a.ages[k.sex][k.band], present, rp)
	}
	ec := vintageCivil
	for i, y := range civilYears {
		add(indicator.Population, indicator.Naissances, "", y, a.births[i], present, ec)
		add(indicator.Population, indicator.Deces, "", y, a.deaths[i], present, ec)
	}
	// Income: secrecy applies to small communes, never to their parents.
	local := t.Kind == geo.Commune || t.Kind == geo.Arrondissement
	status := func(minPop float64) indicator.Status {
		if local && a.pop < minPop {
			return indicator.Secret
		}
		return present
	}
	// round to a multiple of unit, dividing last so that 17.4 stays 17.4.
	round := func(x, unit float64) float64 {
		if unit < 1 {
			return math.Round(x/unit) / (1 / unit)
		}
		return math.Round(x/unit) * unit
	}
	fv := vintageFilosofi
	add(indicator.Revenus, indicator.RevenuMedian, "", filosofi, round(a.medianW/a.pop, 10), status(200), fv)
	add(indicator.Revenus, indicator.RevenuD1, "", filosofi, round(a.d1W/a.pop, 10), status(2000), fv)
	add(indicator.Revenus, indicator.RevenuD9, "", filosofi, round(a.d9W/a.pop, 10), status(2000), fv)
	add(indicator.Revenus, indicator.TauxPauvrete, "", filosofi, round(a.povertyW/a.pop, 0.1), status(2000), fv)
	add(indicator.Emploi, indicator.TauxActivite, "", census, round(a.activityW/a.pop, 0.1), present, rp)
	add(indicator.Emploi, indicator.TauxChomage, "", census, round(a.unemployW/a.pop, 0.1), present, rp)
	add(indicator.Emploi, indicator.EmploisLieu, "", census, a.jobs, present, rp)
	for i, dim := range inseeDims {
		add(indicator.Emploi, indicator.EtabInsee, dim, flores, a.estabInsee[i], present, vintageFlores)
	}
	lastYear := urssafYears[len(urssafYears)-1]
	uv := vintageUrssaf
	for i, y := range urssafYears {
		add(indicator.Emploi, indicator.EffectifsSal, "", y, a.salaried[i], present, uv)
		add(indicator.Emploi, indicator.EtabUrssaf, "", y, a.estabUrs[i], present, uv)
	}
	for i, dim := range gsDims {
		add(indicator.Emploi, indicator.EffectifsSal, dim, lastYear, a.salariedGS[i], present, uv)
	}
	a.th.figures(add)
	return s.withURSSAF(t, append(out, s.series(t, a)...)), nil // urssaf.go
}

// series returns the regional and national Urssaf series shown on région,
// département and France pages: quarterly jobs, payroll and hirings of a
// région (a département shows its région's) or France, auto-entrepreneurs
// of the territory, collective proceedings for France.
func (s *Source) series(t *geo.Territory, a *agg) []indicator.Figure {
	var out []indicator.Figure
	add := func(id, measure, dim, period string, v float64) {
		out = append(out, indicator.Figure{
			Territory: id, Theme: indicator.Emploi, Measure: measure, Dim: dim, Period: period,
			Value: v, Status: indicator.Present, Source: SourceLabel, Vintage: vintageQuarters,
		})
	}
	var owner *geo.Territory
	switch t.Kind {
	case geo.Region, geo.France:
		owner = t
	case geo.Departement:
		owner = t.Region
	default:
		return nil
	}
	oid, tid := owner.ID(), t.ID()
	oa := s.aggregate(owner)
	base := oa.salaried[len(oa.salaried)-1]
	r := rngFor("series " + oid)
	for i, q := range quarters {
		f := 1 + 0.003*float64(i-len(quarters)) + between(r, -0.004, 0.004)
		if q == "2020-T2" {
			f *= 0.96
		}
		jobs := math.Round(base * f)
		add(oid, indicator.EffSalTrim, "", q, jobs)
		add(oid, indicator.MasseSalTrim, "", q, math.Round(jobs*between(r, 8200, 8800)*(1+0.006*float64(i))))
		add(oid, indicator.DPAE, "", q, math.Round(jobs*between(r, 0.09, 0.12)))
	}
	r = rngFor("auto-entrepreneurs " + tid)
	for _, y := range yearRange(2015, 2024) {
		active := math.Round(a.pop * 0.03 * (1 + 0.06*float64(y-2024)) * between(r, 0.95, 1.05))
		p := year(y)
		add(tid, indicator.AEActifs, "", p, active)
		add(tid, indicator.AEImmat, "", p, math.Round(active*between(r, 0.25, 0.32)))
		add(tid, indicator.AERadiations, "", p, math.Round(active*between(r, 0.15, 0.22)))
	}
	if t.Kind == geo.France {
		r = rngFor("procedures collectives")
		base := map[string]float64{"LJ": 8000, "RJ": 3000, "SAUV": 350}
		for _, q := range quarters {
			for _, nature := range []string{"LJ", "RJ", "SAUV"} {
				v := base[nature]
				if q >= "2020-T2" && q <= "2021-T4" {
					v *= 0.6
				}
				add(tid, indicator.ProcCollectives, "NATURE="+nature, q, math.Round(v*between(r, 0.85, 1.2)))
			}
		}
	}
	return out
}
