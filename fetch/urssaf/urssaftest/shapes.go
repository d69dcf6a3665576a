package urssaftest

import (
	"iter"
	"math"
	"slices"
	"strconv"
)

// The tables below have the fields, in the order, of the real exports
// (shared/API-FACTS.md, "URSSAF ... field names of the exports"). What the
// real files hold beyond the field names (the form of trimestre, subtotal
// rows, the codes of secteur_na28i and of the job categories) is not
// known: the fake writes one plausible form, and the options Subtotals and
// Hostile write the forms a client must defend against.

// ancienneRegion returns the code of the région before 2016 of a
// département ("69" → "82" Rhône-Alpes); a région that did not merge keeps
// its code.
func ancienneRegion(dep, region string) string {
	if a, ok := anciennes[dep]; ok {
		return a
	}
	return region
}

var anciennes = func() map[string]string {
	m := map[string]string{}
	for code, deps := range map[string][]string{
		"21": {"08", "10", "51", "52"}, "22": {"02", "60", "80"}, "23": {"27", "76"},
		"25": {"14", "50", "61"}, "26": {"21", "58", "71", "89"}, "31": {"59", "62"},
		"41": {"54", "55", "57", "88"}, "42": {"67", "68"}, "43": {"25", "39", "70", "90"},
		"54": {"16", "17", "79", "86"}, "72": {"24", "33", "40", "47", "64"},
		"73": {"09", "12", "31", "32", "46", "65", "81", "82"}, "74": {"19", "23", "87"},
		"82": {"01", "07", "26", "38", "42", "69", "73", "74"}, "83": {"03", "15", "43", "63"},
		"91": {"11", "30", "34", "48", "66"},
	} {
		for _, d := range deps {
			m[d] = code
		}
	}
	return m
}()

func regionLabel(code string) string { return "Région " + code }

func depLabel(code string) string { return "Département " + code }

// row builds the cells of one row from named values, in the order of
// fields; a name not given is an empty cell.
func row(fields []Field, v map[string]string) []string {
	cells := make([]string, len(fields))
	for i, f := range fields {
		cells[i] = v[f.Name]
	}
	return cells
}

func textFields(names ...string) []Field {
	out := make([]Field, len(names))
	for i, n := range names {
		out[i] = Field{Name: n, Label: n, Type: "text"}
	}
	return out
}

func numFields(typ string, names ...string) []Field {
	out := textFields(names...)
	for i := range out {
		out[i].Type = typ
	}
	return out
}

// quarterFields are the period fields of every quarterly series.
func quarterFields() []Field {
	return []Field{
		{"annee", "Année", "text"}, {"trimestre", "Trimestre", "text"},
		{"dernier_jour_du_trimestre", "Dernier jour du trimestre", "date"},
	}
}

func quarterCells(v map[string]string, y, q int) map[string]string {
	v["annee"], v["trimestre"], v["dernier_jour_du_trimestre"] = strconv.Itoa(y), strconv.Itoa(q), lastDay(y, q)
	return v
}

// communeFields: API-FACTS order, then the yearly pairs.
func communeFields(years []int) []Field {
	fs := textFields("region", "ancienne_region", "departement", "zone_d_emploi", "epci", "commune",
		"intitule_commune", "grand_secteur_d_activite", "secteur_na17", "secteur_na38", "secteur_na88", "ape",
		"code_region", "code_ancienne_region", "code_departement", "code_zone_d_emploi", "code_epci",
		"code_commune", "code_ape")
	for _, y := range years {
		ys := strconv.Itoa(y)
		fs = append(fs,
			Field{"nombre_d_etablissements_" + ys, "Nombre d'établissements " + ys, "int"},
			Field{"effectifs_salaries_" + ys, "Effectifs salariés " + ys, "int"})
	}
	return fs
}

const communeLead = 19 // text fields before the yearly values

