package builder

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"territoires/indicator"
)

// The themes of issue 12 (tourism, business creations, housing, diplomas
// and households; one file each) and the helpers they share: a breakdown
// compared with the parents as shares, and a count per inhabitant compared
// with the parents.

// themeBuilder builds one section of a dashboard from its charts (the
// closure of dashboard.themes).
type themeBuilder func(id, title, empty string, specs ...func() (*chartView, error)) themeView

// moreThemes are the sections of issue 12, after Population, Revenus and
// Emploi.
func (d *dashboard) moreThemes(build themeBuilder) []themeView {
	return []themeView{
		build("entreprises", "Créations d'entreprises", "Les créations d'entreprises ne sont pas publiées pour ce territoire.",
			d.creations, d.creationsBySector, d.creationsPerInhabitant),
		build("logement", "Logement", "Les données de logement ne sont pas publiées pour ce territoire.",
			d.sharesOf(dwellingCategoriesSpec), d.sharesOf(dwellingTypesSpec), d.sharesOf(dwellingTenureSpec)),
		build("tourisme", "Tourisme", "L'offre d'hébergement touristique n'est pas publiée pour ce territoire.",
			d.accommodation, d.hotelsByStars, d.campsitesByStars, d.touristBedsPerInhabitant),
		build("menages", "Diplômes et ménages", "Les diplômes et les ménages ne sont pas publiés pour ce territoire.",
			d.sharesOf(diplomasSpec), d.sharesOf(householdSizesSpec), d.sharesOf(familiesSpec)),
	}
}

// figureAt returns the figure of a measure, breakdown and period.
func (fs figureSet) figureAt(measure, dim, period string) (indicator.Figure, bool) {
	for _, f := range fs.series(measure, dim, "") {
		if f.Period == period {
			return f, true
		}
	}
	return indicator.Figure{}, false
}

// sharePart is one part of a breakdown: its code in Figure.Dim and its name.
type sharePart struct{ dim, name string }

// shareSpec describes a breakdown shown as shares of a whole, for the
// territory and its parents.
type shareSpec struct {
	id, title, label string
	measure          string
	base             string // Dim of the whole: "" for the total
	baseName         string // column of the whole in the table: "Logements"
	parts            []sharePart
	rest             string // name of what the parts leave of the whole, "" when they make it up
	notes            []string

	// Made once by newShareSpec, for all pages:
	names   []string     // of the series: the parts', then rest
	head    []string     // of the table
	compare *compareSpec // of the chart
}

// newShareSpec completes a shareSpec with what follows from it. A chart's
// spec is a package variable: its names, table head and compare
// description are then made once rather than on each of 70,000 pages.
func newShareSpec(s shareSpec) *shareSpec {
	for _, p := range s.parts {
		s.names = append(s.names, p.name)
	}
	if s.rest != "" {
		s.names = append(s.names, s.rest)
	}
	s.head = append([]string{"Territoire", s.baseName}, s.names...)
	s.compare = sharesCompare(s)
	return &s
}

// roundShares rounds shares (percent) to one decimal so that they add up
// to exactly 100 (largest remainders): a stacked bar ends at 100. It
// writes them to out, of the same length, and overwrites shares.
func roundShares(out, shares []float64) {
	left := 1000
	for i, s := range shares {
		out[i] = math.Floor(s * 10)
		left -= int(out[i])
	}
	for ; left > 0; left-- {
		best := -1
		for i, s := range shares {
			if best < 0 || s*10-out[i] > shares[best]*10-out[best] {
				best = i
			}
		}
		out[best]++
		shares[best] = -1 // taken once
	}
	for i := range out {
		out[i] /= 10
	}
}

