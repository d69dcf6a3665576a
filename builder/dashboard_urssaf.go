package builder

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// The URSSAF charts of issue 10: the sector breakdown of the regional
// series (secteur_na28i, Dim "NA28I=<code>" of EffSalTrim) on région
// pages, and the employees of private households (particuliers
// employeurs, SalariesPartEmp) on département and région pages.

// na28iLabels name the sector codes of the regional series: NA38 codes, some
// grouped. sectorLabels covers the codes it shares with NA17.
var na28iLabels = map[string]string{
	"CA": "Industries alimentaires", "CB": "Textile, habillement, cuir", "CC": "Bois, papier, imprimerie",
	"CD": "Cokéfaction et raffinage", "CE": "Chimie", "CF": "Pharmacie", "CG": "Caoutchouc, plastique, minéraux",
	"CH": "Métallurgie", "CI": "Informatique, électronique, optique", "CJ": "Équipements électriques",
	"CK": "Machines et équipements", "CL": "Matériels de transport", "CM": "Autres industries manufacturières",
	"DZ": "Électricité, gaz", "EZ": "Eau, assainissement, déchets",
	"JA": "Édition, audiovisuel", "JB": "Télécommunications", "JC": "Informatique et services d'information",
	"MA": "Juridique, comptabilité, ingénierie", "MB": "Recherche-développement", "MC": "Autres activités scientifiques",
	"NZ": "Services administratifs et de soutien", "OZ": "Administration publique", "PZ": "Enseignement",
	"QA": "Santé humaine", "QB": "Hébergement médico-social, action sociale", "RZ": "Arts, spectacles, loisirs",
	"SZ": "Autres activités de services", "TZ": "Activités des ménages",
}

// categoryLabels name the job categories of the particuliers employeurs
// dataset (code_categorie_d_emploi). No real answer showed the codes: an
// unknown one reads "Catégorie <code>".
var categoryLabels = map[string]string{
	"1": "Garde d'enfants à domicile",
	"2": "Assistants maternels",
	"3": "Emploi à domicile hors garde d'enfants",
}

func na28iLabel(code string) string { return labelIn(code, na28iLabels, sectorLabels) }

func categoryLabel(code string) string {
	if l, ok := categoryLabels[code]; ok {
		return l
	}
	return "Catégorie " + code
}

// figuresOf returns the figures of one of the compared territories (the
// page's own, or a parent's).
func (d *dashboard) figuresOf(t *geo.Territory) (figureSet, bool) {
	for _, c := range d.cmp {
		if c.t == t {
			return c.fs, true
		}
	}
	if t == d.t {
		return d.fs, true
	}
	return figureSet{}, false
}

// franceOf returns France among the compared territories, or nil.
func (d *dashboard) franceOf() *geo.Territory {
	for _, c := range d.cmp {
		if c.t.Kind == geo.France {
			return c.t
		}
	}
	return nil
}

// breakdownAt returns the figures of measure for territory t broken down by
// key (raw values: no seasonal adjustment) for one period, or for the
// latest period with any when period is "".
func breakdownAt(fs figureSet, t *geo.Territory, measure, key, period string) []indicator.Figure {
	keep := func(f indicator.Figure) bool {
		// Raw values of this breakdown alone: "NA28I=GZ", not "NA28I=GZ;SA=CVS".
		return f.Territory == t.ID() && !strings.Contains(f.Dim, ";") && dimValue(f.Dim, key) != ""
	}
	if period == "" {
		for _, f := range fs.byMeasure[measure] {
			if keep(f) && comparePeriods(f.Period, period) > 0 {
				period = f.Period
			}
		}
	}
	var out []indicator.Figure
	for _, f := range fs.byMeasure[measure] {
		if keep(f) && f.Period == period {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b indicator.Figure) int { return strings.Compare(a.Dim, b.Dim) })
	return out
}

