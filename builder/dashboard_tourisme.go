package builder

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"territoires/indicator"
)

// The Tourisme theme (Insee, DS_TOUR_CAP): hotels and their rooms,
// campsites and their pitches, by star rating; other collective tourist
// accommodation and its beds; tourist beds per inhabitant compared with
// the parents.

// Activities of DS_TOUR_CAP.
const (
	actHotels    = "I551"
	actOthers    = "I552" // holiday villages, tourist residences, hostels
	actCampsites = "I553"
)

// Beds counted for a hotel room and a campsite pitch, as tourism
// statistics usually count them; other accommodation publishes its beds.
const (
	bedsPerRoom  = 2
	bedsPerPitch = 3
)

var rankingLabels = []struct{ code, name string }{
	{"NC", "Non classé"}, {"1", "1 étoile"}, {"2", "2 étoiles"}, {"3", "3 étoiles"}, {"4", "4 étoiles"}, {"5", "5 étoiles"},
}

// tourTotal returns the latest total of a measure for an activity.
func tourTotal(fs figureSet, measure, act string) (indicator.Figure, bool) {
	dim, ok := tourTotalDims[act]
	if !ok {
		dim = "ACTIVITY=" + act + ";RANKING=_T"
	}
	return latestOf(fs, measure, dim)
}

// tourTotalDims are the breakdowns of the totals of each activity.
var tourTotalDims = map[string]string{
	actHotels:    "ACTIVITY=" + actHotels + ";RANKING=_T",
	actOthers:    "ACTIVITY=" + actOthers + ";RANKING=_T",
	actCampsites: "ACTIVITY=" + actCampsites + ";RANKING=_T",
}

// capacityUnit names the places of an activity.
func capacityUnit(act string) string {
	switch act {
	case actHotels:
		return "chambres"
	case actCampsites:
		return "emplacements"
	}
	return "lits"
}

func (d *dashboard) accommodation() (*chartView, error) {
	kinds := []struct{ act, name string }{
		{actHotels, "Hôtels"}, {actCampsites, "Campings"}, {actOthers, "Autres hébergements collectifs"},
	}
	var cats []string
	var vals []*float64
	var all []indicator.Figure
	tbl := tableView{Head: []string{"Hébergement", "Établissements", "Capacité"}}
	period, some := "", false
	for _, k := range kinds {
		n, ok := tourTotal(d.fs, indicator.TourCapacite, k.act)
		if !ok {
			continue
		}
		period = n.Period
		all = withSource(all, n)
		row := rowView{Head: k.name, Cells: []string{cell(n, 0, ""), "–"}}
		var v *float64
		if n.Status == indicator.Present {
			v = ptr(n.Value)
			some = some || n.Value > 0
		}
		if p, ok := d.fs.figureAt(indicator.TourPlaces, n.Dim, n.Period); ok {
			all = withSource(all, p)
			row.Cells[1] = cell(p, 0, capacityUnit(k.act))
		}
		cats = append(cats, k.name)
		vals = append(vals, v)
		tbl.Rows = append(tbl.Rows, row)
	}
	if !some {
		return nil, nil
	}
	spec := chartSpec{id: "tourisme-hebergements", kind: "hbar", categories: cats, zero: true,
		series: []chartSeries{{Name: "Établissements", Values: vals}}, compare: accommodationCompare(kinds, cats)}
	return d.chart(spec, "Hébergements touristiques en "+period,
		fmt.Sprintf("Hôtels, campings et autres hébergements collectifs de tourisme à %s en %s", d.t.Name, period),
		all, []string{"Autres hébergements collectifs : villages de vacances, résidences de tourisme, auberges de jeunesse, centres sportifs."}, tbl)
}

