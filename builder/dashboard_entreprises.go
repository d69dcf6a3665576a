package builder

import (
	"fmt"
	"slices"

	"territoires/indicator"
)

// The Entreprises theme: business and establishment creations (Insee,
// SIDE: DS_SIDE_CREA_ENT_COM and DS_SIDE_CREA_ETAB_COM) over the years, by
// sector, and per inhabitant compared with the parents.

// a10Groups are the sectors of the creation statistics (A10 sections,
// agriculture not covered) in seven groups, one colour each of the
// palette: finance with real estate, information with business services.
var a10Groups = []struct {
	name  string
	codes []string
}{
	{"Industrie", []string{"BE"}},
	{"Construction", []string{"FZ"}},
	{"Commerce, transports, hébergement et restauration", []string{"GI"}},
	{"Information, communication, services aux entreprises", []string{"JZ", "MN"}},
	{"Finance, assurance, immobilier", []string{"KZ", "LZ"}},
	{"Administration, enseignement, santé", []string{"OQ"}},
	{"Autres services aux ménages", []string{"RU"}},
}

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

// creationsBySector stacks the business creations of each group of
// sectors, year by year, for the years the breakdown is published.
func (d *dashboard) creationsBySector() (*chartView, error) {
	byYear := map[string]map[string]indicator.Figure{}
	var years []string
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
	}
	if len(years) == 0 {
		return nil, nil
	}
	slices.SortFunc(years, comparePeriods)
	spec := chartSpec{id: "creations-secteurs", kind: "bar", categories: years, zero: true}
	tbl := tableView{Head: append([]string{"Secteur"}, years...)}
	var all []indicator.Figure
	var notes []string
	for _, g := range a10Groups {
		vals := make([]*float64, len(years))
		row := rowView{Head: g.name}
		found := false
		for i, y := range years {
			sum, text, present := 0.0, "–", true
			for _, code := range g.codes {
				f, ok := byYear[y][code]
				if !ok {
					present = false
					continue
				}
				all = append(all, f)
				found = true
				if f.Status != indicator.Present {
					present, text = false, cell(f, 0, "")
					if f.Status == indicator.Secret && len(notes) == 0 {
						notes = append(notes, "Valeurs manquantes : "+secretNote+".")
					}
					break
				}
				sum += f.Value
			}
			if present {
				vals[i], text = ptr(sum), formatDecimal(sum, 0)
			}
			row.Cells = append(row.Cells, text)
		}
		if found {
			tbl.Rows = append(tbl.Rows, row)
			spec.series = append(spec.series, chartSeries{Name: g.name, Values: vals, Stack: "total"})
		}
	}
	if len(spec.series) == 0 {
		return nil, nil
	}
	title := "Créations d'entreprises par secteur"
	if len(years) == 1 {
		title += " en " + years[0]
	} else {
		title += fmt.Sprintf(" de %s à %s", years[0], years[len(years)-1])
	}
	return d.chart(spec, title, fmt.Sprintf("Entreprises créées à %s par secteur d'activité et par année", d.t.Name), all, notes, tbl)
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