func (d Data) communeTable() table {
	d = d.withDefaults()
	return table{
		fields: communeFields(d.Years),
		rows: func(yield func([]string) bool) {
			cells := make([]string, communeLead+2*len(d.Years))
			for r := range d.CommuneRows() {
				anc := ancienneRegion(r.Dep, r.Region)
				name := r.Commune.Name
				if name == "" {
					name = r.Intitule
				}
				copy(cells, []string{
					regionLabel(r.Region), regionLabel(anc), depLabel(r.Dep), "Zone d'emploi " + r.Zone,
					"EPCI " + r.EPCI, name, r.Intitule, r.GS, r.NA17, r.NA38, r.NA88, r.APE + " " + apeLabel(r.APE),
					r.Region, anc, r.Dep, r.Zone, r.EPCI, r.Code, r.APE,
				})
				for i := range d.Years {
					cells[communeLead+2*i] = num(r.Etab[i])
					cells[communeLead+1+2*i] = num(r.Eff[i])
				}
				if !yield(cells) {
					return
				}
			}
		},
	}
}

func apeLabel(code string) string { return "Activité " + code }

// na28iOf maps an NA38 label to the label of the regional series'
// breakdown (secteur_na28i): the NA38 sectors, with manufacturing outside
// food and the three information sectors grouped. The codes are the
// fake's: no real answer showed them.
func na28iOf(na38 string) string {
	switch code := na38[:2]; {
	case code[0] == 'C' && code != "CA":
		return "C5 Autres industries manufacturières"
	case code[0] == 'J':
		return "JZ Information et communication"
	}
	return na38
}

// regionSums sums the commune rows by (ancienne région, year, NA28i
// label): salaried jobs. Unknown codes are left out, as a decoder using
// the referential would.
func (d Data) regionSums() map[[3]string]float64 {
	d = d.withDefaults()
	out := map[[3]string]float64{}
	for r := range d.CommuneRows() {
		if r.Code == d.Unknown && d.Unknown != "" {
			continue
		}
		anc := ancienneRegion(r.Commune.Departement, r.Commune.Region)
		for i, y := range d.Years {
			if !math.IsNaN(r.Eff[i]) {
				out[[3]string{anc, strconv.Itoa(y), na28iOf(r.NA38)}] += r.Eff[i]
			}
		}
	}
	return out
}

// ancienneRegions returns the (région, ancienne région) pairs of the
// communes, sorted.
func (d Data) ancienneRegions() [][2]string {
	seen := map[[2]string]bool{}
	for _, c := range d.Communes {
		seen[[2]string{c.Region, ancienneRegion(c.Departement, c.Region)}] = true
	}
	out := make([][2]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		if a[0] != b[0] {
			return compare(a[0], b[0])
		}
		return compare(a[1], b[1])
	})
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func regionFields() []Field {
	fs := textFields("region", "ancienne_region", "grand_secteur_d_activite", "secteur_na28i")
	fs = append(fs, quarterFields()...)
	fs = append(fs, textFields("code_region", "code_ancienne_region")...)
	return append(fs, numFields("double", "effectifs_salaries_brut", "effectifs_salaries_cvs",
		"masse_salariale_brut", "masse_salariale_cvs")...)
}