// byStars makes a bar chart of the establishments of an activity and of
// their places by star rating, places on a second axis.
func (d *dashboard) byStars(id, act, title, what, places string) (*chartView, error) {
	total, ok := tourTotal(d.fs, indicator.TourCapacite, act)
	if !ok || total.Status != indicator.Present || total.Value == 0 {
		return nil, nil
	}
	var cats []string
	var ns, ps []*float64
	var all []indicator.Figure
	tbl := tableView{Head: []string{"Classement", what, places}}
	for _, r := range rankingLabels {
		dim := "ACTIVITY=" + act + ";RANKING=" + r.code
		n, okN := d.fs.figureAt(indicator.TourCapacite, dim, total.Period)
		p, okP := d.fs.figureAt(indicator.TourPlaces, dim, total.Period)
		if !okN && !okP {
			continue
		}
		row := rowView{Head: r.name, Cells: []string{"–", "–"}}
		var nv, pv *float64
		if okN {
			all = withSource(all, n)
			row.Cells[0] = cell(n, 0, "")
			if n.Status == indicator.Present {
				nv = ptr(n.Value)
			}
		}
		if okP {
			all = withSource(all, p)
			row.Cells[1] = cell(p, 0, "")
			if p.Status == indicator.Present {
				pv = ptr(p.Value)
			}
		}
		cats = append(cats, r.name)
		ns, ps = append(ns, nv), append(ps, pv)
		tbl.Rows = append(tbl.Rows, row)
	}
	if len(cats) == 0 {
		return nil, nil
	}
	total2 := rowView{Head: "Total", Cells: []string{cell(total, 0, ""), "–"}}
	all = withSource(all, total)
	if p, ok := d.fs.figureAt(indicator.TourPlaces, total.Dim, total.Period); ok {
		all = withSource(all, p)
		total2.Cells[1] = cell(p, 0, "")
	}
	tbl.Rows = append(tbl.Rows, total2)
	spec := chartSpec{id: id, kind: "bar", categories: cats, zero: true, compare: starsCompare(act, cats), series: []chartSeries{
		{Name: what, Values: ns}, {Name: places, Values: ps, Right: true},
	}}
	c, err := d.chart(spec, title+" en "+total.Period,
		fmt.Sprintf("%s (axe de gauche) et %s (axe de droite) de %s par classement en étoiles, %s",
			what, lowerFirst(places), d.t.Name, total.Period), all, nil, tbl)
	if c != nil {
		c.Notes = append(c.Notes, what+" sur l'axe de gauche ; "+lowerFirst(places)+" sur l'axe de droite.")
	}
	return c, err
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func (d *dashboard) hotelsByStars() (*chartView, error) {
	return d.byStars("tourisme-hotels", actHotels, "Hôtels et chambres par classement", "Hôtels", "Chambres")
}

func (d *dashboard) campsitesByStars() (*chartView, error) {
	return d.byStars("tourisme-campings", actCampsites, "Campings et emplacements par classement", "Campings", "Emplacements")
}

// touristBeds estimates the beds of a territory's tourist accommodation:
// two a hotel room, three a campsite pitch, and the beds of the other
// accommodation. It is missing when one of them is.
func touristBeds(fs figureSet) (float64, string, []indicator.Figure, bool) {
	figs := make([]indicator.Figure, 0, 3)
	beds, ok := 0.0, true
	text := ""
	for _, part := range []struct {
		act string
		per float64
	}{{actHotels, bedsPerRoom}, {actCampsites, bedsPerPitch}, {actOthers, 1}} {
		f, has := tourTotal(fs, indicator.TourPlaces, part.act)
		if !has {
			ok = false
			continue
		}
		figs = append(figs, f)
		if f.Status != indicator.Present {
			ok = false
			text = cell(f, 0, "")
			continue
		}
		beds += f.Value * part.per
	}
	if len(figs) == 0 {
		return 0, "", nil, false
	}
	if ok {
		text = formatDecimal(beds, 0)
	}
	return beds, text, figs, ok
}

func (d *dashboard) touristBedsPerInhabitant() (*chartView, error) {
	f, ok := tourTotal(d.fs, indicator.TourPlaces, actHotels)
	if !ok {
		return nil, nil
	}
	notes := []string{fmt.Sprintf("Lits estimés : %d par chambre d'hôtel, %d par emplacement de camping, plus les lits des autres hébergements collectifs ; résidences secondaires non comprises.", bedsPerRoom, bedsPerPitch)}
	if beds, _, _, ok := touristBeds(d.fs); ok && beds == 0 {
		notes = append([]string{fmt.Sprintf("Aucun hôtel, camping ni autre hébergement collectif de tourisme recensé à %s en %s.", d.t.Name, f.Period)}, notes...)
	}
	return d.perInhabitant("tourisme-lits", "", "Lits touristiques pour 100 habitants en "+f.Period,
		"Lits touristiques estimés pour 100 habitants (taux de fonction touristique), comparés aux territoires parents",
		"Lits touristiques", 100, "Lits pour 100 habitants", notes, touristBeds)
}
