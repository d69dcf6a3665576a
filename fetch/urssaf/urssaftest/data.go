package urssaftest

import (
	"bufio"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dataset identifiers, as on open.urssaf.fr.
const (
	CommuneAPE      = "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last"
	RegionNA38      = "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-region-x-na38"
	DPAERegion      = "dpae-par-region-x-na38"
	AEDepartement   = "auto-entrepreneurs-par-departement"
	AESecteur       = "auto-entrepreneurs-par-secteur-dactivite"
	ProcCollectives = "procedures-collectives-france-entiere"
	// ParticuliersEmployeurs: employees of private households by
	// département and job category, 2018.
	ParticuliersEmployeurs = "salaries-des-particuliers-employeurs-en-2018"
)

// Datasets lists every dataset the fake serves.
func Datasets() []string {
	return []string{CommuneAPE, RegionNA38, DPAERegion, AEDepartement, AESecteur, ProcCollectives, ParticuliersEmployeurs}
}

// Data says what the fake generates. The zero value is the sample
// territory (SampleCommunes, SampleRetired) over 2019-2024.
type Data struct {
	Communes []Commune         // nil: SampleCommunes and SampleRetired
	Retired  map[string]string // retired code → current code; half the current commune's rows use the retired code
	Years    []int             // years of the commune export, ascending; nil: 2019 to 2024
	// RowsPerCommune is the average number of APE rows per commune or
	// arrondissement (12 if 0; at most the 66 APE codes known).
	RowsPerCommune int
	// Unknown, if set, adds one row with this commune code, which no
	// referential knows.
	Unknown string
	// RegionSkew multiplies a région's salaried jobs in the regional
	// series (by région code); absent régions match the commune sums.
	RegionSkew map[string]float64
	// Version changes every generated value: a new version of the data.
	Version int
	// Subtotals adds, to the DPAE, regional and auto-entrepreneur series,
	// rows whose breakdown reads "Ensemble" (all contracts, all durations,
	// all sectors): whether the real files hold such rows is not known, and
	// a client that sums every row counts them twice.
	Subtotals bool
	// Hostile writes, in one row of each series dataset, values no figure
	// can take (a negative count, 1e300 euros): a client must refuse them.
	Hostile bool
}

func (d Data) withDefaults() Data {
	if d.Communes == nil {
		d.Communes = SampleCommunes()
		if d.Retired == nil {
			d.Retired = SampleRetired()
		}
	}
	if d.Years == nil {
		d.Years = []int{2019, 2020, 2021, 2022, 2023, 2024}
	}
	if d.RowsPerCommune <= 0 {
		d.RowsPerCommune = 12
	}
	return d
}

// Field is one column of a dataset, as in its metadata.
type Field struct {
	Name, Label, Type string // Type: "text", "int", "double", "date"
}

// table is one generated dataset: its fields and its rows as text cells
// ("" for an empty cell). The row slice is reused between iterations.
type table struct {
	fields []Field
	rows   iter.Seq[[]string]
}

// hash is the fake's only source of variation (FNV-1a): deterministic, so
// that the same Data gives the same bytes.
func hash(parts ...string) uint64 {
	h := uint64(14695981039346656037)
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= 1099511628211
		}
		h *= 1099511628211 // separator
	}
	return h
}