// regionTable: quarterly salaried jobs and payroll by ancienne région ×
// NA28i. The fourth quarter's raw jobs of a région, summed over its
// anciennes régions and sectors, equal its communes' sum for the year
// (times RegionSkew); other quarters drift a little.
func (d Data) regionTable() table {
	d = d.withDefaults()
	var sectors []string
	for _, l := range na38Labels {
		if s := na28iOf(l); !slices.Contains(sectors, s) {
			sectors = append(sectors, s)
		}
	}
	slices.Sort(sectors)
	gsOf := map[string]string{}
	for _, a := range apes {
		gsOf[na28iOf(a.na38)] = a.gs
	}
	ver := strconv.Itoa(d.Version)
	fields := regionFields()
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			sums := d.regionSums()
			hostile := d.Hostile
			for _, ra := range d.ancienneRegions() {
				reg, anc := ra[0], ra[1]
				skew := 1.0
				if s, ok := d.RegionSkew[reg]; ok {
					skew = s
				}
				for _, y := range d.Years {
					for q := 1; q <= 4; q++ {
						var tot [4]float64
						for _, s := range sectors {
							q4, ok := sums[[3]string{anc, strconv.Itoa(y), s}]
							if !ok {
								continue
							}
							h := hash(anc, s, strconv.Itoa(y), strconv.Itoa(q), ver)
							brut := math.Round(q4 * skew * (1 - 0.01*float64(4-q)))
							cvs := math.Round(brut * (0.99 + float64(h%20)/1000))
							masse := math.Round(brut * (8500 + float64(h%1500)))
							masseCVS := math.Round(masse * 1.003)
							for i, v := range [4]float64{brut, cvs, masse, masseCVS} {
								tot[i] += v
							}
							v := quarterCells(map[string]string{
								"region": regionLabel(reg), "ancienne_region": regionLabel(anc),
								"grand_secteur_d_activite": gsOf[s], "secteur_na28i": s,
								"code_region": reg, "code_ancienne_region": anc,
								"effectifs_salaries_brut": num(brut), "effectifs_salaries_cvs": num(cvs),
								"masse_salariale_brut": num(masse), "masse_salariale_cvs": num(masseCVS),
							}, y, q)
							if hostile {
								v["masse_salariale_brut"], hostile = "1e300", false
							}
							if !yield(row(fields, v)) {
								return
							}
						}
						if d.Subtotals && tot[0] > 0 {
							v := quarterCells(map[string]string{
								"region": regionLabel(reg), "ancienne_region": regionLabel(anc),
								"grand_secteur_d_activite": "Ensemble", "secteur_na28i": "Ensemble",
								"code_region": reg, "code_ancienne_region": anc,
								"effectifs_salaries_brut": num(tot[0]), "effectifs_salaries_cvs": num(tot[1]),
								"masse_salariale_brut": num(tot[2]), "masse_salariale_cvs": num(tot[3]),
							}, y, q)
							if !yield(row(fields, v)) {
								return
							}
						}
					}
				}
			}
		},
	}
}

// contracts are the (nature_de_contrat, duree_de_contrat) pairs of the
// DPAE series: hirings outside temporary work.
var contracts = [][2]string{{"CDI", "Sans objet"}, {"CDD", "Plus d'un mois"}, {"CDD", "Moins d'un mois"}}

func dpaeFields() []Field {
	fs := textFields("region", "ancienne_region", "grand_secteur_d_activite", "secteur_na38",
		"duree_de_contrat", "nature_de_contrat")
	fs = append(fs, quarterFields()...)
	fs = append(fs, textFields("code_region", "code_ancienne_region")...)
	return append(fs, numFields("double", "dpae_brut", "dpae_cvs")...)
}

// DPAEContracts lists the (nature_de_contrat, duree_de_contrat) pairs the
// fake publishes, for tests.
func DPAEContracts() [][2]string { return slices.Clone(contracts) }

func (d Data) dpaeTable() table {
	d = d.withDefaults()
	ver := strconv.Itoa(d.Version)
	sectors := []string{na38Labels["FZ"], na38Labels["GZ"], na38Labels["IZ"], na38Labels["NZ"], na38Labels["QA"]}
	gsOf := map[string]string{}
	for _, a := range apes {
		gsOf[a.na38] = a.gs
	}
	fields := dpaeFields()
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			hostile := d.Hostile
			for _, ra := range d.ancienneRegions() {
				reg, anc := ra[0], ra[1]
				for _, y := range d.Years {
					for q := 1; q <= 4; q++ {
						emit := func(gs, sector, nature, duree string, brut, cvs float64) bool {
							v := quarterCells(map[string]string{
								"region": regionLabel(reg), "ancienne_region": regionLabel(anc),
								"grand_secteur_d_activite": gs, "secteur_na38": sector,
								"nature_de_contrat": nature, "duree_de_contrat": duree,
								"code_region": reg, "code_ancienne_region": anc,
								"dpae_brut": num(brut), "dpae_cvs": num(cvs),
							}, y, q)
							if hostile {
								v["dpae_brut"], hostile = "-42", false
							}
							return yield(row(fields, v))
						}
						var all [2]float64
						for _, s := range sectors {
							var sum [2]float64
							for _, c := range contracts {
								h := hash(anc, s, c[0]+c[1], strconv.Itoa(y), strconv.Itoa(q), ver)
								brut := float64(100 + h%5000)
								cvs := math.Round(brut*(0.95+float64(h/7%100)/1000)*10) / 10
								sum[0] += brut
								sum[1] += cvs
								if !emit(gsOf[s], s, c[0], c[1], brut, cvs) {
									return
								}
							}
							if d.Subtotals && !emit(gsOf[s], s, "Ensemble", "Ensemble", sum[0], sum[1]) {
								return
							}
							all[0] += sum[0]
							all[1] += sum[1]
						}
						if d.Subtotals && !emit("Ensemble", "Ensemble", "Ensemble", "Ensemble", all[0], all[1]) {
							return
						}
					}
				}
			}
		},
	}
}

