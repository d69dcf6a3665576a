package builder

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// themeView is one section of a dashboard.
type themeView struct {
	ID, Title string
	Charts    []chartView
	Empty     string // why the theme has no chart, when it has none
}

// keyFigure is one of the plain-words figures at the top of a page.
type keyFigure struct {
	Label, Value, Detail string
	Ranks                []string // among its peers (ranks.go)
}

// compared is a territory with its figures, in the order of comparison:
// the territory itself first, then its parents, nearest first.
type compared struct {
	t  *geo.Territory
	fs figureSet
}

// dashboard holds what the charts of one page are made from.
type dashboard struct {
	site         *siteView
	t            *geo.Territory
	fs           figureSet
	cmp          []compared // t first
	illustrative bool
}

const secretNote = "non diffusé : secret statistique"

// ageLabels name the age bands: those of the offline source, and the census
// bands of MELODI's DS_RP_POPULATION_PRINC (Y15T24, Y25T39, ... Y_GE80).
var ageLabels = map[string]string{
	"Y_LT15": "0 à 14 ans", "Y15T29": "15 à 29 ans", "Y30T44": "30 à 44 ans",
	"Y45T59": "45 à 59 ans", "Y60T74": "60 à 74 ans", "Y_GE75": "75 ans ou plus",
	"Y15T24": "15 à 24 ans", "Y25T39": "25 à 39 ans", "Y40T54": "40 à 54 ans",
	"Y55T64": "55 à 64 ans", "Y65T79": "65 à 79 ans", "Y_GE80": "80 ans ou plus",
}

// sectorLabels name the sector codes of Insee (A5, NA17) and Urssaf.
var sectorLabels = map[string]string{
	"AZ": "Agriculture", "BE": "Industrie", "FZ": "Construction",
	"GU": "Commerce, transports, services divers", "OQ": "Administration, enseignement, santé",
	"C1": "Industries alimentaires", "C2": "Cokéfaction et raffinage", "C3": "Équipements électriques et machines",
	"C4": "Matériels de transport", "C5": "Autres industries", "DE": "Énergie, eau, déchets",
	"GZ": "Commerce", "HZ": "Transports et entreposage", "IZ": "Hébergement et restauration",
	"JZ": "Information et communication", "KZ": "Finance et assurance", "LZ": "Immobilier",
	"MN": "Services aux entreprises", "RU": "Autres services",
	"GS1": "Industrie", "GS2": "Construction", "GS3": "Commerce", "GS4": "Services",
	"LJ": "Liquidations judiciaires", "RJ": "Redressements judiciaires", "SAUV": "Sauvegardes",
}

// dimLabel names the value of a breakdown "KEY=value;KEY=value" for its key.
func dimLabel(dim, key string) string {
	for rest := dim; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ";")
		k, v, _ := strings.Cut(part, "=")
		if k != key {
			continue
		}
		return valueLabel(v)
	}
	return ""
}

// valueLabel names a value of a breakdown: an age band, a sector, or the
// value itself.
func valueLabel(v string) string { return labelIn(v, ageLabels, sectorLabels) }

// labelIn names a code by the first table that has it; the code itself
// when none does.
func labelIn(code string, tables ...map[string]string) string {
	for _, t := range tables {
		if l, ok := t[code]; ok {
			return l
		}
	}
	return code
}

func dimValue(dim, key string) string {
	for rest := dim; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ";")
		if k, v, _ := strings.Cut(part, "="); k == key {
			return v
		}
	}
	return ""
}

// sourceLine writes the source and vintage of figures under a chart.
// "Source : Insee, RP 2021 ; Urssaf, 2024.": each source with its
// vintage once, in the order of those texts.
func (d *dashboard) sourceLine(figs []indicator.Figure) string {
	type part struct{ source, vintage string }
	compare := func(a, b part) int { // as their texts compare
		var x, y [128]byte
		return bytes.Compare(appendSource(x[:0], a.source, a.vintage), appendSource(y[:0], b.source, b.vintage))
	}
	var store [8]part
	parts := store[:0]
	for _, f := range figs {
		p := part{f.Source, f.Vintage}
		if !slices.ContainsFunc(parts, func(q part) bool { return q == p || compare(q, p) == 0 }) {
			parts = append(parts, p)
		}
	}
	slices.SortFunc(parts, compare)
	// The geography, the same for every chart, is said once a page
	// (templates/territory.html, p.geo).
	b := make([]byte, 0, 128)
	b = append(b, "Source : "...)
	for i, p := range parts {
		if i > 0 {
			b = append(b, " ; "...)
		}
		b = appendSource(b, p.source, p.vintage)
	}
	return string(append(b, '.'))
}

