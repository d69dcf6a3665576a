package builder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"territoires/indicator"
)

// chartView is one chart of a dashboard: its title, source and vintage, the
// ECharts option as JSON (read by assets/charts.js), and the same figures as
// an HTML table that reads without JavaScript.
type chartView struct {
	ID           string // stable anchor and embed name: "revenus"
	Title        string
	Source       string // "Source : Insee, Filosofi 2021." (the geography: once a page)
	Notes        []string
	Label        string // accessible description of the chart
	Unit         string // for the client's number formatting
	Decimals     int
	Options      template.JS // JSON, HTML-safe
	Table        tableView
	Illustrative bool
	cmp          *chartSpec    // its spec, for how a second territory joins it (compare.go)
	def          *chartDefault // what charts.js knows of the chart (chartdefaults.go)
	place        string        // the territory's name, in def.Label
}

// tableView is the data of a chart as a table; the figure's title names it.
type tableView struct {
	Head []string // column headers, the first for the row headers
	Rows []rowView
}

type rowView struct {
	Head  string
	Cells []string
}

// missing is how ECharts is told a value is absent: no bar, no point.
const missing = "-"

// chartSeries is one named series of values aligned with the categories;
// nil values are missing (secret or not published).
type chartSeries struct {
	Name   string
	Values []*float64
	Stack  string
	Right  bool // drawn against a second value axis, on the right
}

// chartSpec describes a chart independently of the ECharts option types.
type chartSpec struct {
	id         string
	kind       string // "line", "bar", "hbar" (horizontal bars)
	categories []string
	series     []chartSeries
	unit       string
	decimals   int
	percent    bool         // the value axis starts at zero and reads in %
	zero       bool         // the value axis starts at zero
	level      bool         // a line of levels: the axis leaves zero where zero flattens it
	compare    *compareSpec // how compare.js adds a territory (compare.go)
}

// levelMeasures are the measures whose lines are levels (stocks), drawn
// on an axis that leaves zero when zero would flatten them: Lyon's 513,000
// to 520,000 inhabitants is a line, not a flat ridge at the top.
var levelMeasures = map[string]bool{
	indicator.PopLegale: true, indicator.PopHistorique: true, indicator.EffectifsSal: true,
	indicator.EtabUrssaf: true, indicator.EffSalTrim: true, indicator.MasseSalTrim: true,
	indicator.AEActifs: true, indicator.Logements: true,
}

// levelLines reports whether every line of a time chart is a level.
func levelLines(lines []line) bool {
	for _, l := range lines {
		if len(l.figs) == 0 || !levelMeasures[l.figs[0].Measure] {
			return false
		}
	}
	return len(lines) > 0
}

// flattened reports whether an axis from zero would flatten the series:
// their spread is under a quarter of their largest value.
func flattened(series []chartSeries) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s.Values {
			if v != nil {
				lo, hi = min(lo, *v), max(hi, *v)
			}
		}
	}
	return hi > 0 && lo >= 0 && hi-lo < hi/4
}

// echartsOption is the option object of one chart, assembled from
// go-echarts option types. Only its types are used: go-echarts' chart
// constructors fill hundreds of defaults by reflection and its page renderer
// draws random ids and inline scripts. A struct marshals its fields in a
// fixed order, so the JSON is deterministic. What every chart shares
// (palette, grid, tooltip, aria, no animation) is set once by
// assets/charts.js, which keeps the pages small.
type echartsOption struct {
	Legend *opts.Legend          `json:"legend,omitempty"`
	XAxis  []opts.XAxis          `json:"xAxis,omitempty"` // omitted: [{}], only with Table
	YAxis  []opts.YAxis          `json:"yAxis,omitempty"`
	Series []charts.SingleSeries `json:"series"`
	Table  *tableData            `json:"table,omitempty"`
}