// totalOf is the all-category figure of a breakdown's period, or the sum of
// its present parts when none is published.
func totalOf(fs figureSet, t *geo.Territory, measure, period string, parts []indicator.Figure) float64 {
	for _, f := range fs.series(measure, "", t.ID()) {
		if f.Period == period && f.Status == indicator.Present {
			return f.Value
		}
	}
	sum := 0.0
	for _, f := range parts {
		if f.Status == indicator.Present {
			sum += f.Value
		}
	}
	return sum
}

func share(v, total float64) *float64 {
	if total <= 0 {
		return nil
	}
	return ptr(float64(int(v/total*1000+0.5)) / 10)
}

// regionalSectors shows a région's private salaried jobs by sector
// (secteur_na28i of the regional series, latest quarter), as shares beside
// France's, with the counts in the table.
func (d *dashboard) regionalSectors() (*chartView, error) {
	if d.t.Kind != geo.Region && d.t.Kind != geo.France {
		return nil, nil
	}
	parts := breakdownAt(d.fs, d.t, indicator.EffSalTrim, "NA28I", "")
	if len(parts) == 0 {
		return nil, nil
	}
	period := parts[0].Period
	total := totalOf(d.fs, d.t, indicator.EffSalTrim, period, parts)
	var fr []indicator.Figure
	var frTotal float64
	france := d.franceOf()
	if france != nil && france != d.t {
		if ffs, ok := d.figuresOf(france); ok {
			fr = breakdownAt(ffs, france, indicator.EffSalTrim, "NA28I", period)
			frTotal = totalOf(ffs, france, indicator.EffSalTrim, period, fr)
		}
	}
	cats := make([]string, len(parts))
	own := make([]*float64, len(parts))
	nat := make([]*float64, len(parts))
	head := []string{"Secteur", "Effectifs salariés", "Part dans la région"}
	if d.t.Kind == geo.France {
		head[2] = "Part en France"
	}
	if len(fr) > 0 {
		head = append(head, "Part en France")
	}
	tbl := tableView{Head: head}
	all := slices.Clone(parts)
	for i, f := range parts {
		code := dimValue(f.Dim, "NA28I")
		cats[i] = na28iLabel(code)
		row := rowView{Head: cats[i], Cells: []string{cell(f, 0, ""), "–"}}
		if f.Status == indicator.Present {
			own[i] = share(f.Value, total)
			if own[i] != nil {
				row.Cells[1] = formatPercent(*own[i])
			}
		}
		if len(fr) > 0 {
			text := "–"
			for _, g := range fr {
				if g.Dim == f.Dim && g.Status == indicator.Present {
					nat[i] = share(g.Value, frTotal)
					if nat[i] != nil {
						text = formatPercent(*nat[i])
					}
					all = withSource(all, g)
				}
			}
			row.Cells = append(row.Cells, text)
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	series := []chartSeries{{Name: d.t.Name, Values: own}}
	if len(fr) > 0 {
		series = append(series, chartSeries{Name: france.Name, Values: nat})
	}
	spec := chartSpec{id: "secteurs-regionaux", kind: "hbar", categories: cats, unit: "%", decimals: 1, zero: true, series: series,
		compare: regionalSectorsCompare(parts, len(series))}
	label := fmt.Sprintf("Part de chaque secteur dans l'emploi salarié privé de %s au trimestre %s", d.t.Name, period)
	if len(fr) > 0 {
		label += ", comparée à la France"
	}
	return d.chart(spec, "Emploi salarié privé par secteur – "+period, label, all,
		[]string{"Effectifs bruts en fin de trimestre, par secteur de la série régionale (NA 28i)."}, tbl)
}

// homeEmployees shows the employees of private households of a
// département or région by job category.
func (d *dashboard) homeEmployees() (*chartView, error) {
	if d.t.Kind != geo.Departement && d.t.Kind != geo.Region {
		return nil, nil
	}
	parts := breakdownAt(d.fs, d.t, indicator.SalariesPartEmp, "CATEGORIE", "")
	if len(parts) == 0 {
		return nil, nil
	}
	period := parts[0].Period
	total := totalOf(d.fs, d.t, indicator.SalariesPartEmp, period, parts)
	cats := make([]string, len(parts))
	vals := make([]*float64, len(parts))
	tbl := tableView{Head: []string{"Catégorie d'emploi", "Salariés", "Part"}}
	for i, f := range parts {
		cats[i] = categoryLabel(dimValue(f.Dim, "CATEGORIE"))
		row := rowView{Head: cats[i], Cells: []string{cell(f, 0, ""), "–"}}
		if f.Status == indicator.Present {
			vals[i] = ptr(f.Value)
			if s := share(f.Value, total); s != nil {
				row.Cells[1] = formatPercent(*s)
			}
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	spec := chartSpec{id: "particuliers-employeurs", kind: "hbar", categories: cats, zero: true,
		series: []chartSeries{{Name: "Salariés", Values: vals}}, compare: dimCompare(nil, parts)}
	return d.chart(spec, "Salariés des particuliers employeurs par catégorie d'emploi en "+period,
		fmt.Sprintf("Salariés des particuliers employeurs de %s par catégorie d'emploi en %s", d.t.Name, period),
		parts, []string{"Un salarié employé par plusieurs particuliers est compté une fois par catégorie d'emploi."}, tbl)
}

// homeEmployeesRate compares the employees of private households per
// 1,000 inhabitants of a département or région with its parents.
func (d *dashboard) homeEmployeesRate() (*chartView, error) {
	if d.t.Kind != geo.Departement && d.t.Kind != geo.Region {
		return nil, nil
	}
	own := d.fs.series(indicator.SalariesPartEmp, "", d.t.ID())
	if len(own) == 0 {
		return nil, nil
	}
	period := own[len(own)-1].Period
	year, _ := strconv.Atoi(period)
	var cats []string
	var all []indicator.Figure
	vals := make([]*float64, 0, len(d.cmp))
	tbl := tableView{Head: []string{"Territoire", "Salariés", "Habitants", "Pour 1 000 habitants"}}
	popYears := map[int]bool{}
	for _, c := range d.cmp {
		if c.t.Kind != geo.Departement && c.t.Kind != geo.Region && c.t.Kind != geo.France {
			continue
		}
		row := rowView{Head: c.t.Name, Cells: []string{"–", "–", "–"}}
		var v *float64
		for _, f := range c.fs.series(indicator.SalariesPartEmp, "", c.t.ID()) {
			if f.Period != period {
				continue
			}
			all = withSource(all, f)
			row.Cells[0] = cell(f, 0, "")
			if p, ok := populationNear(c.t, year); ok && f.Status == indicator.Present && p.Value > 0 {
				r := f.Value / float64(p.Value) * 1000
				v = ptr(float64(int(r*10+0.5)) / 10)
				row.Cells[1] = formatInt(p.Value)
				row.Cells[2] = formatDecimal(r, 1)
				popYears[p.Year] = true
			}
		}
		cats = append(cats, c.t.Name)
		vals = append(vals, v)
		tbl.Rows = append(tbl.Rows, row)
	}
	if len(vals) == 0 || vals[0] == nil {
		return nil, nil
	}
	var ys []string
	for y := range popYears {
		ys = append(ys, strconv.Itoa(y))
	}
	slices.Sort(ys)
	spec := chartSpec{id: "particuliers-employeurs-habitants", kind: "bar", categories: cats, zero: true, decimals: 1,
		series: []chartSeries{{Name: "Salariés pour 1 000 habitants", Values: vals}}, compare: perInhabitants(indicator.SalariesPartEmp, 1000)}
	return d.chart(spec, "Salariés des particuliers employeurs pour 1 000 habitants en "+period,
		fmt.Sprintf("Salariés des particuliers employeurs pour 1 000 habitants de %s en %s, comparés aux territoires parents", d.t.Name, period),
		all, []string{"Habitants : population légale " + strings.Join(ys, ", ") + "."}, tbl)
}

// populationNear returns the legal population of t for year, or the
// nearest year published.
func populationNear(t *geo.Territory, year int) (geo.Pop, bool) {
	var best geo.Pop
	found := false
	for _, p := range t.Population {
		if !found || abs(p.Year-year) < abs(best.Year-year) {
			best, found = p, true
		}
	}
	return best, found
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