var aeMeasures = []string{"immatriculations", "radiations", "chiffres_d_affaires", "economiquement_actifs", "administrativement_actifs"}

func aeValues(key string, y, q int, ver string) map[string]string {
	h := hash(key, strconv.Itoa(y), strconv.Itoa(q), ver)
	actifs := float64(2000 + h%30000)
	v := map[string]string{
		"economiquement_actifs":     num(actifs),
		"administrativement_actifs": num(math.Round(actifs * (1.4 + float64(h/13%30)/100))),
		"immatriculations":          num(math.Round(actifs * (0.05 + float64(h/3%50)/1000))),
		"radiations":                num(math.Round(actifs * (0.03 + float64(h/5%40)/1000))),
	}
	if h/11%13 != 0 { // sometimes not published
		v["chiffres_d_affaires"] = num(math.Round(actifs * (3000 + float64(h/7%2000))))
	}
	return v
}

func (d Data) aeDepartementTable() table {
	d = d.withDefaults()
	ver := strconv.Itoa(d.Version)
	fields := textFields("region", "departement")
	fields = append(fields, quarterFields()...)
	fields = append(fields, textFields("code_region", "code_departement")...)
	fields = append(fields, numFields("int", "immatriculations", "radiations")...)
	fields = append(fields, numFields("double", "chiffres_d_affaires")...)
	fields = append(fields, numFields("int", "economiquement_actifs", "administrativement_actifs")...)
	regionOf := map[string]string{}
	for _, c := range d.Communes {
		regionOf[c.Departement] = c.Region
	}
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			hostile := d.Hostile
			for _, dep := range d.departements() {
				for _, y := range d.Years {
					for q := 1; q <= 4; q++ {
						v := quarterCells(aeValues(dep, y, q, ver), y, q)
						v["region"], v["departement"] = regionLabel(regionOf[dep]), depLabel(dep)
						v["code_region"], v["code_departement"] = regionOf[dep], dep
						if hostile {
							v["economiquement_actifs"], hostile = "NaN", false
						}
						if !yield(row(fields, v)) {
							return
						}
					}
				}
			}
		},
	}
}

// AESecteurs lists the labels of secteur_d_activite_me the fake publishes.
func AESecteurs() []string { return slices.Clone(aeSecteurs) }

var aeSecteurs = []string{
	"Commerce", "Construction", "Activités spécialisées, scientifiques et techniques",
	"Transports et entreposage", "Hébergement et restauration", "Autres activités de services",
}

func (d Data) aeSecteurTable() table {
	d = d.withDefaults()
	ver := strconv.Itoa(d.Version)
	fields := textFields("secteur_d_activite_me")
	fields = append(fields, quarterFields()...)
	fields = append(fields, numFields("int", "immatriculations", "radiations", "economiquement_actifs", "administrativement_actifs")...)
	fields = append(fields, numFields("double", "chiffres_d_affaires")...)
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			for _, y := range d.Years {
				for q := 1; q <= 4; q++ {
					sum := map[string]float64{}
					for _, s := range aeSecteurs {
						v := quarterCells(aeValues(s, y, q, ver), y, q)
						v["secteur_d_activite_me"] = s
						for _, m := range aeMeasures {
							if x, err := strconv.ParseFloat(v[m], 64); err == nil {
								sum[m] += x
							}
						}
						if !yield(row(fields, v)) {
							return
						}
					}
					if d.Subtotals {
						v := quarterCells(map[string]string{"secteur_d_activite_me": "Ensemble"}, y, q)
						for m, x := range sum {
							v[m] = num(x)
						}
						if !yield(row(fields, v)) {
							return
						}
					}
				}
			}
		},
	}
}

var natures = []string{"Redressement judiciaire", "Liquidation judiciaire", "Sauvegarde"}