// tableData, in an option without categories, series names or data, tells
// assets/charts.js to read them from the chart's table, in the same
// <figure>: the categories are the row headers, series i is column
// Cols[i] (1 for the first column after the row headers; its header is the
// series' name), its values are the cells read as French numbers (see
// cellNumber), negated for the series listed in Neg (the men of an age
// pyramid). The table is in the page anyway, for readers without
// JavaScript: the figures are not written twice, a third of a page.
//
// Rows, when set, is how many rows, from the first, the chart draws (the
// table adds a total); Rev says the chart draws them in reverse order
// (horizontal bars listing the territory first in the table draw it on
// top, last category of the axis).
type tableData struct {
	Cols []int `json:"cols"`
	Neg  []int `json:"neg,omitempty"`
	Rows int   `json:"rows,omitempty"`
	Rev  bool  `json:"rev,omitempty"`

	named []bool // series whose name is not their column's header: kept in the option
}

// optionsFor builds the option of a chart whose figures are also shown in
// table t: when t holds them exactly as the chart draws them (same
// categories, same series, values equal once rounded as the chart shows
// them), the option points to the table instead of repeating them;
// otherwise it is the whole option.
func (s chartSpec) optionsFor(t tableView) (template.JS, error) {
	td, ok := s.tableData(t)
	if !ok {
		return s.options()
	}
	return s.marshal(td)
}

// options builds the whole ECharts option of a chart and marshals it.
func (s chartSpec) options() (template.JS, error) { return s.marshal(nil) }

// tableData finds the columns of t that hold the series of s.
func (s chartSpec) tableData(t tableView) (*tableData, bool) {
	n := len(s.categories)
	if n == 0 || n > len(t.Rows) || len(s.series) == 0 {
		return nil, false
	}
	// The categories are the first n row headers, in order or reversed.
	rev := false
	for i := range n {
		if t.Rows[i].Head != s.categories[i] {
			rev = true
			break
		}
	}
	if rev {
		for i := range n {
			if t.Rows[n-1-i].Head != s.categories[i] {
				return nil, false
			}
		}
	}
	// The data and its slices in one allocation (a page has some twenty).
	store := &struct {
		td    tableData
		cols  [4]int
		named [4]bool
	}{}
	td := &store.td
	td.Rev, td.Cols, td.named = rev, store.cols[:0], store.named[:0]
	if n < len(t.Rows) {
		td.Rows = n
	}
	row := func(i int) rowView { // the row of category i
		if rev {
			return t.Rows[n-1-i]
		}
		return t.Rows[i]
	}
	tol := 0.5 * math.Pow(10, -float64(min(max(s.decimals, 0), 6)))
	for si, ser := range s.series {
		found := false
		// The column named as the series, or else (a table with one
		// column of values, "Valeur", or a chart of one series) any
		// column holding its values.
		for col := 1; col < len(t.Head) && !found; col++ {
			if t.Head[col] != ser.Name && len(t.Head) != 2 && len(s.series) != 1 {
				continue
			}
			for _, sign := range []float64{1, -1} {
				if columnHolds(row, n, col, ser.Values, sign, tol) {
					td.Cols = append(td.Cols, col)
					td.named = append(td.named, t.Head[col] != ser.Name)
					if sign < 0 {
						td.Neg = append(td.Neg, si)
					}
					found = true
					break
				}
			}
		}
		if !found {
			return nil, false
		}
	}
	return td, true
}

// columnHolds reports whether column col of the n rows (row(i) for
// category i) reads, row by row, as sign×values (within tol), with no
// number where a value is missing.
func columnHolds(row func(int) rowView, n, col int, values []*float64, sign, tol float64) bool {
	if len(values) != n {
		return false
	}
	for i := range n {
		r := row(i)
		if col-1 >= len(r.Cells) {
			return false
		}
		n, ok := cellNumber(r.Cells[col-1])
		v := values[i]
		if v == nil {
			if ok {
				return false
			}
			continue
		}
		if !ok || math.Abs(sign*n-*v) > tol+1e-9*math.Abs(*v) {
			return false
		}
	}
	return true
}