// mix derives another draw from h and n (splitmix64).
func mix(h uint64, n int) uint64 {
	z := h + uint64(n)*0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// ape is one APE code with its sectors, labels as the portal writes them.
type ape struct{ code, na88, na38, na17, gs string }

var (
	gsLabels = map[string]string{
		"GS1": "GS1 Industrie", "GS2": "GS2 Construction", "GS3": "GS3 Commerce", "GS4": "GS4 Services",
	}
	na17Labels = map[string]string{
		"AZ": "AZ Agriculture, sylviculture et pêche",
		"C1": "C1 Fabrication de denrées alimentaires, de boissons et de produits à base de tabac",
		"C3": "C3 Fabrication d'équipements électriques, électroniques, informatiques ; fabrication de machines",
		"C4": "C4 Fabrication de matériels de transport",
		"C5": "C5 Fabrication d'autres produits industriels",
		"DE": "DE Industries extractives, énergie, eau, gestion des déchets et dépollution",
		"FZ": "FZ Construction",
		"GZ": "GZ Commerce ; réparation d'automobiles et de motocycles",
		"HZ": "HZ Transports et entreposage",
		"IZ": "IZ Hébergement et restauration",
		"JZ": "JZ Information et communication",
		"KZ": "KZ Activités financières et d'assurance",
		"LZ": "LZ Activités immobilières",
		"MN": "MN Activités scientifiques et techniques ; services administratifs et de soutien",
		"OQ": "OQ Administration publique, enseignement, santé humaine et action sociale",
		"RU": "RU Autres activités de services",
	}
	na38Labels = map[string]string{
		"AZ": "AZ Agriculture, sylviculture et pêche",
		"CA": "CA Fabrication de denrées alimentaires, de boissons et de produits à base de tabac",
		"CB": "CB Fabrication de textiles, industries de l'habillement, industrie du cuir et de la chaussure",
		"CC": "CC Travail du bois, industries du papier et imprimerie",
		"CE": "CE Industrie chimique",
		"CF": "CF Industrie pharmaceutique",
		"CG": "CG Fabrication de produits en caoutchouc, en plastique et d'autres produits minéraux non métalliques",
		"CH": "CH Métallurgie et fabrication de produits métalliques à l'exception des machines et des équipements",
		"CI": "CI Fabrication de produits informatiques, électroniques et optiques",
		"CJ": "CJ Fabrication d'équipements électriques",
		"CK": "CK Fabrication de machines et équipements n.c.a.",
		"CL": "CL Fabrication de matériels de transport",
		"CM": "CM Autres industries manufacturières ; réparation et installation de machines et d'équipements",
		"DZ": "DZ Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
		"EZ": "EZ Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
		"FZ": "FZ Construction",
		"GZ": "GZ Commerce ; réparation d'automobiles et de motocycles",
		"HZ": "HZ Transports et entreposage",
		"IZ": "IZ Hébergement et restauration",
		"JA": "JA Édition, audiovisuel et diffusion",
		"JB": "JB Télécommunications",
		"JC": "JC Activités informatiques et services d'information",
		"KZ": "KZ Activités financières et d'assurance",
		"LZ": "LZ Activités immobilières",
		"MA": "MA Activités juridiques, comptables, de gestion, d'architecture, d'ingénierie, de contrôle et d'analyses techniques",
		"MB": "MB Recherche-développement scientifique",
		"MC": "MC Autres activités spécialisées, scientifiques et techniques",
		"NZ": "NZ Activités de services administratifs et de soutien",
		"PZ": "PZ Enseignement",
		"QA": "QA Activités pour la santé humaine",
		"QB": "QB Hébergement médico-social et social et action sociale sans hébergement",
		"RZ": "RZ Arts, spectacles et activités récréatives",
		"SZ": "SZ Autres activités de services",
	}
	na88Labels = map[string]string{
		"02": "02 Sylviculture et exploitation forestière", "10": "10 Industries alimentaires",
		"11": "11 Fabrication de boissons", "13": "13 Fabrication de textiles",
		"16": "16 Travail du bois et fabrication d'articles en bois et en liège, à l'exception des meubles",
		"18": "18 Imprimerie et reproduction d'enregistrements", "20": "20 Industrie chimique",
		"21": "21 Industrie pharmaceutique", "22": "22 Fabrication de produits en caoutchouc et en plastique",
		"25": "25 Fabrication de produits métalliques, à l'exception des machines et des équipements",
		"26": "26 Fabrication de produits informatiques, électroniques et optiques",
		"27": "27 Fabrication d'équipements électriques", "28": "28 Fabrication de machines et équipements n.c.a.",
		"29": "29 Industrie automobile", "30": "30 Fabrication d'autres matériels de transport",
		"31": "31 Fabrication de meubles", "33": "33 Réparation et installation de machines et d'équipements",
		"35": "35 Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
		"38": "38 Collecte, traitement et élimination des déchets ; récupération",
		"41": "41 Construction de bâtiments", "42": "42 Génie civil", "43": "43 Travaux de construction spécialisés",
		"45": "45 Commerce et réparation d'automobiles et de motocycles",
		"46": "46 Commerce de gros, à l'exception des automobiles et des motocycles",
		"47": "47 Commerce de détail, à l'exception des automobiles et des motocycles",
		"49": "49 Transports terrestres et transport par conduites",
		"52": "52 Entreposage et services auxiliaires des transports", "55": "55 Hébergement", "56": "56 Restauration",
		"58": "58 Édition", "61": "61 Télécommunications", "62": "62 Programmation, conseil et autres activités informatiques",
		"64": "64 Activités des services financiers, hors assurance et caisses de retraite",
		"66": "66 Activités auxiliaires de services financiers et d'assurance", "68": "68 Activités immobilières",
		"69": "69 Activités juridiques et comptables", "70": "70 Activités des sièges sociaux ; conseil de gestion",
		"71": "71 Activités d'architecture et d'ingénierie ; activités de contrôle et analyses techniques",
		"72": "72 Recherche-développement scientifique", "73": "73 Publicité et études de marché",
		"78": "78 Activités liées à l'emploi", "80": "80 Enquêtes et sécurité",
		"81": "81 Services relatifs aux bâtiments et aménagement paysager", "85": "85 Enseignement",
		"86": "86 Activités pour la santé humaine", "87": "87 Hébergement médico-social et social",
		"88": "88 Action sociale sans hébergement", "93": "93 Activités sportives, récréatives et de loisirs",
		"94": "94 Activités des organisations associatives", "96": "96 Autres services personnels",
	}
	// apes: APE code, NA38, NA17, grand secteur; NA88 is the APE's first
	// two digits.
	apes = func() []ape {
		var out []ape
		for _, l := range strings.Split(strings.TrimSpace(`
0210Z AZ AZ GS1
1071C CA C1 GS1
1071D CA C1 GS1
1101Z CA C1 GS1
1392Z CB C5 GS1
1623Z CC C5 GS1
1812Z CC C5 GS1
2016Z CE C5 GS1
2120Z CF C5 GS1
2229A CG C5 GS1
2562B CH C5 GS1
2611Z CI C3 GS1
2711Z CJ C3 GS1
2829B CK C3 GS1
2932Z CL C4 GS1
3030Z CL C4 GS1
3109B CM C5 GS1
3312Z CM C5 GS1
3511Z DZ DE GS1
3811Z EZ DE GS1
4120A FZ FZ GS2
4221Z FZ FZ GS2
4321A FZ FZ GS2
4322A FZ FZ GS2
4332A FZ FZ GS2
4399C FZ FZ GS2
4511Z GZ GZ GS3
4520A GZ GZ GS3
4673A GZ GZ GS3
4690Z GZ GZ GS3
4711D GZ GZ GS3
4711F GZ GZ GS3
4724Z GZ GZ GS3
4771Z GZ GZ GS3
4773Z GZ GZ GS3
4941A HZ HZ GS4
5229A HZ HZ GS4
5510Z IZ IZ GS4
5610A IZ IZ GS4
5610C IZ IZ GS4
5630Z IZ IZ GS4
5811Z JA JZ GS4
6110Z JB JZ GS4
6201Z JC JZ GS4
6202A JC JZ GS4
6419Z KZ KZ GS4
6622Z KZ KZ GS4
6831Z LZ LZ GS4
6832A LZ LZ GS4
6920Z MA MN GS4
7022Z MA MN GS4
7112B MA MN GS4
7219Z MB MN GS4
7311Z MC MN GS4
7820Z NZ MN GS4
8010Z NZ MN GS4
8121Z NZ MN GS4
8559A PZ OQ GS4
8610Z QA OQ GS4
8621Z QA OQ GS4
8730A QB OQ GS4
8810A QB OQ GS4
9312Z RZ RU GS4
9411Z SZ RU GS4
9602A SZ RU GS4
9602B SZ RU GS4`), "\n") {
			f := strings.Fields(l)
			out = append(out, ape{
				code: f[0], na88: na88Labels[f[0][:2]], na38: na38Labels[f[1]],
				na17: na17Labels[f[2]], gs: gsLabels[f[3]],
			})
		}
		return out
	}()
)

// CommuneRow is one generated row of the commune × APE export.
type CommuneRow struct {
	Commune   Commune // the commune or arrondissement the row belongs to today
	Code      string  // code_commune as published: Commune.Code, a retired code or Data.Unknown
	Intitule  string  // "94065 Rungis"
	Region    string
	Dep       string
	Zone      string
	EPCI      string
	GS        string // "GS3 Commerce"
	NA17      string
	NA38      string
	NA88      string
	APE       string
	Etab, Eff []float64 // by year of Data.Years; NaN where the cell is empty
}

// CommuneRows yields the rows of the commune × APE export in order. The
// row is reused: copy what you keep. Communes with arrondissements
// (Paris, Lyon, Marseille) have no row of their own: their arrondissements
// do, as on the portal.
func (d Data) CommuneRows() iter.Seq[*CommuneRow] {
	d = d.withDefaults()
	hasArr := map[string]bool{}
	for _, c := range d.Communes {
		if c.IsArrondissement() {
			hasArr[c.Parent] = true
		}
	}
	oldCode := map[string]string{} // current → retired
	for old, cur := range d.Retired {
		if prev, ok := oldCode[cur]; !ok || old < prev {
			oldCode[cur] = old
		}
	}
	ver := strconv.Itoa(d.Version)
	return func(yield func(*CommuneRow) bool) {
		row := &CommuneRow{Etab: make([]float64, len(d.Years)), Eff: make([]float64, len(d.Years))}
		order := make([]int, len(apes))
		for _, c := range d.Communes {
			if hasArr[c.Code] {
				continue
			}
			h := hash(c.Code, ver)
			// Between 0.3 and 1.7 times the average, at least one.
			k := int(float64(d.RowsPerCommune) * (0.3 + 1.4*float64(h%1000)/1000))
			k = max(1, min(k, len(apes)))
			// k APE codes drawn without replacement (partial
			// Fisher-Yates), in table order.
			for i := range order {
				order[i] = i
			}
			for i := range k {
				j := i + int(mix(h, i)%uint64(len(order)-i))
				order[i], order[j] = order[j], order[i]
			}
			order := order[:k]
			slices.Sort(order)
			for n, i := range order {
				a := apes[i]
				*row = CommuneRow{
					Commune: c, Code: c.Code, Intitule: c.Code + " " + c.Name,
					Region: c.Region, Dep: c.Departement, Zone: zoneEmploi(c), EPCI: c.EPCI,
					GS: a.gs, NA17: a.na17, NA38: a.na38, NA88: a.na88, APE: a.code,
					Etab: row.Etab, Eff: row.Eff,
				}
				if old, ok := oldCode[c.Code]; ok && n%2 == 1 {
					row.Code, row.Intitule = old, old+" "+c.Name+" (commune déléguée)"
				}
				fillValues(row, d.Years, ver)
				if !yield(row) {
					return
				}
			}
		}
		if d.Unknown != "" && len(d.Communes) > 0 {
			c := d.Communes[0]
			a := apes[len(apes)/2]
			*row = CommuneRow{
				Commune: Commune{Code: d.Unknown}, Code: d.Unknown, Intitule: d.Unknown + " Commune inconnue",
				Region: c.Region, Dep: c.Departement, Zone: zoneEmploi(c),
				GS: a.gs, NA17: a.na17, NA38: a.na38, NA88: a.na88, APE: a.code,
				Etab: row.Etab, Eff: row.Eff,
			}
			fillValues(row, d.Years, ver)
			yield(row)
		}
	}
}

func zoneEmploi(c Commune) string {
	if len(c.Departement) == 3 {
		return c.Departement + "01"
	}
	return c.Region[len(c.Region)-2:] + "0" + strconv.Itoa(int(hash(c.Departement)%9)+1)
}

// fillValues draws the establishments and jobs of one row: the row starts
// in some year (empty cells before), grows a little, and has a few empty
// cells (none, or not published) and a few zero-job years.
func fillValues(row *CommuneRow, years []int, ver string) {
	h := hash(row.Code, row.APE, ver)
	start := 0
	if h%10 < 3 {
		start = int(h/10) % len(years)
	}
	etab := 1 + float64(h/100%8)
	perEtab := float64(h / 1000 % 25)
	for i, y := range years {
		hy := mix(h, y)
		switch {
		case i < start, hy%23 == 0:
			row.Etab[i], row.Eff[i] = math.NaN(), math.NaN()
		case hy%31 == 0:
			row.Etab[i], row.Eff[i] = etab, math.NaN()
		default:
			e := max(etab+float64(hy%3)-1, 1)
			row.Etab[i] = e
			row.Eff[i] = math.Round(e * perEtab * (0.9 + float64(hy/7%20)/100))
		}
	}
}

func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// WriteCommuneCSV writes the commune × APE export as the portal does:
// ";"-separated, a byte-order mark first if bom. It streams: memory does
// not grow with the number of rows.
func (d Data) WriteCommuneCSV(w io.Writer, bom bool) (rows int, err error) {
	return writeCSV(w, d.communeTable(), ';', bom)
}

func writeCSV(w io.Writer, t table, delim byte, bom bool) (rows int, err error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if bom {
		bw.WriteString("\uFEFF")
	}
	for i, f := range t.fields {
		if i > 0 {
			bw.WriteByte(delim)
		}
		writeCell(bw, f.Name, delim)
	}
	bw.WriteString("\r\n")
	for cells := range t.rows {
		for i, c := range cells {
			if i > 0 {
				bw.WriteByte(delim)
			}
			writeCell(bw, c, delim)
		}
		if _, err := bw.WriteString("\r\n"); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, bw.Flush()
}

func writeCell(w *bufio.Writer, s string, delim byte) {
	if !strings.ContainsAny(s, "\"\r\n") && strings.IndexByte(s, delim) < 0 {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(s, `"`, `""`))
	w.WriteByte('"')
}

// regions returns the région codes of the communes, sorted.
func (d Data) regions() []string {
	seen := map[string]bool{}
	for _, c := range d.Communes {
		seen[c.Region] = true
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func (d Data) departements() []string {
	seen := map[string]bool{}
	for _, c := range d.Communes {
		seen[c.Departement] = true
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func lastDay(y, q int) string {
	return time.Date(y, time.Month(3*q+1), 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