func (d Data) procTable() table {
	d = d.withDefaults()
	ver := strconv.Itoa(d.Version)
	fields := textFields("nature_de_procedure")
	fields = append(fields, quarterFields()...)
	fields = append(fields, numFields("int", "nombre_de_procedures_brut")...)
	fields = append(fields, numFields("double", "nombre_de_procedures_cvs")...)
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			for _, y := range d.Years {
				for q := 1; q <= 4; q++ {
					for _, n := range natures {
						h := hash(n, strconv.Itoa(y), strconv.Itoa(q), ver)
						brut := float64(500 + h%8000)
						cvs := num(math.Round(brut*(0.97+float64(h/3%60)/1000)*10) / 10)
						if y == d.Years[len(d.Years)-1] && q == 4 {
							cvs = "" // not yet adjusted
						}
						v := quarterCells(map[string]string{
							"nature_de_procedure": n, "nombre_de_procedures_brut": num(brut), "nombre_de_procedures_cvs": cvs,
						}, y, q)
						if !yield(row(fields, v)) {
							return
						}
					}
				}
			}
		},
	}
}

// EmploymentCategories are the job categories of the particuliers
// employeurs dataset (code_categorie_d_emploi, categorie_d_emploi). The
// codes are the fake's: no real answer showed them.
var employmentCategories = [][2]string{
	{"1", "Garde d'enfants à domicile"},
	{"2", "Assistant maternel"},
	{"3", "Emploi à domicile hors garde d'enfants"},
}

// EmploymentCategories lists the (code, label) pairs of the job categories.
func EmploymentCategories() [][2]string { return slices.Clone(employmentCategories) }

// ParticuliersRow is one row of the particuliers employeurs dataset.
type ParticuliersRow struct {
	Categorie, Departement, Region string
	Salaries                       float64
}

// ParticuliersRows yields the rows of the particuliers employeurs dataset
// (one per département and category, as published).
func (d Data) ParticuliersRows() iter.Seq[ParticuliersRow] {
	d = d.withDefaults()
	ver := strconv.Itoa(d.Version)
	regionOf := map[string]string{}
	for _, c := range d.Communes {
		regionOf[c.Departement] = c.Region
	}
	return func(yield func(ParticuliersRow) bool) {
		for _, dep := range d.departements() {
			for _, c := range employmentCategories {
				h := hash(dep, c[0], ver)
				if !yield(ParticuliersRow{Categorie: c[0], Departement: dep, Region: regionOf[dep], Salaries: float64(300 + h%20000)}) {
					return
				}
			}
		}
	}
}

func (d Data) particuliersTable() table {
	d = d.withDefaults()
	fields := textFields("code_categorie_d_emploi", "categorie_d_emploi", "ancienne_region", "region",
		"departement", "code_ancienne_region", "code_region", "code_departement")
	fields = append(fields, numFields("int", "nombre_de_salaries")...)
	label := map[string]string{}
	for _, c := range employmentCategories {
		label[c[0]] = c[1]
	}
	return table{
		fields: fields,
		rows: func(yield func([]string) bool) {
			hostile := d.Hostile
			for r := range d.ParticuliersRows() {
				anc := ancienneRegion(r.Departement, r.Region)
				v := map[string]string{
					"code_categorie_d_emploi": r.Categorie, "categorie_d_emploi": label[r.Categorie],
					"ancienne_region": regionLabel(anc), "region": regionLabel(r.Region), "departement": depLabel(r.Departement),
					"code_ancienne_region": anc, "code_region": r.Region, "code_departement": r.Departement,
					"nombre_de_salaries": num(r.Salaries),
				}
				if hostile {
					v["nombre_de_salaries"], hostile = "-1", false
				}
				if !yield(row(fields, v)) {
					return
				}
			}
		},
	}
}

// tableOf returns the generated table of a dataset.
func (d Data) tableOf(id string) (table, bool) {
	switch id {
	case CommuneAPE:
		return d.communeTable(), true
	case RegionNA38:
		return d.regionTable(), true
	case DPAERegion:
		return d.dpaeTable(), true
	case AEDepartement:
		return d.aeDepartementTable(), true
	case AESecteur:
		return d.aeSecteurTable(), true
	case ProcCollectives:
		return d.procTable(), true
	case ParticuliersEmployeurs:
		return d.particuliersTable(), true
	}
	return table{}, false
}
