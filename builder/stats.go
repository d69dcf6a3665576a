package builder

import (
	"cmp"
	"context"
	"math"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// The statistics pre-pass: before the pages are rendered, the few figures
// that pages rank (ranks.go) and that parents list in their tables of
// children (children.go) are read once for every territory of the build
// and kept in compact arrays, a row of statCols float64 per territory
// (about 100 bytes): the whole country holds in 4 MB, while the figures
// themselves are read again, one territory at a time, when its page is
// rendered.

// statCol is a column of the pre-pass.
type statCol int

const (
	colPop       statCol = iota // legal population, latest year (referential)
	colPopChange                // change of the legal population, first to latest year, percent
	colPopHist                  // census population, latest census
	colBirths                   // births, latest year
	colIncome                   // median disposable income per consumption unit, euros
	colPoverty                  // poverty rate, percent
	colActivity                 // activity rate of the 15-64, percent
	colUnemp                    // unemployment rate of the 15-64, percent
	colJobs100                  // jobs at the place of work per 100 inhabitants
	colSalaried                 // private-sector salaried jobs, latest year
	colAE                       // economically active auto-entrepreneurs, latest year
	colDwellings                // dwellings, latest census
	statCols
)

// statColumn says where a column's values come from and how they read.
type statColumn struct {
	measure  string // "" for the columns computed from the referential
	decimals int    // values are rounded so: equal as shown, equal in rank
	unit     string // after the number, in tables and ranks
}

var statColumns = [statCols]statColumn{
	colPop:       {decimals: 0},
	colPopChange: {decimals: 1, unit: "%"},
	colPopHist:   {measure: indicator.PopHistorique},
	colBirths:    {measure: indicator.Naissances},
	colIncome:    {measure: indicator.RevenuMedian, unit: "€"},
	colPoverty:   {measure: indicator.TauxPauvrete, decimals: 1, unit: "%"},
	colActivity:  {measure: indicator.TauxActivite, decimals: 1, unit: "%"},
	colUnemp:     {measure: indicator.TauxChomage, decimals: 1, unit: "%"},
	colJobs100:   {decimals: 1},
	colSalaried:  {measure: indicator.EffectifsSal},
	colAE:        {measure: indicator.AEActifs},
	colDwellings: {measure: indicator.Logements},
}

// statRow is one territory's values; NaN when missing. secret has bit c
// set when column c is withheld (statistical secrecy) rather than absent.
type statRow struct {
	v      [statCols]float64
	secret uint16
}

func (r *statRow) has(c statCol) bool { return !math.IsNaN(r.v[c]) }

// siteStats holds the rows of every territory of the build, the periods of
// the columns and the ranks (ranks.go).
type siteStats struct {
	row    map[*geo.Territory]int32
	rows   []statRow
	period [statCols]string // period of the values, from the first territory that has one
	first  int              // years of the population change
	last   int
	ranks  rankTable
}

// rowOf returns the row of a territory, nil when it is not in the build.
func (s *siteStats) rowOf(t *geo.Territory) *statRow {
	if s == nil {
		return nil
	}
	i, ok := s.row[t]
	if !ok {
		return nil
	}
	return &s.rows[i]
}

// computeStats runs the pre-pass over the territories of the build with a
// bounded pool of workers, then ranks the territories among their peers
// (those of the referential, and the study zones of zones, which may be
// nil).
func computeStats(ctx context.Context, ref *geo.Referential, zones *geo.Zonings, terrs []*geo.Territory, figs *figureCache, workers int) (*siteStats, error) {
	s := &siteStats{row: make(map[*geo.Territory]int32, len(terrs)), rows: make([]statRow, len(terrs))}
	for i, t := range terrs {
		s.row[t] = int32(i)
	}
	if n := len(ref.PopYears); n > 0 {
		s.first, s.last = ref.PopYears[0], ref.PopYears[n-1]
	}
	periods := make([][statCols]string, len(terrs))
	err := inOrder(ctx, workers, len(terrs), func(ctx context.Context, i int) error {
		buf := figureBufs.Get().(*[]indicator.Figure)
		defer putFigures(buf)
		fs, err := figs.src.AppendFigures(ctx, (*buf)[:0], terrs[i])
		if err != nil {
			return err
		}
		*buf = fs
		s.rows[i], periods[i] = statsOf(terrs[i], fs, s.first, s.last) // keeps no reference to fs
		return nil
	})
	if err != nil {
		return nil, err
	}
	for c := range statCols {
		for i := range periods {
			if p := periods[i][c]; p != "" {
				s.period[c] = p
				break
			}
		}
	}
	s.period[colPop] = strconv.Itoa(s.last)
	s.ranks = rankAll(ref, zones, terrs, s)
	return s, ctx.Err()
}

// lastOf returns the figure a figureSet's series(measure, "", owner) ends
// with: the latest total of the measure (of owner, when not empty), the
// last territory first when owner is empty. The pre-pass reads a dozen
// figures of each territory: it scans them rather than index them.
func lastOf(figs []indicator.Figure, measure, owner string) (indicator.Figure, bool) {
	var last indicator.Figure
	found := false
	for _, f := range figs {
		if f.Measure != measure || f.Dim != "" || owner != "" && f.Territory != owner {
			continue
		}
		if !found || cmp.Or(strings.Compare(f.Territory, last.Territory), comparePeriods(f.Period, last.Period)) >= 0 {
			last, found = f, true
		}
	}
	return last, found
}

// statsOf reads a territory's row from its figures.
func statsOf(t *geo.Territory, figs []indicator.Figure, first, last int) (statRow, [statCols]string) {
	var r statRow
	var periods [statCols]string
	for c := range r.v {
		r.v[c] = math.NaN()
	}
	var pops [2]int
	var found [2]bool
	for _, p := range t.Population {
		switch p.Year {
		case first:
			pops[0], found[0] = p.Value, true
		case last:
			pops[1], found[1] = p.Value, true
		}
	}
	if found[1] {
		r.v[colPop] = float64(pops[1])
	}
	if found[0] && found[1] && pops[0] > 0 && first != last {
		r.v[colPopChange] = round(float64(pops[1]-pops[0])/float64(pops[0])*100, 1)
	}
	set := func(c statCol, f indicator.Figure) {
		periods[c] = f.Period
		switch f.Status {
		case indicator.Present:
			r.v[c] = round(f.Value, statColumns[c].decimals)
		case indicator.Secret:
			r.secret |= 1 << c
		}
	}
	id := t.ID()
	for c, col := range statColumns {
		if col.measure == "" {
			continue
		}
		if f, ok := lastOf(figs, col.measure, id); ok {
			set(statCol(c), f)
		}
	}
	// Jobs per 100 inhabitants, as the "emplois" chart computes them.
	if jobs, ok := lastOf(figs, indicator.EmploisLieu, ""); ok && jobs.Territory == id {
		for _, p := range figs {
			if p.Measure != indicator.PopHistorique || p.Dim != "" || p.Territory != id || p.Period != jobs.Period {
				continue
			}
			periods[colJobs100] = jobs.Period
			if jobs.Status == indicator.Present && p.Status == indicator.Present && p.Value > 0 {
				r.v[colJobs100] = round(jobs.Value/p.Value*100, 1)
			} else if jobs.Status == indicator.Secret || p.Status == indicator.Secret {
				r.secret |= 1 << colJobs100
			}
		}
	}
	return r, periods
}

// round rounds x to the given number of decimals, as it is shown: two
// values that read the same share a rank.
func round(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}
