package builder

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"territoires/geo"
)

// Tables of children: the page of a parent (EPCI, arrondissement,
// département, région, France) lists its children in a table of their key
// figures, from the pre-pass (stats.go). The table is a real <table> that
// reads without JavaScript; assets/compare.js makes its columns sortable
// (buttons in the headers, aria-sort). The same table is published as CSV
// beside the page's downloads: /api/departement/69-communes.csv.

// childColumns are the columns of the tables after the name and the code,
// in order; a column no child has a value for is left out.
var childColumns = []struct {
	col   statCol
	title string // followed by the period
	csv   string
}{
	{colPop, "Population", "population"},
	{colPopChange, "Évolution de la population", "evolution_population_pct"},
	{colIncome, "Revenu médian", "revenu_median_euros"},
	{colUnemp, "Taux de chômage", "taux_chomage_pct"},
	{colSalaried, "Emplois salariés privés", "effectifs_salaries"},
	{colDwellings, "Logements", "logements"},
}

// childTable is the data of one table of children.
type childTable struct {
	Caption string
	CSV     string // URL of the CSV of the same table
	csvPath string // path in the site
	cols    []int  // indexes in childColumns
	heads   []string
	rows    []childRow
}

type childRow struct {
	name, code, url string
	r               *statRow
}

// childTableOf builds the table of a group; nil when the build has no
// figures for its territories.
// The names are the group's (an arrondissement's long name).
func (s *siteStats) childTableOf(site *siteView, parent *geo.Territory, g *groupView, built func(*geo.Territory) bool) *childTable {
	if s == nil || len(g.terrs) == 0 {
		return nil
	}
	tb := &childTable{csvPath: apiPath(parent) + "-" + g.ID + ".csv"}
	tb.CSV = site.url("/" + tb.csvPath)
	tb.Caption = g.Title + " : population, revenu, chômage et emploi"
	for i, t := range g.terrs {
		row := childRow{name: t.Name, code: t.Code, r: s.rowOf(t)}
		if len(g.Items) == len(g.terrs) {
			row.name = g.Items[i].Name
		}
		if row.r == nil { // outside the build: its population only
			r, _ := statsOf(t, nil, s.first, s.last)
			row.r = &r
		}
		if built(t) {
			row.url = site.url(t.Path())
		}
		tb.rows = append(tb.rows, row)
	}
	for i, cc := range childColumns {
		for _, row := range tb.rows {
			if row.r.has(cc.col) || row.r.secret&(1<<cc.col) != 0 {
				tb.cols = append(tb.cols, i)
				tb.heads = append(tb.heads, s.columnTitle(cc.col, cc.title))
				break
			}
		}
	}
	return tb
}

// columnTitle is a column's header with its unit and period.
func (s *siteStats) columnTitle(c statCol, title string) string {
	switch c {
	case colPop:
		return title + " " + s.period[c]
	case colPopChange:
		return title + " " + strconv.Itoa(s.first) + "-" + strconv.Itoa(s.last) + " (%)"
	}
	if u := statColumns[c].unit; u != "" {
		title += " (" + u + ")"
	}
	if p := s.period[c]; p != "" {
		title += " " + p
	}
	return title
}

// cellText formats a value of a table: n.d. when secret, – when missing.
func cellText(r *statRow, c statCol) string {
	switch {
	case r.secret&(1<<c) != 0:
		return "n.d."
	case !r.has(c):
		return "–"
	case c == colPopChange:
		s := formatDecimal(r.v[c], 1)
		if r.v[c] > 0 {
			s = "+" + s
		}
		return s
	}
	return formatDecimal(r.v[c], statColumns[c].decimals)
}

// HTML renders the table, written here rather than in the template for
// speed (a département has hundreds of communes), compact as the chart
// tables are (pages are not minified after rendering: optional end tags
// are left out). Every text is escaped. Cells are right-aligned by the
// style sheet; the headers of numeric columns have class "num", which
// compare.js sorts as numbers.
func (tb *childTable) HTML() template.HTML {
	var b strings.Builder
	b.Grow(256 + len(tb.rows)*(64+12*len(tb.cols)))
	b.WriteString(`<div class=table-wrap><table class=sortable><caption>`)
	b.WriteString(escText(tb.Caption))
	b.WriteString(`</caption><thead><tr><th scope=col>Nom<th scope=col>Code`)
	for _, h := range tb.heads {
		b.WriteString(`<th scope=col class=num>`)
		b.WriteString(escText(h))
	}
	b.WriteString("<tbody>")
	for _, r := range tb.rows {
		b.WriteString(`<tr><th scope=row>`)
		if r.url != "" {
			b.WriteString(`<a href="` + escAttr(r.url) + `">` + escText(r.name) + "</a>")
		} else {
			b.WriteString(escText(r.name))
		}
		b.WriteString("<td>" + escText(r.code))
		for _, i := range tb.cols {
			b.WriteString("<td>")
			b.WriteString(cellText(r.r, childColumns[i].col))
		}
	}
	b.WriteString(`</table></div><p class=note>n.d. : non diffusé (secret statistique) ; – : non publié. <a href="`)
	b.WriteString(escAttr(tb.CSV))
	b.WriteString(`" download>Télécharger ce tableau (CSV)</a></p>`)
	return template.HTML(b.String())
}

// writeCSV writes the table as CSV, as the other downloads are written:
// ";" separated, UTF-8, numbers with a decimal point, empty when secret or
// missing; every text cell through spreadsheetSafe.
func (tb *childTable) writeCSV(buf *bytes.Buffer, s *siteStats) {
	text := func(v string) {
		v = spreadsheetSafe(v)
		if csvQuoted(v) {
			v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		buf.WriteString(v)
	}
	buf.WriteString("code;nom")
	for _, i := range tb.cols {
		c := childColumns[i]
		buf.WriteByte(';')
		name := c.csv
		if p := s.period[c.col]; p != "" && c.col != colPopChange {
			name += "_" + p
		}
		text(name)
	}
	buf.WriteByte('\n')
	var num []byte
	for _, r := range tb.rows {
		text(r.code)
		buf.WriteByte(';')
		text(r.name)
		for _, i := range tb.cols {
			buf.WriteByte(';')
			if c := childColumns[i].col; r.r.has(c) && r.r.secret&(1<<c) == 0 {
				num = appendNumber(num[:0], r.r.v[c])
				buf.Write(num)
			}
		}
		buf.WriteByte('\n')
	}
}