// appendSource appends a source and its vintage: "Insee, RP 2021".
func appendSource(b []byte, source, vintage string) []byte {
	b = append(b, source...)
	if vintage != "" {
		b = append(append(b, ", "...), vintage...)
	}
	return b
}

// withSource appends to figs those of more that bring a source or vintage
// figs lacks: all sourceLine needs of a chart's figures.
func withSource(figs []indicator.Figure, more ...indicator.Figure) []indicator.Figure {
	for _, f := range more {
		if !slices.ContainsFunc(figs, func(g indicator.Figure) bool { return g.Source == f.Source && g.Vintage == f.Vintage }) {
			figs = append(figs, f)
		}
	}
	return figs
}

func ptr(v float64) *float64 { return &v }

// cell formats a figure for a table.
func cell(f indicator.Figure, decimals int, unit string) string {
	switch f.Status {
	case indicator.Secret:
		return secretNote
	case indicator.NotPublished:
		return "non publié"
	}
	if unit == "" {
		return formatDecimal(f.Value, decimals)
	}
	var out [64]byte
	b := append(appendDecimal(out[:0], f.Value, decimals), nnbsp...)
	return string(append(b, unit...))
}

// themes builds the sections of a dashboard: three here, those of issue 12
// in dashboard_themes.go.
func (d *dashboard) themes() ([]themeView, error) {
	var errs []error
	build := func(id, title, empty string, specs ...func() (*chartView, error)) themeView {
		th := themeView{ID: id, Title: title}
		if !d.site.publishes(id) {
			return th
		}
		for _, spec := range specs {
			c, err := spec()
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if c != nil {
				c.Illustrative = d.illustrative && !strings.Contains(c.Source, "populations légales")
				th.Charts = append(th.Charts, *c)
			}
		}
		if len(th.Charts) == 0 {
			th.Empty = empty
		}
		return th
	}
	themes := []themeView{
		build("population", "Population", "Aucune donnée de population n'est publiée pour ce territoire.",
			d.legalPopulation, d.censusHistory, d.agePyramid, d.birthsDeaths),
		build("revenus", "Revenus", "Les revenus (Filosofi) ne sont pas publiés pour ce territoire.",
			d.income, d.poverty),
		build("emploi", "Emploi", "Les données d'emploi ne sont pas publiées pour ce territoire.",
			d.activity, d.jobsPerInhabitant, d.salariedJobs, d.salariedBySector, d.establishmentsBySector,
			d.quarterlyJobs, d.payroll, d.hirings, d.autoEntrepreneurs, d.proceedings,
			d.regionalSectors, d.homeEmployees, d.homeEmployeesRate), // dashboard_urssaf.go
	}
	themes = append(themes, d.moreThemes(build)...)
	themes = slices.DeleteFunc(themes, func(th themeView) bool { return !d.site.publishes(th.ID) })
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return themes, nil
}

