package builder

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"territoires/geo"
	"territoires/indicator"
)

// Source is what the builder asks of a data source: the figures of one
// territory, and whether they are illustrative (synthetic) rather than
// official. The offline source and the API sources both satisfy it.
type Source interface {
	Figures(ctx context.Context, t *geo.Territory) ([]indicator.Figure, error)
	Illustrative() bool
}

// figureSet holds the figures of one territory, in the source's order and
// indexed by measure.
type figureSet struct {
	all       []indicator.Figure
	byMeasure map[string][]indicator.Figure
}

func newFigureSet(figs []indicator.Figure) figureSet {
	// One array, sorted by measure (in the order measures first appear,
	// so that downloads keep the source's grouping), then territory,
	// breakdown and period; byMeasure holds sub-slices of it. The figures
	// are held once: the parents' sets stay cached for the whole build.
	first := map[string]int{}
	for _, f := range figs {
		if _, ok := first[f.Measure]; !ok {
			first[f.Measure] = len(first)
		}
	}
	slices.SortStableFunc(figs, func(a, b indicator.Figure) int {
		return cmp.Or(first[a.Measure]-first[b.Measure], strings.Compare(a.Territory, b.Territory),
			strings.Compare(a.Dim, b.Dim), comparePeriods(a.Period, b.Period))
	})
	fs := figureSet{all: figs, byMeasure: make(map[string][]indicator.Figure, len(first))}
	for i := 0; i < len(figs); {
		j := i + 1
		for j < len(figs) && figs[j].Measure == figs[i].Measure {
			j++
		}
		fs.byMeasure[figs[i].Measure] = figs[i:j:j]
		i = j
	}
	return fs
}

// comparePeriods orders "2019" < "2020" and "2020-T4" < "2021-T1"; years
// come before quarters.
func comparePeriods(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// series returns the figures of a measure and breakdown, oldest first.
// owner, when not empty, keeps only the figures of that territory ID
// (a département's page also holds its région's quarterly series). The
// figures are sorted by territory, breakdown and period, so the result is
// usually a part of the index, returned without copying: callers must not
// modify it.
func (fs figureSet) series(measure, dim, owner string) []indicator.Figure {
	list := fs.byMeasure[measure]
	match := func(f indicator.Figure) bool { return f.Dim == dim && (owner == "" || f.Territory == owner) }
	start := slices.IndexFunc(list, match)
	if start < 0 {
		return nil
	}
	end := start
	for end < len(list) && match(list[end]) {
		end++
	}
	if !slices.ContainsFunc(list[end:], match) {
		return list[start:end:end]
	}
	var out []indicator.Figure
	for _, f := range list[start:] {
		if match(f) {
			out = append(out, f)
		}
	}
	return out
}

// latest returns the most recent figure of a measure's total.
func (fs figureSet) latest(measure string) (indicator.Figure, bool) {
	s := fs.series(measure, "", "")
	if len(s) == 0 {
		return indicator.Figure{}, false
	}
	return s[len(s)-1], true
}

// breakdown returns the figures of a measure broken down (Dim not empty)
// for the latest period that has any.
func (fs figureSet) breakdown(measure string) []indicator.Figure {
	var last string
	for _, f := range fs.byMeasure[measure] {
		if f.Dim != "" && comparePeriods(f.Period, last) > 0 {
			last = f.Period
		}
	}
	var out []indicator.Figure
	for _, f := range fs.byMeasure[measure] {
		if f.Dim != "" && f.Period == last {
			out = append(out, f)
		}
	}
	return out
}

// figureCache memoises the figures of the territories that many pages
// compare with (EPCI, départements, régions, France); communes are asked
// once, for their own page.
type figureCache struct {
	src Source
	mu  sync.Mutex
	m   map[*geo.Territory]*cachedFigures
}

type cachedFigures struct {
	once sync.Once
	fs   figureSet
	err  error
}

func newFigureCache(src Source) *figureCache {
	return &figureCache{src: src, m: map[*geo.Territory]*cachedFigures{}}
}

func (c *figureCache) get(ctx context.Context, t *geo.Territory) (figureSet, error) {
	if t.Kind == geo.Commune || t.Kind == geo.Arrondissement {
		figs, err := c.src.Figures(ctx, t)
		return newFigureSet(figs), err
	}
	c.mu.Lock()
	e, ok := c.m[t]
	if !ok {
		e = &cachedFigures{}
		c.m[t] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		figs, err := c.src.Figures(ctx, t)
		e.fs, e.err = newFigureSet(figs), err
	})
	return e.fs, e.err
}
