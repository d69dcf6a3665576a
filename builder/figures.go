package builder

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"

	"territoires/geo"
	"territoires/indicator"
)

// Source is what the builder asks of a data source: the figures of one
// territory, and whether they are illustrative (synthetic) rather than
// official. The offline source and the API sources both satisfy it.
//
// AppendFigures appends the figures of one territory to out: a build reads
// some 70,000 territories' figures, most of them into slices it reuses. It
// is a source's one way to give figures, so that a source wrapping another
// (a test's) cannot change them on one path and not on the other.
type Source interface {
	AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error)
	Illustrative() bool
}

// figureSet holds the figures of one territory, in the source's order and
// indexed by measure.
type figureSet struct {
	all       []indicator.Figure
	byMeasure map[string][]indicator.Figure
	single    bool // all of one territory (a commune's): a measure's figures are sorted by breakdown
	// rows, in a memoised set (figureCache: a parent's), keeps the rows
	// that charts derive from it, for its own page and its children's (a
	// share chart's row is the same on the pages of 400 communes); nil
	// elsewhere: a commune's rows are made for its page alone.
	rows *rowMemo
}

// rowMemo holds the rows a parent's set gives to its children's charts.
type rowMemo struct {
	mu sync.Mutex
	of map[rowKey]any
}

// rowKey names a chart's row: the chart's spec and the period shown.
type rowKey struct {
	spec   any
	period string
}

// memoRow returns the row of fs for key, made by make the first time;
// without a memo, make every time.
func memoRow[T any](fs figureSet, key rowKey, make func() T) T {
	m := fs.rows
	if m == nil {
		return make()
	}
	m.mu.Lock()
	v, ok := m.of[key]
	m.mu.Unlock()
	if ok {
		return v.(T)
	}
	r := make() // two pages may make it at once: they make the same
	m.mu.Lock()
	if m.of == nil {
		m.of = map[rowKey]any{}
	}
	m.of[key] = r
	m.mu.Unlock()
	return r
}

func newFigureSet(figs []indicator.Figure) figureSet {
	// One array, grouped by measure (in the order measures first appear,
	// so that downloads keep the source's grouping), each group sorted by
	// territory, breakdown and period; byMeasure holds sub-slices of it.
	// The figures are held once: the parents' sets stay cached while pages
	// compare with them.
	first := map[string]int{}
	var count []int
	grouped := true
	for i, f := range figs {
		r, seen := first[f.Measure]
		if !seen {
			r = len(first)
			first[f.Measure] = r
			count = append(count, 0)
		}
		count[r]++
		grouped = grouped && (!seen || figs[i-1].Measure == f.Measure)
	}
	if !grouped { // a stable counting sort by measure, through a pooled copy
		at := make([]int, len(count))
		for r := 1; r < len(count); r++ {
			at[r] = at[r-1] + count[r-1]
		}
		scratch := figureBufs.Get().(*[]indicator.Figure)
		*scratch = append((*scratch)[:0], figs...)
		for _, f := range *scratch {
			r := first[f.Measure]
			figs[at[r]] = f
			at[r]++
		}
		putFigures(scratch)
	}
	order := func(a, b indicator.Figure) int {
		return cmp.Or(strings.Compare(a.Territory, b.Territory),
			strings.Compare(a.Dim, b.Dim), comparePeriods(a.Period, b.Period))
	}
	fs := figureSet{all: figs, byMeasure: make(map[string][]indicator.Figure, len(first)), single: true}
	for _, f := range figs {
		fs.single = fs.single && f.Territory == figs[0].Territory
	}
	for i := 0; i < len(figs); {
		j := i + 1
		for j < len(figs) && figs[j].Measure == figs[i].Measure {
			j++
		}
		group := figs[i:j:j]
		if !slices.IsSortedFunc(group, order) {
			slices.SortStableFunc(group, order)
		}
		fs.byMeasure[figs[i].Measure] = group
		i = j
	}
	return fs
}

// figureBufs holds the slices of figures that live for a moment: a
// commune's figures (some 150, 20 KB) while its page renders, those the
// statistics pre-pass reads, the copy a counting sort goes through.
var figureBufs = sync.Pool{New: func() any { return new([]indicator.Figure) }}

// putFigures returns a slice to figureBufs, cleared so that the pool holds
// no strings.
func putFigures(p *[]indicator.Figure) {
	clear(*p)
	*p = (*p)[:0]
	figureBufs.Put(p)
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
	// A measure's figures run territory by territory (one run in a
	// commune's set), each run sorted by breakdown: a page asks this some
	// 200 times, so each run is searched, not scanned.
	var found []indicator.Figure
	copied := false
	for i := 0; i < len(list); {
		t := list[i].Territory
		end := len(list)
		if !fs.single {
			end = i + sort.Search(len(list)-i, func(k int) bool { return list[i+k].Territory != t })
		}
		run := list[i:end]
		i = end
		if owner != "" && t != owner {
			continue
		}
		start, ok := slices.BinarySearchFunc(run, dim, func(f indicator.Figure, dim string) int { return strings.Compare(f.Dim, dim) })
		if !ok {
			continue
		}
		stop := start + 1
		for stop < len(run) && run[stop].Dim == dim {
			stop++
		}
		switch {
		case found == nil:
			found = run[start:stop:stop]
		case !copied:
			found = append(slices.Clip(slices.Clone(found)), run[start:stop]...)
			copied = true
		default:
			found = append(found, run[start:stop]...)
		}
	}
	return found
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
	n := 0
	for _, f := range fs.byMeasure[measure] {
		switch {
		case f.Dim == "":
		case comparePeriods(f.Period, last) > 0:
			last, n = f.Period, 1
		case f.Period == last:
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]indicator.Figure, 0, n) // counted first: 20 to 40 figures of 136 bytes
	for _, f := range fs.byMeasure[measure] {
		if f.Dim != "" && f.Period == last {
			out = append(out, f)
		}
	}
	return out
}