// timeChart makes a line (or bar) chart of one or more series of the
// territory over time.
func (d *dashboard) timeChart(id, title, label, kind, unit string, decimals int, lines []line) (*chartView, error) {
	lines = slices.DeleteFunc(lines, func(l line) bool { return len(l.figs) == 0 })
	var periods []string
	var all []indicator.Figure
	for _, l := range lines {
		for _, f := range l.figs {
			if !slices.Contains(periods, f.Period) {
				periods = append(periods, f.Period)
			}
		}
		all = withSource(all, l.figs...)
	}
	if len(periods) == 0 {
		return nil, nil
	}
	slices.SortFunc(periods, comparePeriods)
	// Value axes start at zero: a 1 % change should not look like a climb;
	// but a line of levels leaves zero when zero would flatten it (charts.go).
	spec := chartSpec{id: id, kind: kind, categories: periods, unit: unit, decimals: decimals, zero: true, level: levelLines(lines), compare: timeCompare(d.t, lines)}
	// The table's cells and the chart's values, cut from one array each.
	n, m := len(periods), len(lines)
	tbl := tableView{Head: make([]string, 1, 1+m), Rows: make([]rowView, n)}
	tbl.Head[0] = "Période"
	cells := make([]string, n*m)
	for i, p := range periods {
		tbl.Rows[i] = rowView{Head: p, Cells: cells[i*m : (i+1)*m : (i+1)*m]}
	}
	ptrs := make([]*float64, n*m)
	values := make([]float64, n*m)
	spec.series = make([]chartSeries, 0, m)
	var notes []string
	for j, l := range lines {
		tbl.Head = append(tbl.Head, l.name)
		vals := ptrs[j*n : (j+1)*n : (j+1)*n]
		for i, p := range periods {
			text := "–"
			for _, f := range l.figs {
				if f.Period != p {
					continue
				}
				text = cell(f, decimals, "")
				if f.Status == indicator.Present {
					values[j*n+i] = f.Value
					vals[i] = &values[j*n+i]
				} else if f.Status == indicator.Secret && len(notes) == 0 {
					notes = append(notes, "Valeurs manquantes : "+secretNote+".")
				}
			}
			tbl.Rows[i].Cells[j] = text
		}
		spec.series = append(spec.series, chartSeries{Name: l.name, Values: vals, Right: l.right})
	}
	return d.chart(spec, title, label, all, notes, tbl)
}

// chart finishes a chart: its options from the spec, its source line from
// the figures it shows.
func (d *dashboard) chart(spec chartSpec, title, label string, figs []indicator.Figure, notes []string, tbl tableView) (*chartView, error) {
	js, err := spec.optionsFor(tbl)
	if err != nil {
		return nil, err
	}
	return &chartView{
		ID: spec.id, Title: title, Source: d.sourceLine(figs), Notes: notes, Label: label,
		Unit: spec.unit, Decimals: spec.decimals, Options: js, Table: tbl, cmp: &spec,
	}, nil
}

// line is one series of a time chart.
type line struct {
	name   string
	figs   []indicator.Figure
	right  bool    // on a second value axis
	factor float64 // the values shown are the figures times factor (when not 0)
}

func (d *dashboard) legalPopulation() (*chartView, error) {
	var figs []indicator.Figure
	for _, p := range d.t.Population {
		figs = append(figs, indicator.Figure{
			Territory: d.t.ID(), Measure: indicator.PopLegale, Period: strconv.Itoa(p.Year), Value: float64(p.Value),
			Source: "Insee, populations légales", Vintage: strconv.Itoa(p.Year),
		})
	}
	if len(figs) == 0 {
		return nil, nil
	}
	c, err := d.timeChart("population-legale", "Population légale (population municipale)",
		fmt.Sprintf("Population légale de %s de %s à %s", d.t.Name, figs[0].Period, figs[len(figs)-1].Period),
		"line", "hab.", 0, []line{{name: "Population municipale", figs: figs}})
	if c != nil {
		c.Source = fmt.Sprintf("Source : Insee, populations légales %s à %s (millésimes de référence).",
			figs[0].Period, figs[len(figs)-1].Period)
	}
	return c, err
}

func (d *dashboard) censusHistory() (*chartView, error) {
	figs := d.fs.series(indicator.PopHistorique, "", "")
	if len(figs) == 0 {
		return nil, nil
	}
	return d.timeChart("population-historique", "Population aux recensements depuis "+figs[0].Period,
		fmt.Sprintf("Population de %s aux recensements, de %s à %s", d.t.Name, figs[0].Period, figs[len(figs)-1].Period),
		"line", "hab.", 0, []line{{name: "Population", figs: figs}})
}

func (d *dashboard) birthsDeaths() (*chartView, error) {
	b, dd := d.fs.series(indicator.Naissances, "", ""), d.fs.series(indicator.Deces, "", "")
	if len(b) == 0 && len(dd) == 0 {
		return nil, nil
	}
	return d.timeChart("naissances-deces", "Naissances et décès domiciliés",
		fmt.Sprintf("Naissances et décès de %s par année", d.t.Name),
		"bar", "", 0, []line{{name: "Naissances", figs: b}, {name: "Décès", figs: dd}})
}