// cellNumber reads the number of a table cell written the French way
// ("1 234,5 €", "−3,2 %"): its digits, decimal comma and minus sign, every
// other character dropped; false when that leaves no single number
// ("–", "non diffusé : secret statistique"). assets/charts.js reads cells
// with the same rule (cellNumber there).
func cellNumber(s string) (float64, bool) {
	var b [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		// Bytes, not runes: the only character of more than one byte
		// kept is − (E2 88 92), and no other holds an ASCII byte.
		var c byte
		switch x := s[i]; {
		case x >= '0' && x <= '9':
			c = x
		case x == ',':
			c = '.'
		case x == '-':
			c = '-'
		case x == 0xE2 && strings.HasPrefix(s[i:], "−"):
			c = '-'
			i += len("−") - 1
		default:
			continue
		}
		if n == len(b) {
			return 0, false
		}
		b[n] = c
		n++
	}
	if !plainNumber(b[:n]) {
		return 0, false
	}
	if v, ok := exactNumber(b[:n]); ok {
		return v, true
	}
	v, err := strconv.ParseFloat(string(b[:n]), 64)
	return v, err == nil
}

// exactNumber reads a plainNumber of at most 15 digits as strconv does
// when the number and a power of ten are exact floats (its exact path:
// one rounding, in the division): the same value, without its parsing.
func exactNumber(b []byte) (float64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var m uint64
	digits, frac := 0, -1
	for _, c := range b {
		if c == '.' {
			frac = 0
			continue
		}
		m = m*10 + uint64(c-'0')
		digits++
		if frac >= 0 {
			frac++
		}
	}
	if digits > 15 {
		return 0, false
	}
	v := float64(m)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}

// pow10 are the powers of ten up to 10^15, exact as float64.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainNumber matches ^-?[0-9]+(\.[0-9]+)?$.
func plainNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	digits := func() int {
		i := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		d := i
		b = b[i:]
		return d
	}
	if digits() == 0 {
		return false
	}
	if len(b) == 0 {
		return true
	}
	if b[0] != '.' {
		return false
	}
	b = b[1:]
	return digits() > 0 && len(b) == 0
}

// marshal builds the option; with td, without the figures that td says
// are read from the table.
func (s chartSpec) marshal(td *tableData) (template.JS, error) {
	if td == nil {
		return s.marshalOption(nil)
	}
	// An option that reads its table holds no figure: the same few shapes
	// come back on every page. Each is marshalled once.
	var buf [128]byte
	key := s.appendShapeKey(buf[:0], td)
	skeletons.RLock()
	js, ok := skeletons.of[string(key)]
	skeletons.RUnlock()
	if ok {
		return js, nil
	}
	js, err := s.marshalOption(td)
	if err == nil {
		skeletons.Lock()
		skeletons.of[string(key)] = js
		skeletons.Unlock()
	}
	return js, err
}

// skeletons holds the options marshalled without figures, by shape key
// (looked up without a string of its own).
var skeletons = struct {
	sync.RWMutex
	of map[string]template.JS
}{of: map[string]template.JS{}}

// appendShapeKey appends what the option of s without its figures
// depends on.
func (s chartSpec) appendShapeKey(b []byte, td *tableData) []byte {
	b = append(b, s.kind...)
	if s.zero || s.percent {
		b = append(b, "|z"...)
	}
	if len(s.categories) > 20 {
		b = append(b, "|many"...)
	}
	if td.Rev {
		b = append(b, "|rev"...)
	}
	if td.Rows > 0 {
		b = strconv.AppendInt(append(b, "|rows"...), int64(td.Rows), 10)
	}
	for i, ser := range s.series {
		b = append(append(b, '|'), ser.Stack...)
		if ser.Right {
			b = append(b, '>')
		}
		if td.named[i] {
			b = strconv.AppendQuote(append(b, '='), ser.Name)
		}
		b = strconv.AppendInt(append(b, ':'), int64(td.Cols[i]), 10)
		if slices.Contains(td.Neg, i) {
			b = append(b, '-')
		}
	}
	return b
}

