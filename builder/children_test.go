package builder

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"territoires/geo"
)

func TestCellText(t *testing.T) {
	row := statRow{}
	for c := range row.v {
		row.v[c] = math.NaN()
	}
	row.v[colPop] = 519127
	row.v[colPopChange] = 0.7
	row.v[colUnemp] = 10.1
	row.v[colSalaried] = -0.0
	row.secret = 1 << colIncome
	for _, tt := range []struct {
		col  statCol
		want string
	}{
		{colPop, "519\u202f127"}, {colPopChange, "+0,7"}, {colUnemp, "10,1"},
		{colIncome, "n.d."}, {colDwellings, "–"}, {colSalaried, "0"},
	} {
		if got := cellText(&row, tt.col); got != tt.want {
			t.Errorf("cellText(%d) = %q, want %q", tt.col, got, tt.want)
		}
	}
}

func TestChildTable(t *testing.T) {
	ref, coms := peers([]int{1000, 1200})
	coms[0].Name = "=HYPERLINK(\"x\")"
	coms[1].Name = "<b>Saint-Ours</b>"
	s := &siteStats{row: map[*geo.Territory]int32{}, rows: make([]statRow, 2), first: 2016, last: 2023}
	s.period[colPop], s.period[colIncome] = "2023", "2021"
	for i, c := range coms {
		s.row[c] = int32(i)
		for col := range s.rows[i].v {
			s.rows[i].v[col] = math.NaN()
		}
		s.rows[i].v[colPop] = float64(c.Population[0].Value)
	}
	s.rows[0].v[colIncome] = 21720
	s.rows[1].secret = 1 << colIncome
	site := &siteView{Root: "/"}
	dep := coms[0].Departement
	built := func(t *geo.Territory) bool { return t == coms[0] }
	g := &groupView{ID: "communes", Title: "Communes", terrs: coms}
	tb := s.childTableOf(site, dep, g, built)
	if tb == nil {
		t.Fatal("no table")
	}
	_ = ref
	h := string(tb.HTML())
	for _, want := range []string{
		`<caption>Communes : population, revenu, chômage et emploi</caption>`,
		`<th scope=col>Nom<th scope=col>Code<th scope=col class=num>Population 2023`,
		`<th scope=col class=num>Revenu médian (€) 2021`,
		`<th scope=row><a href="/commune/69000/">=HYPERLINK("x")</a>`,
		`<th scope=row>&lt;b&gt;Saint-Ours&lt;/b&gt;<td>69001`, // not built: no link
		`<td>n.d.`,
		`href="/api/departement/69-communes.csv" download`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("table HTML lacks %s\n%s", want, h)
		}
	}
	if strings.Contains(h, "Taux de chômage") {
		t.Error("a column without any value is shown")
	}
	var buf bytes.Buffer
	tb.writeCSV(&buf, s)
	want := "code;nom;population_2023;revenu_median_euros_2021\n" +
		"69000;\"'=HYPERLINK(\"\"x\"\")\";1000;21720\n" +
		"69001;<b>Saint-Ours</b>;1200;\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV =\n%s\nwant\n%s", got, want)
	}
	if tb.csvPath != "api/departement/69-communes.csv" {
		t.Errorf("csvPath = %q", tb.csvPath)
	}
}
