package builder

import (
	"fmt"
	"slices"

	"territoires/indicator"
)

// The Entreprises theme: business and establishment creations (Insee,
// SIDE: DS_SIDE_CREA_ENT_COM and DS_SIDE_CREA_ETAB_COM) over the years, by
// sector, and per inhabitant compared with the parents.

// sectorGroup is a group of sector codes shown as one.
type sectorGroup struct {
	name  string
	codes []string
}

// a10Groups are the sectors of the creation statistics (A10 sections,
// agriculture not covered) in seven groups, one colour each of the
// palette: finance with real estate, information with business services.
var a10Groups = []sectorGroup{
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

// creationsBySector shows the business creations of each group of
// sectors: as bars for the one year a breakdown is published (Insee's
// communal files break down the latest year only), stacked year by year
// when there are several.
func (d *dashboard) creationsBySector() (*chartView, error) {
	byYear := map[string]map[string]indicator.Figure{}
	var years, codes []string
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
		if !slices.Contains(codes, sec) {
			codes = append(codes, sec)
		}
	}
	if len(years) == 0 {
		return nil, nil
	}
	slices.SortFunc(years, comparePeriods)
	// A code outside the groups (another nomenclature) is shown on its own.
	groups := slices.Clone(a10Groups)
	slices.Sort(codes)
	for _, c := range codes {
		if !slices.ContainsFunc(groups, func(g sectorGroup) bool { return slices.Contains(g.codes, c) }) {
			groups = append(groups, sectorGroup{c, []string{c}})
		}
	}
	tbl := tableView{Head: append([]string{"Secteur"}, years...)}
	var names []string
	var series [][]*float64 // by group, then year
	var all []indicator.Figure
	var notes []string
	for _, g := range groups {
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
				all = withSource(all, f)
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
			names = append(names, g.name)
			series = append(series, vals)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	label := fmt.Sprintf("Entreprises créées à %s par secteur d'activité", d.t.Name)
	if len(years) == 1 {
		vals := make([]*float64, len(series))
		for i, s := range series {
			vals[i] = s[0]
		}
		spec := chartSpec{id: "creations-secteurs", kind: "hbar", categories: names, zero: true,
			series: []chartSeries{{Name: "Entreprises créées", Values: vals}}, compare: sectorGroupsCompare(names, groups, true)}
		return d.chart(spec, "Créations d'entreprises par secteur en "+years[0], label+" en "+years[0], all, notes, tbl)
	}
	spec := chartSpec{id: "creations-secteurs", kind: "bar", categories: years, zero: true, compare: sectorGroupsCompare(names, groups, false)}
	for i, name := range names {
		spec.series = append(spec.series, chartSeries{Name: name, Values: series[i], Stack: "total"})
	}
	return d.chart(spec, fmt.Sprintf("Créations d'entreprises par secteur de %s à %s", years[0], years[len(years)-1]),
		label+" et par année", all, notes, tbl)
}

func (d *dashboard) creationsPerInhabitant() (*chartView, error) {
	own, ok := d.fs.latest(indicator.CreationsEnt)
	if !ok {
		return nil, nil
	}
	return d.perInhabitant("creations-habitants", own.Period, "Créations d'entreprises pour 1 000 habitants en "+own.Period,
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
