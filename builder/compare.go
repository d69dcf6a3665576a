package builder

import (
	"territoires/geo"
	"territoires/indicator"
)

// The "Comparer avec…" control (assets/compare.js) draws a second
// territory on every chart of a page, from that territory's file of the
// static API (/api/commune/75056.json). Each chart tells it how, in the
// "compare" member of its option (charts.js takes it out before ECharts
// sees the option):
//
//	{"t":"t","s":[{"m":"POP_LEGALE"}]}            periods as categories: one more series per series
//	{"t":"c","s":[{"m":"REV_D1"},{"m":"REV_MEDIAN"}]} territories as categories: one more category
//	{"t":"d","s":[{"m":"EFF_SAL","ds":["GS=GS1",...]}]} breakdown as categories: one more series
//
// A series names its measure (m) and breakdown (d, or ds per category);
// q divides by another measure of the same period, f multiplies, n
// negates (men on the left of a pyramid); r says the series are those of
// the région of the territory (the quarterly series of a département's
// page).
type compareSpec struct {
	Mode   string          `json:"t"`
	Series []compareSeries `json:"s"`
	Region bool            `json:"r,omitempty"`
}

type compareSeries struct {
	Measure string   `json:"m"`
	Dim     string   `json:"d,omitempty"`
	Dims    []string `json:"ds,omitempty"`
	Per     string   `json:"q,omitempty"`
	Factor  float64  `json:"f,omitempty"`
	Negate  bool     `json:"n,omitempty"`
}

// timeCompare describes a time chart's lines.
func timeCompare(t *geo.Territory, lines []line) *compareSpec {
	c := &compareSpec{Mode: "t"}
	for _, l := range lines {
		if len(l.figs) == 0 {
			continue
		}
		f := l.figs[0]
		if f.Territory != t.ID() {
			c.Region = true
		}
		c.Series = append(c.Series, compareSeries{Measure: f.Measure, Dim: f.Dim, Factor: l.factor})
	}
	return c
}

// dimCompare describes a chart of a breakdown: one series per list of
// figures, each figure a category.
func dimCompare(negate []bool, series ...[]indicator.Figure) *compareSpec {
	c := &compareSpec{Mode: "d"}
	for i, figs := range series {
		s := compareSeries{Negate: i < len(negate) && negate[i]}
		for _, f := range figs {
			s.Measure = f.Measure
			s.Dims = append(s.Dims, f.Dim)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// categoryCompare describes a chart of the territory and its parents, one
// series per measure.
func categoryCompare(measures []struct{ measure, name string }) *compareSpec {
	c := &compareSpec{Mode: "c"}
	for _, m := range measures {
		c.Series = append(c.Series, compareSeries{Measure: m.measure})
	}
	return c
}

// jobsCompare describes the chart of jobs per 100 inhabitants.
func jobsCompare() *compareSpec {
	return &compareSpec{Mode: "c", Series: []compareSeries{{Measure: indicator.EmploisLieu, Per: indicator.PopHistorique, Factor: 100}}}
}

// pyramidCompare describes the age pyramid: men (negated, on the left)
// then women, one category per age band.
func pyramidCompare(figs []indicator.Figure, bands []string) *compareSpec {
	c := &compareSpec{Mode: "d", Series: []compareSeries{
		{Measure: indicator.PopAgeSexe, Dims: make([]string, len(bands)), Negate: true},
		{Measure: indicator.PopAgeSexe, Dims: make([]string, len(bands))},
	}}
	for i, band := range bands {
		for _, f := range figs {
			if dimValue(f.Dim, "AGE") != band {
				continue
			}
			s := 0
			if dimValue(f.Dim, "SEX") == "F" {
				s = 1
			}
			c.Series[s].Dims[i] = f.Dim
		}
	}
	return c
}
