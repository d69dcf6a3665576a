package builder

import (
	"fmt"
	"slices"

	"territoires/indicator"
)

// The Entreprises theme: business and establishment creations (Insee,
// SIDE: DS_SIDE_CREA_ENT_COM and DS_SIDE_CREA_ETAB_COM) over the years, by
// sector, and per inhabitant compared with the parents.

// a10Labels name the A10 sections of the creation statistics (agriculture
// is not covered).
var a10Labels = map[string]string{
	"BE": "Industrie", "FZ": "Construction", "GI": "Commerce, transports, hébergement et restauration",
	"JZ": "Information et communication", "KZ": "Finance et assurance", "LZ": "Immobilier",
	"MN": "Services aux entreprises", "OQ": "Administration, enseignement, santé", "RU": "Autres services aux ménages",
}

// a10Order is the order of the sections in charts and tables.
var a10Order = []string{"BE", "FZ", "GI", "JZ", "KZ", "LZ", "MN", "OQ", "RU"}

func (d *dashboard) creations() (*chartView, error) {
	ent, etab := d.fs.series(indicator.CreationsEnt, "", d.t.ID()), d.fs.series(indicator.CreationsEtab, "", d.t.ID())
	if len(ent)+len(etab) == 0 {
		return nil, nil
	}
	all := append(slices.Clone(ent), etab...)
	slices.SortFunc(all, func(a, b indicator.Figure) int { return comparePeriods(a.Period, b.Period) })
	c, err := d.timeChart("creations", "Créations d'entreprises et d'établissements",
		fmt.Sprintf("Entreprises et établissements créés à %s par année, de %s à %s", d.t.Name, all[0].Period, all[len(all)-1].Period),
		"line", "", 0, []line{{name: "Entreprises créées", figs: ent}, {name: "Établissements créés", figs: etab}})
	if c != nil {
		c.Notes = append(c.Notes, "Créations dans l'industrie, la construction, le commerce et les services (hors agriculture), micro-entrepreneurs compris.")
	}
	return c, err
}

// creationsBySector stacks the business creations of each sector, year by
// year, for the years the breakdown is published.
func (d *dashboard) creationsBySector() (*chartView, error) {
	byYear := map[string]map[string]indicator.Figure{}
	var years, sectors []string
	for _, f := range d.fs.byMeasure[indicator.CreationsEnt] {
		sec := dimValue(f.Dim, "ACTIVITY")
		if f.Territory != d.t.ID() || sec == "" || sec == "_T" {
			continue
		}
		if byYear[f.Period] == nil {
			byYear[f.Period] = map[string]indicator.Figure{}
			years = append(years, f.Period)
		}
		byYear[f.Period][sec] = f
		if !slices.Contains(sectors, sec) {
			sectors = append(sectors, sec)
		}
	}
	if len(years) == 0 {
		return nil, nil
	}
	slices.SortFunc(years, comparePeriods)
	slices.SortFunc(sectors, func(a, b string) int { return orderOf(a10Order, a) - orderOf(a10Order, b) })
	spec := chartSpec{id: "creations-secteurs", kind: "bar", categories: years, zero: true}
	tbl := tableView{Head: append([]string{"Secteur"}, years...)}
	var all []indicator.Figure
	var notes []string
	for _, sec := range sectors {
		name := a10Labels[sec]
		if name == "" {
			name = sec
		}
		vals := make([]*float64, len(years))
		row := rowView{Head: name}
		for i, y := range years {
			f, ok := byYear[y][sec]
			if !ok {
				row.Cells = append(row.Cells, "–")
				continue
			}
			all = append(all, f)
			row.Cells = append(row.Cells, cell(f, 0, ""))
			if f.Status == indicator.Present {
				vals[i] = ptr(f.Value)
			} else if f.Status == indicator.Secret && len(notes) == 0 {
				notes = append(notes, "Valeurs manquantes : "+secretNote+".")
			}
		}
		tbl.Rows = append(tbl.Rows, row)
		spec.series = append(spec.series, chartSeries{Name: name, Values: vals, Stack: "total"})
	}
	title := "Créations d'entreprises par secteur"
	if len(years) == 1 {
		title += " en " + years[0]
	} else {
		title += fmt.Sprintf(" de %s à %s", years[0], years[len(years)-1])
	}
	return d.chart(spec, title, fmt.Sprintf("Entreprises créées à %s par secteur d'activité et par année", d.t.Name), all, notes, tbl)
}

// orderOf is the position of s in order, or past the end.
func orderOf(order []string, s string) int {
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}

func (d *dashboard) creationsPerInhabitant() (*chartView, error) {
	own, ok := d.fs.latest(indicator.CreationsEnt)
	if !ok {
		return nil, nil
	}
	return d.perInhabitant("creations-habitants", "Créations d'entreprises pour 1 000 habitants en "+own.Period,
		"Entreprises créées dans l'année pour 1 000 habitants, comparées aux territoires parents",
		"Entreprises créées", 1000, "Créations pour 1 000 habitants", nil,
		func(fs figureSet) (float64, string, []indicator.Figure, bool) {
			f, ok := fs.figureAt(indicator.CreationsEnt, "", own.Period)
			if !ok {
				return 0, "", nil, false
			}
			return f.Value, cell(f, 0, ""), []indicator.Figure{f}, f.Status == indicator.Present
		})
}
