package meloditest

import (
	"math"
	"strconv"

	"territoires/fetch/fetchtest"
	"territoires/geo"
)

// cell is one generated observation of a territory, without GEO.
type cell struct {
	dims   []string // codes, in the order of fakeDataset.dims
	value  float64
	secret bool
}

// fakeDataset describes one MELODI dataset of the fake, with the
// dimension names and codes of the real one (API-FACTS.md,
// MELODI-CATALOGUE.md).
type fakeDataset struct {
	id, title string
	periods   []string
	modified  string
	levels    []string // spatialResolution: the GEO objects served
	fm        bool     // also serves FRANCE-FM, metropolitan France
	dims      []string // dimensions besides GEO and TIME_PERIOD, in CSV order
	attrs     []string // attribute columns of the CSV
	cells     func(g *fetchtest.Generator, t *geo.Territory, period string, emit func(cell))
}

func years(from, to int) []string {
	var ys []string
	for y := from; y <= to; y++ {
		ys = append(ys, strconv.Itoa(y))
	}
	return ys
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

var (
	allLevels = []string{"COM", "ARM", "ARR", "EPCI", "DEP", "REG", "FRANCE", "ZE2020", "UU2020", "AAV2020", "BV2022"}
	popLevels = []string{"COM", "ARM", "ARR", "DEP", "REG", "FRANCE"} // no EPCI, no zoning
	rpEduc    = []string{"001T100_RP", "200_RP", "300_RP", "350T351_RP", "500_RP", "600_RP", "700_RP"}
	a17       = []string{"AZ", "C1", "C2", "C3", "C4", "C5", "DE", "FZ", "GZ", "HZ", "IZ", "JZ", "KZ", "LZ", "MN", "OQ", "RU"}
	a10       = []string{"BE", "FZ", "GI", "JZ", "KZ", "LZ", "MN", "OQ", "RU"}
)

// counts spreads a total over shares, rounding.
func share(total, s float64) float64 { return math.Round(total * s) }

// fakeDatasets are the datasets the fake serves.
var fakeDatasets = []*fakeDataset{
	{
		id: "DS_POPULATIONS_REFERENCE", title: "Populations de référence", periods: years(2021, 2023),
		modified: "2025-12-29T10:00:00", levels: popLevels, fm: true,
		dims: []string{"FREQ", "POPREF_MEASURE"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			pm := g.Population(t, atoi(p))
			capt := g.Additive(t, "popcap", func(c *geo.Territory) float64 { return float64(int(fetchtest.Pop(c) * 0.015)) })
			emit(cell{dims: []string{"A", "PMUN"}, value: pm})
			emit(cell{dims: []string{"A", "PTOT"}, value: pm + capt})
			emit(cell{dims: []string{"A", "PCAP"}, value: capt})
		},
	},
	{
		id: "DS_POPULATIONS_HISTORIQUES", title: "Populations municipales de 1968 à 2023",
		periods:  []string{"1968", "1975", "1982", "1990", "1999", "2006", "2011", "2016", "2022", "2023"},
		modified: "2025-12-29T10:00:00", levels: popLevels, fm: true,
		dims: []string{"FREQ", "POPREF_MEASURE"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			m := "PMUN"
			if atoi(p) < 1999 {
				m = "PSDC"
			}
			emit(cell{dims: []string{"A", m}, value: g.Population(t, atoi(p))})
		},
	},
	{
		id: "DS_RP_POPULATION_PRINC", title: "Population selon le sexe et l'âge", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels, fm: true,
		dims: []string{"SEX", "AGE", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			y := atoi(p)
			for _, sex := range []string{"F", "M", "_T"} {
				total := 0.0
				band := func(a string) float64 {
					if sex == "_T" {
						return g.AgeSex(t, y, "F", a) + g.AgeSex(t, y, "M", a)
					}
					return g.AgeSex(t, y, sex, a)
				}
				for _, a := range fetchtest.CensusBands {
					v := band(a.Code)
					total += v
					emit(cell{dims: []string{sex, a.Code, "A", "POP"}, value: v})
				}
				emit(cell{dims: []string{sex, "_T", "A", "POP"}, value: total})
				// Aggregated bands, published too and not shown.
				emit(cell{dims: []string{sex, "Y_GE65", "A", "POP"}, value: band("Y65T79") + band("Y_GE80")})
			}
		},
	},
	{
		id: "DS_FILOSOFI_CC", title: "Revenus, pauvreté et niveau de vie", periods: []string{"2020", "2021"},
		modified: "2025-03-18T12:00:00", levels: allLevels,
		dims: []string{"FILOSOFI_MEASURE", "UNIT_MEASURE", "FREQ"}, attrs: []string{"UNIT_MULT", "CONF_STATUS", "OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			secret := fetchtest.IsLeaf(t) && fetchtest.Pop(t) < 1000
			for _, m := range []string{"MED_SL", "D1_SL", "D9_SL", "PR_MD60", "IR_D9_D1_SL", "NUM_HH"} {
				unit, v := "EUR_YR", fetchtest.Income(t, m)
				switch m {
				case "PR_MD60":
					unit = "PT"
				case "IR_D9_D1_SL":
					unit, v = "RATIO", math.Round(fetchtest.Income(t, "D9_SL")/fetchtest.Income(t, "D1_SL")*10)/10
				case "NUM_HH":
					unit, v = "HH", g.Additive(t, "numhh", func(c *geo.Territory) float64 { return math.Round(fetchtest.Pop(c) / 2.2) })
				}
				emit(cell{dims: []string{m, unit, "A"}, value: v, secret: secret})
			}
		},
	},
	{
		id: "DS_RP_EMPLOI_LR_PRINC", title: "Population active et chômage", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels, fm: true,
		dims: []string{"SEX", "AGE", "EDUC", "EMPSTA_ENQ", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			y := atoi(p)
			for _, age := range []string{"Y15T64", "Y15T24"} {
				f := 1.0
				if age == "Y15T24" {
					f = 0.2
				}
				for _, st := range []string{"1", "2", "_T"} {
					emit(cell{dims: []string{"_T", age, "_T", st, "A", "POP"}, value: math.Round(g.Activity(t, y, st) * f)})
				}
				emit(cell{dims: []string{"_T", age, "_T", "1T2", "A", "POP"}, value: math.Round((g.Activity(t, y, "1") + g.Activity(t, y, "2")) * f)})
			}
			emit(cell{dims: []string{"F", "Y15T64", "_T", "1", "A", "POP"}, value: math.Round(g.Activity(t, y, "1") * 0.48)})
			emit(cell{dims: []string{"_T", "Y15T64", "700_RP", "1", "A", "POP"}, value: math.Round(g.Activity(t, y, "1") * 0.2)})
		},
	},
	{
		id: "DS_RP_EMPLOI_LT_PRINC", title: "Emplois au lieu de travail", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels, fm: true,
		dims: []string{"SEX", "AGE", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			j := g.Jobs(t, atoi(p))
			emit(cell{dims: []string{"_T", "_T", "A", "POP"}, value: j})
			emit(cell{dims: []string{"F", "_T", "A", "POP"}, value: math.Round(j * 0.49)})
			emit(cell{dims: []string{"_T", "Y15T24", "A", "POP"}, value: math.Round(j * 0.1)})
		},
	},
	{
		id: "DS_FLORES_A17", title: "Nombre d'établissements et effectifs salariés en 17 grands secteurs", periods: []string{"2023"},
		modified: "2025-11-20T12:00:00", levels: allLevels, fm: true,
		dims: []string{"ACTIVITY", "NUMBER_EMPL", "LEGAL_FORM_WITH_PUBLIC", "FLORES_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			for _, m := range []string{"UNIT_LOC", "EMPL3112"} {
				total := 0.0
				for _, s := range a17 {
					v := g.Establishments(t, m, s)
					total += v
					emit(cell{dims: []string{s, "_T", "1T9X7", m}, value: v})
				}
				emit(cell{dims: []string{"_T", "_T", "1T9X7", m}, value: total})
				emit(cell{dims: []string{"_T", "1T9", "1T9X7", m}, value: math.Round(total * 0.3)})
				emit(cell{dims: []string{"_T", "_T", "7", m}, value: math.Round(total * 0.1)})
			}
		},
	},
	{
		id: "DS_ETAT_CIVIL_NAIS_COMMUNES", title: "Nombre de naissances annuelles par commune", periods: years(2015, 2024),
		modified: "2025-09-01T12:00:00", levels: allLevels,
		dims: []string{"EC_MEASURE", "FREQ"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{dims: []string{"LVB", "A"}, value: g.Events(t, "NAIS", atoi(p))})
		},
	},
	{
		id: "DS_ETAT_CIVIL_DECES_COMMUNES", title: "Nombre de décès annuels par commune", periods: years(2015, 2024),
		modified: "2025-09-01T12:00:00", levels: allLevels,
		dims: []string{"EC_MEASURE", "FREQ"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{dims: []string{"DTH", "A"}, value: g.Events(t, "DECES", atoi(p))})
		},
	},
	{
		id: "DS_TOUR_CAP", title: "Capacité des communes en hébergement touristique", periods: []string{"2025", "2026"},
		modified: "2026-01-20T12:00:00", levels: allLevels,
		dims: []string{"ACTIVITY", "UNIT_LOC_RANKING", "L_STAY", "TOUR_MEASURE", "FREQ"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			for _, act := range []string{"I551", "I552", "I553"} {
				place := "PLACE"
				if act == "I552" {
					place = "BEDPLACE"
				}
				n := g.Additive(t, "tour|"+act, func(c *geo.Territory) float64 {
					return math.Floor(fetchtest.Pop(c) / 1500 * fetchtest.Hash01(c, "tour"+act) * 2)
				})
				rankings := []string{"_T", "1", "2", "3", "4", "5", "NC"}
				if act == "I552" {
					rankings = []string{"_T", "NC"}
				}
				for _, r := range rankings {
					v := n
					if r != "_T" {
						v = math.Floor(n / float64(len(rankings)-1))
					}
					emit(cell{dims: []string{act, r, "_T", "UNIT_LOC", "A"}, value: v})
					emit(cell{dims: []string{act, r, "_T", place, "A"}, value: v * 38})
				}
				if act == "I553" {
					emit(cell{dims: []string{act, "_T", "LONG", "PLACE", "A"}, value: n * 9})
				}
			}
		},
	},
	{
		id: "DS_SIDE_CREA_ENT_COM", title: "Créations d'entreprises par activité", periods: years(2019, 2024),
		modified: "2025-02-12T12:00:00", levels: allLevels,
		dims: []string{"ACTIVITY", "LEGAL_FORM", "FREQ"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			creations(g, t, p, "ent", func(dims []string, v float64) { emit(cell{dims: append(dims, "A"), value: v}) })
		},
	},
	{
		id: "DS_SIDE_CREA_ETAB_COM", title: "Créations d'établissements par activité", periods: years(2019, 2024),
		modified: "2025-02-12T12:00:00", levels: allLevels,
		dims: []string{"ACTIVITY", "LEGAL_FORM", "SIDE_MEASURE", "FREQ"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			creations(g, t, p, "etab", func(dims []string, v float64) {
				emit(cell{dims: append(dims, "UNIT_LOC_BURE", "A"), value: math.Round(v * 1.15)})
			})
		},
	},
	{
		id: "DS_RP_LOGEMENT_PRINC", title: "Logements", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels, fm: true,
		dims:  []string{"OCS", "TDW", "TSH", "NOR", "BUILD_END", "NRG_SRC", "CARS", "CARPARK", "L_STAY", "FREQ", "RP_MEASURE"},
		attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			y := atoi(p)
			total := g.Additive(t, "logt|"+p, func(c *geo.Territory) float64 { return math.Round(g.Population(c, y) / 1.9) })
			row := func(ocs, tdw, tsh, nor string, v float64) {
				emit(cell{dims: []string{ocs, tdw, tsh, nor, "_T", "_T", "_T", "_T", "_T", "A", "DWELLINGS"}, value: v})
			}
			main, sec := share(total, 0.82), share(total, 0.1)
			row("_T", "_T", "_T", "_T", total)
			row("DW_MAIN", "_T", "_T", "_T", main)
			row("DW_SEC_DW_OCC", "_T", "_T", "_T", sec)
			row("DW_VAC", "_T", "_T", "_T", total-main-sec)
			row("_T", "1", "_T", "_T", share(total, 0.55))
			row("_T", "2", "_T", "_T", total-share(total, 0.55))
			row("DW_MAIN", "_T", "100", "_T", share(main, 0.57))
			row("DW_MAIN", "_T", "200", "_T", share(main, 0.40))
			row("DW_MAIN", "_T", "300", "_T", main-share(main, 0.57)-share(main, 0.40))
			row("DW_MAIN", "_T", "211", "_T", share(main, 0.25))
			row("_T", "_T", "_T", "3", share(total, 0.2))
			emit(cell{dims: []string{"DW_MAIN", "_T", "_T", "_T", "_T", "_T", "_T", "_T", "_T", "A", "DWELLINGS_POPSIZE"}, value: share(main, 2.2)})
		},
	},
	{
		id: "DS_RP_DIPLOMES_PRINC", title: "Diplômes et formation", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels,
		dims: []string{"SEX", "AGE", "EDUC", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			pop := g.Additive(t, "dipl|"+p, func(c *geo.Territory) float64 { return math.Round(g.Population(c, atoi(p)) * 0.72) })
			shares := []float64{0.2, 0.05, 0.22, 0.17, 0.12, 0.12, 0.12}
			total := 0.0
			for i, e := range rpEduc {
				v := share(pop, shares[i])
				total += v
				emit(cell{dims: []string{"_T", "_T", e, "A", "POP"}, value: v})
			}
			emit(cell{dims: []string{"_T", "_T", "_T", "A", "POP"}, value: total})
			emit(cell{dims: []string{"_T", "_T", "500T702_RP", "A", "POP"}, value: share(pop, 0.36)})
			emit(cell{dims: []string{"F", "_T", "_T", "A", "POP"}, value: share(pop, 0.52)})
		},
	},
	{
		id: "DS_RP_MENAGES_PRINC", title: "Ménages et couples", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels,
		dims: []string{"NPH", "OCS", "NOC", "CIVIL_STATUS", "COUPLE", "AGE", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			hh := g.Additive(t, "hh|"+p, func(c *geo.Territory) float64 { return math.Round(g.Population(c, atoi(p)) / 2.2) })
			total := 0.0
			for i, n := range []string{"1", "2", "3", "4", "5+"} {
				v := share(hh, []float64{0.37, 0.33, 0.13, 0.11, 0.06}[i])
				total += v
				emit(cell{dims: []string{n, "_T", "_T", "_T", "_T", "_T", "A", "DWELLINGS"}, value: v})
			}
			emit(cell{dims: []string{"_T", "_T", "_T", "_T", "_T", "_T", "A", "DWELLINGS"}, value: total})
			emit(cell{dims: []string{"_T", "_T", "_T", "_T", "_T", "_T", "A", "DWELLINGS_POPSIZE"}, value: share(hh, 2.2)})
			emit(cell{dims: []string{"_T", "DW_MAIN", "_T", "_T", "_T", "Y_GE80", "A", "ONEPERS"}, value: share(hh, 0.06)})
		},
	},
	{
		id: "DS_RP_FAMILLE_COMP", title: "Familles", periods: []string{"2016", "2022"},
		modified: "2025-06-26T12:00:00", levels: allLevels,
		dims: []string{"TFN", "NCH", "FREQ", "RP_MEASURE"}, attrs: []string{"OBS_STATUS"},
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			fam := g.Additive(t, "fam|"+p, func(c *geo.Territory) float64 { return math.Round(g.Population(c, atoi(p)) / 3.4) })
			mono, sans := share(fam, 0.16), share(fam, 0.42)
			for _, r := range []struct {
				tfn string
				v   float64
			}{{"_T", fam}, {"1", mono}, {"21", sans}, {"22", fam - mono - sans}, {"11", share(mono, 0.17)}, {"12", mono - share(mono, 0.17)}} {
				emit(cell{dims: []string{r.tfn, "_T", "A", "FAMILIES"}, value: r.v})
			}
			emit(cell{dims: []string{"22", "2", "A", "FAMILIES"}, value: share(fam, 0.17)})
		},
	},
}

// creations generates business or establishment creations by A10 sector.
func creations(g *fetchtest.Generator, t *geo.Territory, p, salt string, emit func(dims []string, v float64)) {
	total := 0.0
	for _, a := range a10 {
		v := g.Additive(t, salt+"|"+a+"|"+p, func(c *geo.Territory) float64 {
			return math.Floor(fetchtest.Pop(c) * 0.011 * fetchtest.Hash01(c, salt+a+p) / float64(len(a10)) * 2)
		})
		total += v
		emit([]string{a, "_T"}, v)
	}
	emit([]string{"_T", "_T"}, total)
	emit([]string{"_T", "10"}, math.Round(total*0.6))
}

func findDataset(id string) *fakeDataset {
	for _, d := range fakeDatasets {
		if d.id == id {
			return d
		}
	}
	return nil
}

// DatasetIDs lists the MELODI datasets the fake serves.
func DatasetIDs() []string {
	var ids []string
	for _, d := range fakeDatasets {
		ids = append(ids, d.id)
	}
	return ids
}