func (s chartSpec) marshalOption(td *tableData) (template.JS, error) {
	// charts.js shows a legend when there are several series.
	o := echartsOption{Series: make([]charts.SingleSeries, 0, len(s.series)), Table: td}
	// ECharts' defaults: a category x axis, a value y axis starting at zero.
	var category opts.XAxis
	categoryY := opts.YAxis{Type: "category"}
	if td == nil { // a nil slice in Data's interface would marshal as null
		category.Data, categoryY.Data = s.categories, s.categories
	}
	var value opts.YAxis
	if !s.zero && !s.percent || s.level && s.kind == "line" && flattened(s.series) {
		value.Scale = opts.Bool(true)
	}
	serType := types.ChartLine
	switch s.kind {
	case "line":
		o.XAxis, o.YAxis = []opts.XAxis{category}, []opts.YAxis{value}
	case "bar":
		serType = types.ChartBar
		o.XAxis, o.YAxis = []opts.XAxis{category}, []opts.YAxis{value}
	case "hbar":
		serType = types.ChartBar
		o.XAxis = []opts.XAxis{{Type: "value"}}
		o.YAxis = []opts.YAxis{categoryY}
	default:
		return "", fmt.Errorf("chart %s: unknown kind %q", s.id, s.kind)
	}
	for _, ser := range s.series {
		if ser.Right && len(o.YAxis) == 1 {
			o.YAxis = append(o.YAxis, opts.YAxis{Scale: o.YAxis[0].Scale})
		}
		one := charts.SingleSeries{Type: serType, Stack: ser.Stack}
		if td == nil {
			data := make([]any, len(ser.Values))
			for i, v := range ser.Values {
				data[i] = missing
				if v != nil {
					data[i] = *v
				}
			}
			one.Name, one.Data = ser.Name, data
		} else if td.named[len(o.Series)] {
			one.Name = ser.Name
		}
		if ser.Right {
			one.YAxisIndex = 1
		}
		if serType == types.ChartLine && len(s.categories) > 20 {
			one.ShowSymbol = opts.Bool(false)
		}
		o.Series = append(o.Series, one)
	}
	if td != nil && s.kind != "hbar" {
		// charts.js takes missing axes for ECharts' defaults, [{}].
		o.XAxis = nil
		if len(o.YAxis) == 1 && o.YAxis[0].Scale == nil {
			o.YAxis = nil
		}
	}
	if js, ok := compactTable(o); ok {
		return js, nil
	}
	b, err := json.Marshal(o) // escapes <, > and &: safe inside <script>
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", s.id, err)
	}
	return template.JS(b), nil
}

// Pages are not minified after rendering (see minify.go), so the HTML
// written here is compact already: the escaping is the least HTML needs
// (no &#39; for every apostrophe of "L'Haÿ-les-Roses"), and optional end
// tags are left out.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")  // element text
	attrEscaper = strings.NewReplacer("&", "&amp;", `"`, "&#34;", "<", "&lt;") // in "quoted" attributes
	optEscaper  = strings.NewReplacer("&", "&amp;", "'", "&#39;")              // in 'quoted' attributes

	escText = textEscaper.Replace
	escAttr = attrEscaper.Replace
)

// pooledHTML runs write on a pooled buffer and returns what it wrote: one
// allocation of the right size, however the buffer grew.
func pooledHTML(write func(*bytes.Buffer)) template.HTML {
	b := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(b)
	b.Reset()
	write(b)
	return template.HTML(b.String())
}

// HTML renders the table. Tables hold most of a page's values; writing them
// here rather than cell by cell in the template keeps rendering fast (each
// template action costs a reflective call to the escaper). Pages are not
// minified after rendering, so this writes minified HTML: the end tags
// that HTML makes optional (th, td, tr, thead, tbody) are left out.
func (t tableView) HTML() template.HTML { return pooledHTML(t.write) }