// shares makes a stacked horizontal bar chart of a breakdown, in percent of
// the whole, for the territory (on top) and its parents. The table gives
// the whole and each share; a part that is secret or not published is said
// so and leaves its territory without a bar.
func (d *dashboard) shares(s *shareSpec) (*chartView, error) {
	own, ok := latestOf(d.fs, s.measure, s.base)
	if !ok {
		return nil, nil
	}
	period := own.Period
	names, n := s.names, len(d.cmp)
	tbl := tableView{Head: s.head[:len(s.head):len(s.head)], Rows: make([]rowView, 0, n)}
	// The chart's values, by part then territory, the territory on top (a
	// category axis runs from the bottom up): pointers into one array.
	vals := make([][]*float64, len(names))
	ptrs := make([]*float64, len(names)*n)
	shares := make([]float64, len(names)*n)
	for j := range vals {
		vals[j] = ptrs[j*n : (j+1)*n : (j+1)*n]
	}
	w := 1 + len(names)
	cells := make([]string, n*w)
	var all []indicator.Figure
	var notes []string
	drawn, secret := false, false
	for i, c := range d.cmp {
		row := rowView{Head: c.t.Name, Cells: cells[i*w : (i+1)*w : (i+1)*w]}
		// A parent's row is the same on all its children's pages: made once.
		r := memoRow(c.fs, rowKey{s, period}, func() shareRow { return s.row(c.fs, period) })
		if i == 0 {
			secret = r.secret
		}
		copy(row.Cells, r.cells)
		all = withSource(all, r.sources...)
		if r.shares != nil {
			rounded := shares[i*len(names) : (i+1)*len(names)]
			copy(rounded, r.shares)
			for j := range rounded {
				vals[j][n-1-i] = &rounded[j]
			}
			drawn = true
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	if !drawn {
		return nil, nil
	}
	if secret {
		notes = append(notes, fmt.Sprintf("%s : valeurs manquantes, %s.", d.t.Name, secretNote))
	}
	cats := make([]string, n)
	for i, c := range d.cmp {
		cats[n-1-i] = c.t.Name
	}
	spec := chartSpec{id: s.id, kind: "hbar", categories: cats, unit: "%", decimals: 1, percent: true, compare: s.compare,
		series: make([]chartSeries, len(names))}
	for j, name := range names {
		spec.series[j] = chartSeries{Name: name, Values: vals[j], Stack: "total"}
	}
	return d.chart(spec, s.title+" en "+period, s.label+", comparée aux territoires parents", all, append(notes, s.notes...), tbl)
}

// perInhabitantKey names the rows of a chart per inhabitant in a rowMemo.
type perInhabitantKey struct{ id string }

// perInhabitantRow is the row of a territory in a chart per inhabitant.
type perInhabitantRow struct {
	cells   []string // the count, the population, the ratio
	ratio   *float64 // as the chart shows it; nil: none
	sources []indicator.Figure
}

// shareRow is the row of a territory in a share chart.
type shareRow struct {
	cells   []string           // the whole, then each part's share
	shares  []float64          // rounded, of each part; nil: no bar
	sources []indicator.Figure // those the row shows, one of each source and vintage
	secret  bool               // the whole or a part is secret
}

// row makes the row of a territory, given its figures, for period.
func (s *shareSpec) row(fs figureSet, period string) shareRow {
	r := shareRow{cells: make([]string, 1+len(s.names))}
	for j := range r.cells {
		r.cells[j] = "–"
	}
	whole, ok := fs.figureAt(s.measure, s.base, period)
	if ok {
		r.sources = withSource(r.sources, whole)
		r.cells[0] = cell(whole, 0, "")
		r.secret = whole.Status == indicator.Secret
	}
	counts := make([]float64, len(s.names))
	complete := ok && whole.Status == indicator.Present && whole.Value > 0
	sum := 0.0
	for j, p := range s.parts {
		f, ok := fs.figureAt(s.measure, p.dim, period)
		switch {
		case !ok:
			complete = false
		case f.Status != indicator.Present:
			r.sources = withSource(r.sources, f)
			r.cells[1+j] = cell(f, 0, "")
			complete = false
			r.secret = r.secret || f.Status == indicator.Secret
		default:
			r.sources = withSource(r.sources, f)
			counts[j] = f.Value
			sum += f.Value
		}
	}
	if complete && s.rest != "" {
		counts[len(counts)-1] = math.Max(0, whole.Value-sum)
		sum = math.Max(sum, whole.Value)
	}
	if complete && sum > 0 {
		raw := make([]float64, len(counts))
		for j, v := range counts {
			raw[j] = v / sum * 100
		}
		r.shares = make([]float64, len(counts))
		roundShares(r.shares, raw)
		for j, v := range r.shares {
			r.cells[1+j] = formatPercent(v)
		}
	}
	return r
}

// sharesOf is the builder of the share chart of s.
func (d *dashboard) sharesOf(s *shareSpec) func() (*chartView, error) {
	return func() (*chartView, error) { return d.shares(s) }
}

// latestOf returns the most recent figure of a measure and breakdown.
func latestOf(fs figureSet, measure, dim string) (indicator.Figure, bool) {
	s := fs.series(measure, dim, "")
	if len(s) == 0 {
		return indicator.Figure{}, false
	}
	return s[len(s)-1], true
}

// perInhabitant compares a count with the legal population of the
// territory and of its parents: "lits pour 100 habitants". count returns
// the count of a territory, the figures it comes from, and false when it
// cannot be given (missing, secret or not published: the reason in text).
//
// count gives the same for the same figures and period: a parent's row is
// made once for the pages of its children showing that period.
func (d *dashboard) perInhabitant(id, period, title, label, what string, per float64, ratioName string, notes []string,
	count func(fs figureSet) (v float64, text string, figs []indicator.Figure, ok bool)) (*chartView, error) {
	n := len(d.cmp)
	tbl := tableView{Head: []string{"Territoire", what, "Habitants", ratioName}, Rows: make([]rowView, n)}
	vals := make([]*float64, n)
	cats := make([]string, n)
	cells := make([]string, 3*n)
	var all []indicator.Figure
	popYear := 0
	row := func(c compared) perInhabitantRow {
		r := perInhabitantRow{cells: []string{"–", "–", "–"}}
		v, text, figs, ok := count(c.fs)
		r.sources = withSource(nil, figs...)
		if text != "" {
			r.cells[0] = text
		}
		if p, has := c.t.LatestPopulation(); has && p.Value > 0 {
			r.cells[1] = formatInt(p.Value)
			if ok {
				x := v / float64(p.Value) * per
				r.ratio = shown(x, 1)
				r.cells[2] = formatDecimal(x, 1)
			}
		}
		return r
	}
	for i, c := range d.cmp {
		cats[i] = c.t.Name
		// A parent's row is the same on all its children's pages: made once.
		r := memoRow(c.fs, rowKey{perInhabitantKey{id}, period}, func() perInhabitantRow { return row(c) })
		if i == 0 {
			if p, has := c.t.LatestPopulation(); has && p.Value > 0 {
				popYear = p.Year
			}
		}
		tbl.Rows[i] = rowView{Head: c.t.Name, Cells: cells[3*i : 3*i+3 : 3*i+3]}
		copy(tbl.Rows[i].Cells, r.cells)
		all = withSource(all, r.sources...)
		if r.ratio != nil {
			vals[i] = ptr(*r.ratio)
		}
	}
	if !slices.ContainsFunc(vals, func(v *float64) bool { return v != nil }) {
		return nil, nil
	}
	if vals[0] == nil && tbl.Rows[0].Cells[0] == secretNote {
		notes = append(slices.Clone(notes), fmt.Sprintf("%s, %s : %s.", d.t.Name, lowerFirst(what), secretNote))
	}
	spec := chartSpec{id: id, kind: "bar", categories: cats, zero: true, decimals: 1,
		series: []chartSeries{{Name: ratioName, Values: vals}}, compare: perInhabitantCompare(id, per)}
	c, err := d.chart(spec, title, label, all, notes, tbl)
	if c != nil {
		c.Source = strings.TrimSuffix(c.Source, ".") + fmt.Sprintf(" ; habitants : Insee, population légale %d.", popYear)
	}
	return c, err
}
