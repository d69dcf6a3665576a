package builder

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"territoires/geo"
)

// keyFigureCols and chartRankCols name the column of the pre-pass that
// ranks a key figure (by its label) and a chart (by its id, its main
// measure; two for the chart of activity and unemployment).
var (
	keyFigureCols = map[string]statCol{
		"Habitants": colPop, "Revenu médian": colIncome, "Taux de chômage": colUnemp,
		"Emplois salariés privés": colSalaried, "Logements": colDwellings,
	}
	chartRankCols = map[string][]statCol{
		"population-legale":     {colPop},
		"population-historique": {colPopHist},
		"naissances-deces":      {colBirths},
		"revenus-deciles":       {colIncome},
		"pauvrete":              {colPoverty},
		"activite-chomage":      {colActivity, colUnemp},
		"emplois":               {colJobs100},
		"emploi-salarie":        {colSalaried},
		"auto-entrepreneurs":    {colAE},
		"logements":             {colDwellings},
	}
	colNames = map[statCol]string{
		colActivity: "taux d'activité", colUnemp: "taux de chômage",
	}
)

// rankNote says once on a page how ranks read.
const rankNote = "Rangs du plus élevé au plus faible, parmi les territoires dont le chiffre est publié."

// decorate adds to a territory's page what the pre-pass knows: its ranks
// under the key figures and the charts, and the tables of its children,
// whose CSV it publishes. A chart's rank already said by a key figure
// (population, income, unemployment, salaried jobs) is not said again:
// with the size band, a rank is some 100 bytes, on 36,000 pages.
func (s *siteStats) decorate(pub *Publisher, v *pageView, built func(*geo.Territory) bool) error {
	if s == nil {
		return nil
	}
	shown := map[statCol]bool{}
	for i := range v.KeyFigures {
		if c, ok := keyFigureCols[v.KeyFigures[i].Label]; ok {
			v.KeyFigures[i].Ranks = s.rankTexts(v.T, c)
			if len(v.KeyFigures[i].Ranks) > 0 {
				v.RankNote = rankNote
				shown[c] = true
			}
		}
	}
	// A chart's note: "Rang : taux d'activité : 256e sur 391 communes de
	// l'Ain ; 6 849e ex aequo sur 11 135 communes de France de …", written
	// in one buffer.
	const sep = " ; "
	note := make([]byte, 0, 512)
	for i := range v.Themes {
		for j := range v.Themes[i].Charts {
			c := &v.Themes[i].Charts[j]
			note = append(note[:0], "Rang : "...)
			for _, col := range chartRankCols[c.ID] {
				if shown[col] {
					continue
				}
				mark := len(note)
				if name := colNames[col]; name != "" {
					note = append(append(note, name...), " : "...)
				}
				n := 0
				note = s.appendRanks(note, v.T, col, func(b []byte) []byte {
					n++
					return append(b, sep...)
				})
				if n == 0 {
					note = note[:mark]
				}
			}
			if len(note) > len("Rang : ") {
				note = append(note[:len(note)-len(sep)], '.')
				c.Notes = append(c.Notes, string(note))
				v.RankNote = rankNote
			}
		}
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	for i := range v.Groups {
		g := &v.Groups[i]
		g.Table = s.childTableOf(v.Site, v.T, g, built)
		if g.Table == nil {
			continue
		}
		buf.Reset()
		g.Table.writeCSV(buf, s)
		if err := pub.Write(g.Table.csvPath, buf.Bytes()); err != nil {
			return fmt.Errorf("table %s: %w", g.ID, err)
		}
	}
	return nil
}

// departementsOf lists the départements of régions, by code: France's page
// lists them (its communes would be too many).
func departementsOf(regions []*geo.Territory) []*geo.Territory {
	var out []*geo.Territory
	for _, r := range regions {
		for _, d := range r.Children {
			if d.Kind == geo.Departement {
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, func(a, b *geo.Territory) int { return strings.Compare(a.Code, b.Code) })
	return out
}
