package builder

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

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
	Source       string // "Source : Insee, Filosofi 2021 ; géographie au 1er janvier 2026."
	Notes        []string
	Label        string // accessible description of the chart
	Unit         string // for the client's number formatting
	Decimals     int
	Options      template.JS // JSON, HTML-safe
	Table        tableView
	Illustrative bool
	Embed        *embedView
	compare      *chartCompare // how a second territory joins the chart (compare.go)
}

// embedView is the "Intégrer" control under a chart: assets/charts.js
// writes the iframe snippet from the page's embed URL (data-embed of the
// panel), the figure's id as fragment, its title and the territory's name.
type embedView struct {
	URL   string // absolute, with the chart's id as fragment
	Title string // of the iframe
}

// snippet is the iframe code a host pastes; charts.js writes the same.
func (e embedView) snippet() string {
	return fmt.Sprintf(`<iframe src="%s" title="%s" width="640" height="420" loading="lazy"></iframe>`, e.URL, html.EscapeString(e.Title))
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
	XAxis  []opts.XAxis          `json:"xAxis"`
	YAxis  []opts.YAxis          `json:"yAxis"`
	Series []charts.SingleSeries `json:"series"`
}

// options builds the ECharts option of a chart and marshals it.
func (s chartSpec) options() (template.JS, error) {
	// charts.js shows a legend when there are several series.
	o := echartsOption{Series: make([]charts.SingleSeries, 0, len(s.series))}
	// ECharts' defaults: a category x axis, a value y axis starting at zero.
	category := opts.XAxis{Data: s.categories}
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
		o.YAxis = []opts.YAxis{{Type: "category", Data: s.categories}}
	default:
		return "", fmt.Errorf("chart %s: unknown kind %q", s.id, s.kind)
	}
	for _, ser := range s.series {
		if ser.Right && len(o.YAxis) == 1 {
			o.YAxis = append(o.YAxis, opts.YAxis{Scale: o.YAxis[0].Scale})
		}
		data := make([]any, len(ser.Values))
		for i, v := range ser.Values {
			data[i] = missing
			if v != nil {
				data[i] = *v
			}
		}
		one := charts.SingleSeries{Name: ser.Name, Type: serType, Stack: ser.Stack, Data: data}
		if ser.Right {
			one.YAxisIndex = 1
		}
		if serType == types.ChartLine && len(s.categories) > 20 {
			one.ShowSymbol = opts.Bool(false)
		}
		o.Series = append(o.Series, one)
	}
	b, err := json.Marshal(o) // escapes <, > and &: safe inside <script>
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", s.id, err)
	}
	return template.JS(b), nil
}

// HTML renders the table. Tables hold most of a page's values; writing them
// here rather than cell by cell in the template keeps rendering fast (each
// template action costs a reflective call to the escaper).
func (t tableView) HTML() template.HTML {
	var b strings.Builder
	b.WriteString("<table><thead><tr>")
	for _, h := range t.Head {
		b.WriteString(`<th>`)
		b.WriteString(html.EscapeString(h))
		b.WriteString("</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range t.Rows {
		b.WriteString(`<tr><th>`)
		b.WriteString(html.EscapeString(r.Head))
		b.WriteString("</th>")
		for _, c := range r.Cells {
			b.WriteString("<td>")
			b.WriteString(html.EscapeString(c))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return template.HTML(b.String())
}

// HTML renders the chart's figure: title, illustrative badge, the chart
// container read by assets/charts.js, its options as JSON, source, notes
// and the table of its figures. Written here rather than in the template
// for speed, like the table: a page holds a dozen charts and each template
// action costs a reflective call. Every text is escaped; the options are
// JSON marshalled with <, > and & escaped, safe inside the script element.
func (c chartView) HTML() template.HTML {
	var b strings.Builder
	b.Grow(len(c.Options) + 1024)
	id := html.EscapeString(c.ID)
	b.WriteString(`<figure class="chart-block" id="` + id + `"><figcaption><h3>`)
	b.WriteString(html.EscapeString(c.Title))
	b.WriteString("</h3>")
	if c.Illustrative {
		b.WriteString(`<p class="badge">Illustratif</p>`)
	}
	b.WriteString(`</figcaption><div class="chart" data-options="` + id + `-options"`)
	if c.Unit != "" {
		b.WriteString(` data-unit="` + html.EscapeString(c.Unit) + `"`)
	}
	if c.Decimals != 0 {
		b.WriteString(` data-decimals="` + strconv.Itoa(c.Decimals) + `"`)
	}
	b.WriteString(` role="img" aria-label="` + html.EscapeString(c.Label) + `"></div>`)
	b.WriteString(`<script type="application/json" id="` + id + `-options">`)
	b.WriteString(string(c.Options))
	b.WriteString(`</script><p class="source">`)
	b.WriteString(html.EscapeString(c.Source))
	b.WriteString("</p>")
	for _, n := range c.Notes {
		b.WriteString(`<p class="note">` + html.EscapeString(n) + "</p>")
	}
	b.WriteString("<details><summary>Données</summary>")
	b.WriteString(string(c.Table.HTML()))
	b.WriteString("</details></figure>")
	return template.HTML(b.String())
}
