package builder

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/geo"
	"territoires/indicator"
)

func TestTableHTML(t *testing.T) {
	tbl := tableView{Head: []string{"Territoire", "Médiane"}, Rows: []rowView{{Head: "L'Haÿ & co", Cells: []string{"21 000 €"}}}}
	got := string(tbl.HTML())
	want := `<table><thead><tr><th>Territoire<th>Médiane<tbody><tr><th>L'Haÿ &amp; co<td>21 000 €</table>`
	if got != want {
		t.Errorf("HTML() =\n%s\nwant\n%s", got, want)
	}
}

func TestChartOptions(t *testing.T) {
	v := 12.5
	spec := chartSpec{id: "x", kind: "hbar", categories: []string{"a</script>", "b"}, series: []chartSeries{{Name: "S", Values: []*float64{&v, nil}}}}
	js, err := spec.options()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "</script") {
		t.Errorf("options can close the script element: %s", js)
	}
	var o struct {
		XAxis []struct{ Type string } `json:"xAxis"`
		YAxis []struct {
			Type string
			Data []string
		} `json:"yAxis"`
		Series []struct {
			Type string
			Data []any
		} `json:"series"`
		Aria struct{ Enabled bool } `json:"aria"`
	}
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatalf("options are not JSON: %v\n%s", err, js)
	}
	if o.XAxis[0].Type != "value" || o.YAxis[0].Type != "category" || o.YAxis[0].Data[0] != "a</script>" {
		t.Errorf("horizontal bars: axes %+v %+v", o.XAxis, o.YAxis)
	}
	if len(o.Series) != 1 || o.Series[0].Type != "bar" || o.Series[0].Data[0] != 12.5 || o.Series[0].Data[1] != "-" {
		t.Errorf("series = %+v, want one bar series [12.5, \"-\"]", o.Series)
	}
	again, _ := spec.options()
	if again != js {
		t.Error("options differ between two calls")
	}
}

func TestWriteCSV(t *testing.T) {
	ter := &geo.Territory{Kind: geo.Commune, Code: "69123"}
	var buf bytes.Buffer
	writeCSV(&buf, ter, []indicator.Figure{
		{Measure: "M", Dim: "AGE=Y_LT15;SEX=F", Period: "2021", Value: 12.5, Source: `Insee, "RP"`, Vintage: "2021"},
		{Measure: "M", Period: "2022", Status: indicator.Secret, Source: "Insee", Vintage: "2022"},
	})
	r := csv.NewReader(&buf)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	want := [][]string{
		csvHeader,
		{"69123", "M", "AGE=Y_LT15;SEX=F", "2021", "12.5", "present", `Insee, "RP"`, "2021"},
		{"69123", "M", "", "2022", "", "secret", "Insee", "2022"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows =\n%q\nwant\n%q", rows, want)
	}
}

// fillFromTable completes an option whose figures are in the chart's table
// as assets/charts.js does (fromTable there).
func fillFromTable(t *testing.T, table *goquery.Selection, o *chartOption) {
	t.Helper()
	if table.Length() != 1 {
		t.Fatalf("chart option reads a table, and the figure has %d", table.Length())
	}
	head := table.Find("thead th").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	var cats []string
	var cells [][]string
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		cats = append(cats, tr.Find("th").Text())
		cells = append(cells, tr.Find("td").Map(func(_ int, s *goquery.Selection) string { return s.Text() }))
	})
	if o.Table.Rows > 0 {
		cats, cells = cats[:o.Table.Rows], cells[:o.Table.Rows]
	}
	if o.Table.Rev {
		slices.Reverse(cats)
		slices.Reverse(cells)
	}
	if o.Series == nil && o.Table.Type != "" { // the compact form (compactTable)
		expandTable(o)
	}
	if o.XAxis == nil { // ECharts' defaults
		o.XAxis = make([]struct {
			Type string `json:"type"`
			Data []string
		}, 1)
	}
	switch {
	case len(o.YAxis) > 0 && o.YAxis[0].Type == "category":
		o.YAxis[0].Data = cats
	case len(o.XAxis) > 0:
		o.XAxis[0].Data = cats
	}
	for i := range o.Series {
		if i >= len(o.Table.Cols) {
			t.Fatalf("series %d has no column", i)
		}
		col := o.Table.Cols[i]
		if o.Series[i].Name == "" {
			o.Series[i].Name = head[col]
		}
		o.Series[i].Data = nil
		for _, row := range cells {
			n, ok := cellNumber(row[col-1])
			if !ok {
				o.Series[i].Data = append(o.Series[i].Data, missing)
				continue
			}
			if slices.Contains(o.Table.Neg, i) {
				n = -n
			}
			o.Series[i].Data = append(o.Series[i].Data, n)
		}
	}
}