// figureCache memoises the figures of the territories that many pages
// compare with (EPCI, départements, régions, France); communes are asked
// once, for their own page. A build plans its pages first: a set is then
// dropped once the last page that compares with it is done, so that the
// cache holds the parents of the pages in progress, not of the whole
// country (the live heap is what a build's garbage collection scans).
type figureCache struct {
	src Source
	mu  sync.Mutex
	m   map[*geo.Territory]*cachedFigures
}

type cachedFigures struct {
	once sync.Once
	fs   figureSet
	err  error
	uses int // pages still to render that compare with it; 0: unplanned, kept
}

func newFigureCache(src Source) *figureCache {
	return &figureCache{src: src, m: map[*geo.Territory]*cachedFigures{}}
}

// cached tells whether a territory's figures are memoised: communes and
// municipal arrondissements are asked for once, by their own page.
func cached(t *geo.Territory) bool { return t.Kind != geo.Commune && t.Kind != geo.Arrondissement }

// comparedWith returns the territories a page shows figures of: itself, then
// its parents.
func comparedWith(t *geo.Territory) []*geo.Territory {
	return append([]*geo.Territory{t}, t.Parents()...)
}

// plan counts, for each memoised territory, the pages that will ask for
// it, so that done can drop it after the last one.
func (c *figureCache) plan(pages []*geo.Territory) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range pages {
		for _, x := range comparedWith(p) {
			if !cached(x) {
				continue
			}
			e := c.m[x]
			if e == nil {
				e = &cachedFigures{}
				c.m[x] = e
			}
			e.uses++
		}
	}
}

// release hands back the figures get read for t, once its page is
// rendered; a memoised territory's figures stay with the cache.
func (c *figureCache) release(t *geo.Territory, figs []indicator.Figure) {
	if !cached(t) {
		putFigures(&figs)
	}
}

// done records that the page of t no longer needs the figures it compared.
func (c *figureCache) done(t *geo.Territory) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range comparedWith(t) {
		if e := c.m[x]; e != nil && e.uses > 0 {
			if e.uses--; e.uses == 0 {
				delete(c.m, x)
			}
		}
	}
}

// fresh returns a territory's figures without memoising them.
func (c *figureCache) fresh(ctx context.Context, t *geo.Territory) (figureSet, error) {
	figs, err := c.src.AppendFigures(ctx, nil, t)
	fs := newFigureSet(figs)
	fs.rows = &rowMemo{}
	return fs, err
}

// get returns a territory's figures. Those of a territory that is not
// memoised are read into a pooled slice, which its page hands back with
// release once rendered: nothing a page keeps points into it (charts,
// tables and downloads copy the values they show).
func (c *figureCache) get(ctx context.Context, t *geo.Territory) (figureSet, error) {
	if !cached(t) {
		buf := figureBufs.Get().(*[]indicator.Figure)
		figs, err := c.src.AppendFigures(ctx, (*buf)[:0], t)
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
		e.fs, e.err = c.fresh(ctx, t)
	})
	return e.fs, e.err
}

// renderOrder returns the pages in the order they are rendered: région by
// région, département by département, the communes of an EPCI together
// and followed by its page, each département's page after its communes,
// each région's after its départements, then France and the study zones.
// A parent's figures are then needed for a short stretch of the build and
// dropped after it (figureCache.done). The order changes no output.
func renderOrder(terrs []*geo.Territory) []*geo.Territory {
	const last = "\uffff"
	code := func(t *geo.Territory) string {
		if t == nil {
			return last
		}
		return t.Code
	}
	type key struct {
		region, dep, epci string
		rank              int
		t                 *geo.Territory
	}
	keys := make([]key, len(terrs))
	for i, t := range terrs {
		k := key{region: code(t.Region), dep: code(t.Departement), epci: code(t.EPCI), t: t}
		switch t.Kind {
		case geo.Commune, geo.Arrondissement:
			k.rank = 0
		case geo.EPCI:
			k.epci, k.rank = t.Code, 1
		case geo.Departement, geo.Collectivite:
			k.dep, k.epci, k.rank = t.Code, last, 3
		case geo.Region:
			k.region, k.dep, k.epci, k.rank = t.Code, last, last, 4
		case geo.France:
			k.region, k.dep, k.epci, k.rank = last, last, last, 5
		default: // arrondissements départementaux, study zones
			k.epci, k.rank = last, 2
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.region, b.region), strings.Compare(a.dep, b.dep),
			strings.Compare(a.epci, b.epci), cmp.Compare(a.rank, b.rank))
	})
	out := make([]*geo.Territory, len(keys))
	for i, k := range keys {
		out[i] = k.t
	}
	return out
}
