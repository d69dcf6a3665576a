package melodi

import (
	"territoires/indicator"
)

// melodiDataset says what to ask MELODI for one dataset and how its
// observations become Figures.
//
// The dataset identifiers, POPREF_MEASURE=PMUN and the measure codes of
// Filosofi (MED_SL, D1_SL, D9_SL, PR_MD60), Flores (UNIT_LOC) and the
// census (EMPSTA_ENQ 1 employed, 2 unemployed) come from INSEE's catalogue
// as quoted in issue 3. The names of the dimensions that carry Filosofi and
// Flores measures (FILOSOFI_MEASURE, FLORES_MEASURE) and the sector
// dimension (A17) follow the POPREF_MEASURE pattern and must be checked
// against GET /melodi/range/{dataset} before the first real run; a wrong
// name makes the dataset decode to no figure, never to a wrong one.
type melodiDataset struct {
	ID     string
	Theme  indicator.Theme
	Source string // Figure.Source

	// Either Measure names the figure's measure, or MeasureDim names the
	// dimension whose value picks it in Measures (other values are skipped).
	Measure    string
	MeasureDim string
	Measures   map[string]string

	// Params are fixed filters sent with every query (AGE=Y15T64); their
	// dimensions are left out of Figure.Dim.
	Params map[string]string
	// Latest restricts the query to the latest period in the catalogue
	// (TIME_PERIOD=yyyy); otherwise every period is fetched (series).
	Latest bool
	// Dims are the dimensions kept in Figure.Dim, renamed as mapped ("" keeps
	// the name); a value "_T" (total) is left out of Dim. An observation with
	// any other dimension not "_T" is skipped, so that only totals and the
	// wanted breakdowns come through.
	Dims map[string]string
	// Rates, if set, turns the census activity counts (EMPSTA_ENQ) into
	// activity and unemployment rates.
	Rates bool
	// PerGeo estimates observations per territory, for plans before the first
	// page tells the count.
	PerGeo int
}

// Internal measures of the activity dataset, turned into rates.
const (
	rateEmployed   = "employed"
	rateUnemployed = "unemployed"
	rateTotal      = "total"
)

// melodiAllLevels are MELODI's GEO objects for the referential's kinds.
var melodiAllLevels = []string{"FRANCE", "REG", "DEP", "EPCI", "COM", "ARM"}

// melodiDatasets is the default selection.
var melodiDatasets = []melodiDataset{
	{
		ID: "DS_POPULATIONS_REFERENCE", Theme: indicator.Population, Source: "Insee, populations de référence",
		MeasureDim: "POPREF_MEASURE", Measures: map[string]string{"PMUN": indicator.PopLegale},
		PerGeo: 5 * 3,
	},
	{
		ID: "DS_POPULATIONS_HISTORIQUES", Theme: indicator.Population, Source: "Insee, séries historiques du recensement",
		Measure: indicator.PopHistorique, PerGeo: 9,
	},
	{
		ID: "DS_RP_POPULATION_PRINC", Theme: indicator.Population, Source: "Insee, recensement de la population",
		Measure: indicator.PopAgeSexe, Latest: true, Dims: map[string]string{"SEX": "", "AGE": ""}, PerGeo: 3 * 20,
	},
	{
		ID: "DS_FILOSOFI_CC", Theme: indicator.Revenus, Source: "Insee, Filosofi",
		MeasureDim: "FILOSOFI_MEASURE", Latest: true, PerGeo: 12,
		Measures: map[string]string{
			"MED_SL": indicator.RevenuMedian, "D1_SL": indicator.RevenuD1,
			"D9_SL": indicator.RevenuD9, "PR_MD60": indicator.TauxPauvrete,
		},
	},
	{
		ID: "DS_RP_ACTIVITE_PRINC", Theme: indicator.Emploi, Source: "Insee, recensement de la population",
		MeasureDim: "EMPSTA_ENQ", Measures: map[string]string{"1": rateEmployed, "2": rateUnemployed, "_T": rateTotal},
		Params: map[string]string{"AGE": "Y15T64"}, Latest: true, Rates: true, PerGeo: 3,
	},
	{
		ID: "DS_RP_EMPLOI_LR_PRINC", Theme: indicator.Emploi, Source: "Insee, recensement de la population",
		Measure: indicator.EmploisLieu, Latest: true, PerGeo: 8,
	},
	{
		ID: "DS_FLORES_A17", Theme: indicator.Emploi, Source: "Insee, Flores",
		MeasureDim: "FLORES_MEASURE", Measures: map[string]string{"UNIT_LOC": indicator.EtabInsee},
		Latest: true, Dims: map[string]string{"A17": "NA17"}, PerGeo: 2 * 18,
	},
	{
		ID: "DS_ETAT_CIVIL_NAIS_COMMUNES", Theme: indicator.Population, Source: "Insee, état civil",
		Measure: indicator.Naissances, PerGeo: 10,
	},
	{
		ID: "DS_ETAT_CIVIL_DECES_COMMUNES", Theme: indicator.Population, Source: "Insee, état civil",
		Measure: indicator.Deces, PerGeo: 10,
	},
}

// MelodiDatasets lists the identifiers of the MELODI datasets fetched by
// default, for site.toml's datasets and for fakes.
func MelodiDatasets() []string {
	ids := make([]string, len(melodiDatasets))
	for i, d := range melodiDatasets {
		ids[i] = d.ID
	}
	return ids
}
