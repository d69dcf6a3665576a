package builder

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

func TestTableHTML(t *testing.T) {
	tbl := tableView{Head: []string{"Territoire", "Médiane"}, Rows: []rowView{{Head: "L'Haÿ & co", Cells: []string{"21 000 €"}}}}
	got := string(tbl.HTML())
	want := `<table><thead><tr><th>Territoire</th><th>Médiane</th></tr></thead><tbody><tr><th>L&#39;Haÿ &amp; co</th><td>21 000 €</td></tr></tbody></table>`
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