func TestCellNumber(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"519\u202f127", 519127, true},
		{"22\u202f360\u202f€", 22360, true},
		{"13,5\u202f%", 13.5, true},
		{"−3,2", -3.2, true},
		{"12,5 M€", 12.5, true},
		{"–", 0, false},
		{"non diffusé : secret statistique", 0, false},
		{"non publié", 0, false},
		{"1-2", 0, false},
		{"", 0, false},
	} {
		got, ok := cellNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("cellNumber(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestExactNumber checks the fast reading of cells against strconv, on
// the numbers the pages write (up to six decimals) and at its bounds.
func TestExactNumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ins := []string{"0", "-0", "0.1", "0.3", "999999999999999", "99999999999999.9", "0.000001", "-12.345678"}
	for range 100_000 {
		x := rng.Float64() * math.Pow(10, float64(rng.IntN(12)))
		ins = append(ins, strconv.FormatFloat(x, 'f', rng.IntN(7), 64), strconv.FormatFloat(-x, 'f', rng.IntN(7), 64))
	}
	for _, in := range ins {
		want, err := strconv.ParseFloat(in, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := exactNumber([]byte(in))
		if ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("exactNumber(%q) = %v, strconv reads %v", in, got, want)
		}
		if !ok && len(strings.Trim(in, "-.")) <= 15 {
			t.Fatalf("exactNumber(%q) left to strconv", in)
		}
	}
	if _, ok := exactNumber([]byte("1234567890123456")); ok {
		t.Error("exactNumber read 16 digits")
	}
}

func TestOptionsForTable(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	spec := chartSpec{id: "p", kind: "hbar", categories: []string{"0 à 14 ans", "15 à 29 ans"}, unit: "hab.",
		series: []chartSeries{{Name: "Hommes", Values: []*float64{v(-62), v(-65)}, Stack: "total"}, {Name: "Femmes", Values: []*float64{v(68), nil}, Stack: "total"}}}
	tbl := tableView{Head: []string{"Âge", "Hommes", "Femmes"}, Rows: []rowView{
		{Head: "0 à 14 ans", Cells: []string{"62", "68"}}, {Head: "15 à 29 ans", Cells: []string{"65", "non diffusé : secret statistique"}}}}
	js, err := spec.optionsFor(tbl)
	if err != nil {
		t.Fatal(err)
	}
	// Series alike: said once (compactTable).
	want := `{"table":{"cols":[1,2],"neg":[0],"type":"bar","stack":"total","h":true}}`
	if string(js) != want {
		t.Errorf("optionsFor =\n%s\nwant\n%s", js, want)
	}
	// Bars listing the table's rows in reverse order, the table adding a
	// total row: the chart reads the first rows, reversed.
	rev := spec
	rev.categories = []string{"15 à 29 ans", "0 à 14 ans"}
	rev.series = []chartSeries{{Name: "Femmes", Values: []*float64{nil, v(68)}, Stack: "total"}}
	withTotal := tableView{Head: tbl.Head, Rows: append(slices.Clone(tbl.Rows), rowView{Head: "Total", Cells: []string{"127", "68"}})}
	js, _ = rev.optionsFor(withTotal)
	if want := `{"table":{"cols":[2],"rows":2,"rev":true,"type":"bar","stack":"total","h":true}}`; string(js) != want {
		t.Errorf("optionsFor, reversed rows =\n%s\nwant\n%s", js, want)
	}
	// Series unlike (two value axes): the long form, still read from the table.
	right := chartSpec{id: "r", kind: "bar", zero: true, categories: []string{"a", "b"}, series: []chartSeries{
		{Name: "Hôtels", Values: []*float64{v(1), v(2)}}, {Name: "Chambres", Values: []*float64{v(10), v(20)}, Right: true}}}
	js, _ = right.optionsFor(tableView{Head: []string{"Classement", "Hôtels", "Chambres"}, Rows: []rowView{
		{Head: "a", Cells: []string{"1", "10"}}, {Head: "b", Cells: []string{"2", "20"}}, {Head: "Total", Cells: []string{"3", "30"}}}})
	if want := `{"yAxis":[{},{}],"series":[{"type":"bar"},{"type":"bar","yAxisIndex":1}],"table":{"cols":[1,2],"rows":2}}`; string(js) != want {
		t.Errorf("optionsFor, two axes =\n%s\nwant\n%s", js, want)
	}
	// A bar chart: default axes left out; a table with one column of
	// values whose header is not the series' name keeps the name.
	bars := chartSpec{id: "s", kind: "bar", zero: true, categories: []string{"Industrie"}, series: []chartSeries{{Name: "Établissements", Values: []*float64{v(1234)}}}}
	js, _ = bars.optionsFor(tableView{Head: []string{"Secteur", "Valeur"}, Rows: []rowView{{Head: "Industrie", Cells: []string{"1\u202f234"}}}})
	if want := `{"table":{"cols":[1],"type":"bar","name":"Établissements"}}`; string(js) != want {
		t.Errorf("optionsFor =\n%s\nwant\n%s", js, want)
	}
	// A table that does not hold the chart's figures: the whole option.
	for name, bad := range map[string]tableView{
		"other value":    {Head: tbl.Head, Rows: []rowView{{Head: "0 à 14 ans", Cells: []string{"61", "68"}}, tbl.Rows[1]}},
		"other category": {Head: tbl.Head, Rows: []rowView{{Head: "0-14", Cells: []string{"62", "68"}}, tbl.Rows[1]}},
		"other name":     {Head: []string{"Âge", "H", "F"}, Rows: tbl.Rows},
		"value shown":    {Head: tbl.Head, Rows: []rowView{tbl.Rows[0], {Head: "15 à 29 ans", Cells: []string{"65", "70"}}}},
		"row between":    {Head: tbl.Head, Rows: []rowView{tbl.Rows[0], {Head: "Total", Cells: []string{"127", "68"}}, tbl.Rows[1]}},
		"rows shuffled":  {Head: tbl.Head, Rows: []rowView{tbl.Rows[1], {Head: "Total", Cells: []string{"127", "68"}}, tbl.Rows[0]}},
	} {
		js, err := spec.optionsFor(bad)
		if err != nil {
			t.Fatal(err)
		}
		whole, _ := spec.options()
		if js != whole {
			t.Errorf("%s: optionsFor = %s, want the whole option", name, js)
		}
	}
}

// expandTable writes out the axes and series of a compact option, as
// assets/charts.js does.
func expandTable(o *chartOption) {
	c := o.Table
	for range c.Cols {
		o.Series = append(o.Series, struct {
			Name string
			Type string
			Data []any
		}{Type: c.Type, Name: c.Name})
	}
	if c.H {
		o.XAxis = []struct {
			Type string `json:"type"`
			Data []string
		}{{Type: "value"}}
		o.YAxis = []struct {
			Type string `json:"type"`
			Data []string
		}{{Type: "category"}}
	}
}