func (d *dashboard) agePyramid() (*chartView, error) {
	figs := d.fs.breakdown(indicator.PopAgeSexe)
	if len(figs) == 0 {
		return nil, nil
	}
	var bands []string
	for _, f := range figs {
		if a := dimValue(f.Dim, "AGE"); a != "" && !slices.Contains(bands, a) {
			bands = append(bands, a)
		}
	}
	slices.SortFunc(bands, compareAgeBands)
	men, women := make([]*float64, len(bands)), make([]*float64, len(bands))
	tbl := tableView{Head: []string{"Âge", "Hommes", "Femmes"}}
	labels := make([]string, len(bands))
	for i, band := range bands {
		labels[i] = valueLabel(band)
		row := rowView{Head: labels[i], Cells: []string{"–", "–"}}
		for _, f := range figs {
			if dimValue(f.Dim, "AGE") != band {
				continue
			}
			col, dst := 0, men
			if dimValue(f.Dim, "SEX") == "F" {
				col, dst = 1, women
			}
			row.Cells[col] = cell(f, 0, "")
			if f.Status == indicator.Present {
				v := f.Value
				if col == 0 {
					v = -v // men to the left
				}
				dst[i] = ptr(v)
			}
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	spec := chartSpec{id: "pyramide-ages", kind: "hbar", categories: labels, zero: true,
		series: []chartSeries{{Name: "Hommes", Values: men, Stack: "total"}, {Name: "Femmes", Values: women, Stack: "total"}}}
	spec.unit = "hab."
	spec.compare = pyramidCompare(figs, bands)
	return d.chart(spec, "Population par sexe et tranche d'âge ("+figs[0].Period+")",
		fmt.Sprintf("Pyramide des âges de %s en %s, hommes à gauche, femmes à droite", d.t.Name, figs[0].Period),
		figs, []string{"Les hommes sont représentés à gauche, les femmes à droite."}, tbl)
}

// compareAgeBands orders "Y_LT15" < "Y15T29" < ... < "Y_GE75".
func compareAgeBands(a, b string) int {
	key := func(s string) int {
		switch {
		case strings.HasPrefix(s, "Y_LT"):
			return -1
		case strings.HasPrefix(s, "Y_GE"):
			n, _ := strconv.Atoi(strings.TrimPrefix(s, "Y_GE"))
			return 1000 + n
		}
		lo, _, _ := strings.Cut(s, "T")
		n, _ := strconv.Atoi(strings.TrimPrefix(lo, "Y"))
		return n
	}
	return key(a) - key(b)
}

// comparison makes a bar chart of one or more measures for the territory
// and its parents side by side (the latest period of each).
func (d *dashboard) comparison(id, title, label, unit string, decimals int, measures []struct{ measure, name string }) (*chartView, error) {
	n, m := len(d.cmp), len(measures)
	spec := chartSpec{id: id, kind: "bar", unit: unit, decimals: decimals, zero: true,
		categories: make([]string, n), series: make([]chartSeries, m)}
	tbl := tableView{Head: make([]string, 1, 1+m), Rows: make([]rowView, n)}
	tbl.Head[0] = "Territoire"
	cells := make([]string, n*m)
	ptrs := make([]*float64, m*n)
	values := make([]float64, m*n)
	for k, ms := range measures {
		tbl.Head = append(tbl.Head, ms.name)
		spec.series[k] = chartSeries{Name: ms.name, Values: ptrs[k*n : (k+1)*n : (k+1)*n]}
	}
	var all []indicator.Figure
	var secret []string
	any := false
	for i, c := range d.cmp {
		spec.categories[i] = c.t.Name
		tbl.Rows[i] = rowView{Head: c.t.Name, Cells: cells[i*m : (i+1)*m : (i+1)*m]}
		// A parent's row is the same on all its children's pages: made once.
		r := memoRow(c.fs, rowKey{comparisonKey{id}, ""}, func() comparisonRow {
			return comparisonRowOf(c.fs, measures, decimals, unit)
		})
		if i == 0 { // the page's own territory: its secret figures are named
			for k, ms := range measures {
				if r.secret[k] {
					secret = append(secret, strings.ToLower(ms.name[:1])+ms.name[1:])
				}
			}
		}
		copy(tbl.Rows[i].Cells, r.cells)
		all = withSource(all, r.sources...)
		for k := range measures {
			if r.present[k] {
				values[k*n+i] = r.values[k]
				ptrs[k*n+i] = &values[k*n+i]
				any = true
			}
		}
	}
	if !any {
		return nil, nil
	}
	var notes []string
	if len(secret) > 0 {
		notes = append(notes, fmt.Sprintf("%s, %s : %s.", d.t.Name, strings.Join(secret, ", "), secretNote))
	}
	spec.compare = categoryCompare(measures)
	return d.chart(spec, title, label, all, notes, tbl)
}

// comparisonKey names the rows of a comparison chart in a rowMemo.
type comparisonKey struct{ id string }

// comparisonRow is the row of a territory in a comparison chart: the
// latest figure of each measure.
type comparisonRow struct {
	cells           []string
	values          []float64
	present, secret []bool             // the status of each measure's figure, when it has one
	sources         []indicator.Figure // one of each source and vintage
}

func comparisonRowOf(fs figureSet, measures []struct{ measure, name string }, decimals int, unit string) comparisonRow {
	m := len(measures)
	r := comparisonRow{cells: make([]string, m), values: make([]float64, m), present: make([]bool, m), secret: make([]bool, m)}
	for k, ms := range measures {
		f, ok := fs.latest(ms.measure)
		r.cells[k] = "–"
		if ok {
			r.sources = withSource(r.sources, f)
			r.cells[k], r.values[k] = cell(f, decimals, unit), f.Value
			r.present[k], r.secret[k] = f.Status == indicator.Present, f.Status == indicator.Secret
		}
	}
	return r
}

func (d *dashboard) income() (*chartView, error) {
	f, _ := d.fs.latest(indicator.RevenuMedian)
	return d.comparison("revenus-deciles", "Revenu disponible par unité de consommation en "+f.Period,
		"Premier décile, médiane et neuvième décile du revenu disponible, comparés aux territoires parents", "€", 0,
		[]struct{ measure, name string }{
			{indicator.RevenuD1, "1er décile"}, {indicator.RevenuMedian, "Médiane"}, {indicator.RevenuD9, "9e décile"},
		})
}

func (d *dashboard) poverty() (*chartView, error) {
	f, _ := d.fs.latest(indicator.TauxPauvrete)
	return d.comparison("pauvrete", "Taux de pauvreté à 60 % en "+f.Period,
		"Taux de pauvreté comparé aux territoires parents", "%", 1,
		[]struct{ measure, name string }{{indicator.TauxPauvrete, "Taux de pauvreté"}})
}

func (d *dashboard) activity() (*chartView, error) {
	f, _ := d.fs.latest(indicator.TauxChomage)
	return d.comparison("activite-chomage", "Taux d'activité et de chômage des 15-64 ans en "+f.Period,
		"Taux d'activité et taux de chômage au recensement, comparés aux territoires parents", "%", 1,
		[]struct{ measure, name string }{{indicator.TauxActivite, "Taux d'activité"}, {indicator.TauxChomage, "Taux de chômage"}})
}

// jobsPerInhabitant compares the jobs located in each territory with its
// population: above 100, a territory attracts workers.
func (d *dashboard) jobsPerInhabitant() (*chartView, error) {
	var cats []string
	var all []indicator.Figure
	vals := make([]*float64, len(d.cmp))
	tbl := tableView{Head: []string{"Territoire", "Emplois", "Habitants", "Emplois pour 100 habitants"}}
	period := ""
	for i, c := range d.cmp {
		cats = append(cats, c.t.Name)
		row := rowView{Head: c.t.Name, Cells: []string{"–", "–", "–"}}
		jobs, ok := c.fs.latest(indicator.EmploisLieu)
		if ok {
			all = withSource(all, jobs)
			row.Cells[0] = cell(jobs, 0, "")
			if i == 0 {
				period = jobs.Period
			}
		}
		pop := c.fs.series(indicator.PopHistorique, "", "")
		for _, p := range pop {
			if ok && p.Period == jobs.Period && p.Status == indicator.Present && jobs.Status == indicator.Present && p.Value > 0 {
				row.Cells[1] = cell(p, 0, "")
				r := jobs.Value / p.Value * 100
				vals[i] = shown(r, 1)
				row.Cells[2] = formatDecimal(r, 1)
			}
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	if vals[0] == nil {
		return nil, nil
	}
	spec := chartSpec{id: "emplois", kind: "bar", categories: cats, zero: true, decimals: 1,
		series: []chartSeries{{Name: "Emplois pour 100 habitants", Values: vals}}, compare: jobsCompare()}
	return d.chart(spec, "Emplois au lieu de travail pour 100 habitants en "+period,
		"Emplois situés dans le territoire pour 100 habitants, comparés aux territoires parents",
		all, []string{"Au-dessus de 100, le territoire offre plus d'emplois qu'il n'a d'habitants."}, tbl)
}

// salariedJobs shows the private-sector jobs and the employers that
// declare them, each against its own axis.
func (d *dashboard) salariedJobs() (*chartView, error) {
	jobs := d.fs.series(indicator.EffectifsSal, "", d.t.ID())
	estab := d.fs.series(indicator.EtabUrssaf, "", d.t.ID())
	if len(jobs)+len(estab) == 0 {
		return nil, nil
	}
	all := append(slices.Clone(jobs), estab...)
	c, err := d.timeChart("emploi-salarie", "Emplois salariés et établissements employeurs du secteur privé",
		fmt.Sprintf("Effectifs salariés (axe de gauche) et établissements employeurs (axe de droite) de %s, de %s à %s",
			d.t.Name, all[0].Period, all[len(all)-1].Period),
		"line", "", 0, []line{{name: "Effectifs salariés", figs: jobs}, {name: "Établissements employeurs", figs: estab, right: len(jobs) > 0}})
	if c != nil {
		c.Notes = append(c.Notes, "Effectifs au 31 décembre, sur l'axe de gauche ; établissements sur l'axe de droite.")
	}
	return c, err
}

// sectorChart makes a bar chart of a measure broken down by sector.
func (d *dashboard) sectorChart(id, measure, key, title, label string) (*chartView, error) {
	figs := d.fs.breakdown(measure)
	var kept []indicator.Figure
	for _, f := range figs {
		if f.Territory == d.t.ID() && dimValue(f.Dim, key) != "" {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	slices.SortFunc(kept, func(a, b indicator.Figure) int { return strings.Compare(a.Dim, b.Dim) })
	cats := make([]string, len(kept))
	vals := make([]*float64, len(kept))
	tbl := tableView{Head: []string{"Secteur", "Valeur"}}
	for i, f := range kept {
		cats[i] = dimLabel(f.Dim, key)
		if f.Status == indicator.Present {
			vals[i] = ptr(f.Value)
		}
		tbl.Rows = append(tbl.Rows, rowView{Head: cats[i], Cells: []string{cell(f, 0, "")}})
	}
	spec := chartSpec{id: id, kind: "hbar", categories: cats, zero: true, series: []chartSeries{{Name: label, Values: vals}}, compare: dimCompare(nil, kept)}
	return d.chart(spec, title+" en "+kept[0].Period, label+" de "+d.t.Name+" par secteur en "+kept[0].Period, kept, nil, tbl)
}

func (d *dashboard) salariedBySector() (*chartView, error) {
	return d.sectorChart("secteurs-urssaf", indicator.EffectifsSal, "GS", "Emplois salariés privés par grand secteur", "Effectifs salariés")
}

func (d *dashboard) establishmentsBySector() (*chartView, error) {
	key := "A5"
	for _, f := range d.fs.breakdown(indicator.EtabInsee) {
		if k, _, ok := strings.Cut(f.Dim, "="); ok {
			key = k
			break
		}
	}
	return d.sectorChart("etablissements-insee", indicator.EtabInsee, key, "Établissements par secteur d'activité", "Établissements")
}

// regional returns the territory whose regional series a page shows: a
// région or France shows its own, a département its région's.
func (d *dashboard) regional() *geo.Territory {
	switch d.t.Kind {
	case geo.Region, geo.France:
		return d.t
	case geo.Departement:
		return d.t.Region
	}
	return nil
}

func (d *dashboard) quarterly(id, measure, title, what, unit string, scale float64) (*chartView, error) {
	owner := d.regional()
	if owner == nil {
		return nil, nil
	}
	figs := d.fs.series(measure, "", owner.ID())
	if len(figs) == 0 {
		return nil, nil
	}
	if scale != 1 {
		figs = slices.Clone(figs)
		for i := range figs {
			figs[i].Value /= scale
		}
	}
	c, err := d.timeChart(id, title+" – "+owner.Name, fmt.Sprintf("%s, %s, par trimestre", what, owner.Name), "line", unit, 0, []line{{name: what, figs: figs, factor: 1 / scale}})
	if c != nil && owner != d.t {
		c.Notes = append(c.Notes, "Série publiée pour la région "+owner.Name+".")
	}
	return c, err
}

func (d *dashboard) quarterlyJobs() (*chartView, error) {
	return d.quarterly("emploi-trimestriel", indicator.EffSalTrim, "Emploi salarié privé par trimestre", "Effectifs salariés", "", 1)
}

func (d *dashboard) payroll() (*chartView, error) {
	return d.quarterly("masse-salariale", indicator.MasseSalTrim, "Masse salariale du secteur privé par trimestre", "Masse salariale", "M€", 1e6)
}

func (d *dashboard) hirings() (*chartView, error) {
	return d.quarterly("embauches", indicator.DPAE, "Déclarations préalables à l'embauche par trimestre", "Embauches (DPAE)", "", 1)
}

func (d *dashboard) autoEntrepreneurs() (*chartView, error) {
	own := d.t.ID()
	a, i, r := d.fs.series(indicator.AEActifs, "", own), d.fs.series(indicator.AEImmat, "", own), d.fs.series(indicator.AERadiations, "", own)
	if len(a)+len(i)+len(r) == 0 {
		return nil, nil
	}
	return d.timeChart("auto-entrepreneurs", "Auto-entrepreneurs", "Auto-entrepreneurs économiquement actifs, immatriculations et radiations par année",
		"line", "", 0, []line{{name: "Économiquement actifs", figs: a}, {name: "Immatriculations", figs: i}, {name: "Radiations", figs: r}})
}

func (d *dashboard) proceedings() (*chartView, error) {
	if d.t.Kind != geo.France {
		return nil, nil
	}
	var lines []line
	for _, nature := range []string{"LJ", "RJ", "SAUV"} {
		if figs := d.fs.series(indicator.ProcCollectives, "NATURE="+nature, ""); len(figs) > 0 {
			lines = append(lines, line{name: sectorLabels[nature], figs: figs})
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	return d.timeChart("procedures-collectives", "Procédures collectives par trimestre", "Procédures collectives ouvertes en France par trimestre et par nature",
		"line", "", 0, lines)
}

// keyFigures are the few figures in plain words at the top of a page: the
// inhabitants, then those of the sections the site publishes.
func (d *dashboard) keyFigures() []keyFigure {
	var kf []keyFigure
	if n := len(d.t.Population); n > 0 {
		last := d.t.Population[n-1]
		k := keyFigure{Label: "Habitants", Value: formatInt(last.Value), Detail: fmt.Sprintf("population légale %d", last.Year)}
		if n > 1 {
			first := d.t.Population[0]
			k.Detail += fmt.Sprintf(", %s depuis %d", formatChange(first.Value, last.Value), first.Year)
		}
		kf = append(kf, k)
	}
	kf = append(kf, d.housingKeyFigures()...)
	if f, ok := d.fs.latest(indicator.RevenuMedian); ok && d.site.publishes("revenus") {
		k := keyFigure{Label: "Revenu médian", Detail: "par unité de consommation et par an, " + f.Period}
		if f.Status == indicator.Present {
			k.Value = formatDecimal(f.Value, 0) + nnbsp + "€"
		} else {
			k.Value = "non diffusé"
			k.Detail = "secret statistique, " + f.Period
		}
		kf = append(kf, k)
	}
	if !d.site.publishes("emploi") {
		return kf
	}
	if f, ok := d.fs.latest(indicator.TauxChomage); ok && f.Status == indicator.Present {
		kf = append(kf, keyFigure{Label: "Taux de chômage", Value: formatPercent(f.Value), Detail: "des 15-64 ans au recensement " + f.Period})
	}
	if figs := d.fs.series(indicator.EffectifsSal, "", d.t.ID()); len(figs) > 0 {
		f := figs[len(figs)-1]
		if f.Status == indicator.Present {
			kf = append(kf, keyFigure{Label: "Emplois salariés privés", Value: formatDecimal(f.Value, 0), Detail: "au 31 décembre " + f.Period})
		}
	}
	return kf
}
