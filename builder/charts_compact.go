package builder

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
)

// compactTable writes the option of a chart that reads its table in the
// fewest bytes, when its series are all alike (same type and stack, named
// by their columns, on one value axis): the axes and series are then said
// once, in the table object, and assets/charts.js (expandTable) writes them
// out again. {"table":{"cols":[2,3,4],"rev":true,"type":"bar","stack":"total","h":true}}
// stands for xAxis [{type: value}], yAxis [{type: category}] and three
// stacked bar series. A page holds twenty such options.
// false: the option keeps its long form.
func compactTable(o echartsOption) (template.JS, bool) {
	td := o.Table
	if td == nil || len(o.Series) == 0 || o.Legend != nil {
		return "", false
	}
	// Compared as JSON: any other setting keeps the long form.
	first := o.Series[0]
	c := compactData{Cols: td.Cols, Neg: td.Neg, Rows: td.Rows, Rev: td.Rev, Type: first.Type, Stack: first.Stack}
	alike := jsonOf(struct {
		Type  string `json:"type"`
		Stack string `json:"stack,omitempty"`
	}{c.Type, c.Stack})
	if len(o.Series) == 1 && first.Name != "" { // "Effectifs salariés" read from a column "Valeur"
		c.Name, first.Name = first.Name, ""
		o.Series = []charts.SingleSeries{first}
	}
	for _, s := range o.Series {
		if jsonOf(s) != alike {
			return "", false
		}
	}
	switch x, y := jsonOf(o.XAxis), jsonOf(o.YAxis); {
	case x == `[{"type":"value"}]` && y == `[{"type":"category"}]`:
		c.H = true
	case x == "null" && y == "null":
	default: // a value axis leaving zero, two value axes: the long form,
		// which other code reads (the compare branch's tests look for
		// yAxis[0].scale)
		return "", false
	}
	b, err := json.Marshal(struct {
		Table compactData `json:"table"`
	}{c})
	if err != nil {
		return "", false
	}
	return template.JS(b), true
}

// compactData is tableData with the series and axes said once.
type compactData struct {
	Cols  []int  `json:"cols"`
	Neg   []int  `json:"neg,omitempty"`
	Rows  int    `json:"rows,omitempty"`
	Rev   bool   `json:"rev,omitempty"`
	Type  string `json:"type"`
	Name  string `json:"name,omitempty"` // of a single series not named by its column
	Stack string `json:"stack,omitempty"`
	H     bool   `json:"h,omitempty"`
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// attrValue writes an attribute's value unquoted when HTML allows it (a
// chart's id, "%", "hab."): two bytes a chart.
func attrValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\f\r\"'=<>`&") {
		return `"` + escAttr(v) + `"`
	}
	return v
}

// shown is x rounded as a table cell shows it (formatDecimal: the nearest
// decimal, ties to even on the binary value), so that a chart draws the
// table's figure: 395 jobs for 1,264 inhabitants is 31.25, shown 31,2, and
// the bar said 31.3 (rounded half up), which also kept the chart from
// reading its table.
func shown(x float64, decimals int) *float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', min(max(decimals, 0), 6), 64), 64)
	return &v
}