func (t tableView) write(b *bytes.Buffer) {
	// A table of more than four columns may scroll sideways on a phone:
	// a keyboard must be able to reach it to scroll it.
	if len(t.Head) > 4 {
		b.WriteString("<table tabindex=0><thead><tr>")
	} else {
		b.WriteString("<table><thead><tr>")
	}
	for _, h := range t.Head {
		b.WriteString("<th>")
		textEscaper.WriteString(b, h)
	}
	b.WriteString("<tbody>")
	for _, r := range t.Rows {
		b.WriteString("<tr><th>")
		textEscaper.WriteString(b, r.Head)
		for _, c := range r.Cells {
			b.WriteString("<td>")
			textEscaper.WriteString(b, c)
		}
	}
	b.WriteString("</table>")
}

// HTML renders the chart's figure: title, the chart container read by
// assets/charts.js with what it lacks of its options (chartdefaults.go),
// source, notes and the table of its figures. Written here rather than in the template
// for speed, like the table: a page holds a dozen charts and each template
// action costs a reflective call. Every text is escaped; the options are
// JSON marshalled with <, > and & escaped, safe inside the script element.
func (c chartView) HTML() template.HTML { return pooledHTML(c.write) }

// inline tells whether the chart's option reads its figures from its
// table, short enough for an attribute.
func (c chartView) inline() bool {
	return strings.Contains(string(c.Options), `"table":{"cols":[`)
}

// write writes the HTML of a chart (see HTML).
func (c chartView) write(b *bytes.Buffer) {
	// Synthetic figures are badged "Illustratif" by the style sheet
	// (.ill), as their source line says: 22 bytes less a chart.
	if c.Illustrative {
		b.WriteString(`<figure class="chart-block ill" id=`)
	} else {
		b.WriteString(`<figure class=chart-block id=`)
	}
	b.WriteString(attrValue(c.ID))
	b.WriteString(`><figcaption><h3>`)
	textEscaper.WriteString(b, c.Title)
	b.WriteString("</h3>")
	// An option that reads its figures from the table is short: it goes
	// in an attribute of the chart rather than in a script element of its
	// own (see tableData; a JSON string cannot hold this unescaped text).
	// What charts.js knows already (c.def) is left out.
	inline := c.inline()
	var def chartDefault // none: every attribute is written
	if c.def != nil {
		def = *c.def
	}
	b.WriteString(`</figcaption><div class=chart`)
	if inline && string(c.Options) != def.Option {
		b.WriteString(` data-option='`)
		optEscaper.WriteString(b, string(c.Options))
		b.WriteString(`'`)
	} else if !inline {
		b.WriteString(` data-options="`)
		attrEscaper.WriteString(b, c.ID)
		b.WriteString(`-options"`)
	}
	if c.Unit != def.Unit {
		b.WriteString(` data-unit=`)
		b.WriteString(attrValue(c.Unit))
	}
	if c.Decimals != def.Decimals {
		b.WriteString(` data-decimals=`)
		b.WriteString(strconv.Itoa(c.Decimals))
	}
	if c.def == nil || !labelIs(def.Label, c.place, c.Label) {
		b.WriteString(` aria-label="`)
		attrEscaper.WriteString(b, c.Label)
		b.WriteString(`"`)
	}
	b.WriteString(`></div>`)
	if !inline {
		b.WriteString(`<script type=application/json id="`)
		attrEscaper.WriteString(b, c.ID)
		b.WriteString(`-options">`)
		b.WriteString(string(c.Options))
		b.WriteString(`</script>`)
	}
	b.WriteString(`<p class=source>`)
	textEscaper.WriteString(b, c.Source)
	for _, n := range c.Notes {
		b.WriteString(`<p class=note>`)
		textEscaper.WriteString(b, n)
	}
	b.WriteString("<details><summary>Données</summary>")
	c.Table.write(b)
	b.WriteString("</details></figure>")
}
