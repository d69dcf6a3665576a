package melodi

import (
	"territoires/indicator"
)

// dataset describes one MELODI dataset whole: every dimension its
// observations carry besides GEO and TIME_PERIOD, the code that means
// "all" for each, the breakdowns kept and the measure codes kept. An
// observation becomes a figure when every dimension is at its "all" code,
// or at a kept code of a breakdown; every other observation is counted, by
// reason, and said (see tally).
//
// Names come from API-FACTS.md and MELODI-CATALOGUE.md (recordings of the
// real API and real CSV headers); those marked "unconfirmed" were seen only
// in third-party code, or not at all, and are checked against
// GET /range/{dataset} at the first refresh: a dimension or code the
// description lacks is reported by name, with the observations it cost.
type dataset struct {
	ID     string
	Theme  indicator.Theme
	Source string // Figure.Source

	// Either Measure names the figure's measure, or MeasureDim names the
	// dimension whose code picks it in Measures.
	Measure    string
	MeasureDim string
	Measures   map[string]string
	// OtherMeasures are codes of MeasureDim described but not kept.
	OtherMeasures []string

	// Dims are the other dimensions.
	Dims []dim
	// Cross allows several breakdowns in one figure (sex × age); otherwise
	// an observation broken down by two dimensions at once is not kept.
	Cross bool
	// Latest keeps only the latest period of the catalogue; LatestBreakdowns
	// keeps every period of the totals and the latest of the breakdowns.
	Latest, LatestBreakdowns bool
	// Accept, if set, refuses observations that the dimensions alone do
	// not rule out (tourism: beds count for I552 only).
	Accept func(code func(dim string) string) bool
	// Rates turns the census activity counts into rates and counts of the
	// active population (DS_RP_EMPLOI_LR_PRINC).
	Rates bool
}

// dim is one dimension of a dataset.
type dim struct {
	Name string // as MELODI spells it: "SEX"
	// All is the code meaning "all" for this dimension ("_T", "1T9X7",
	// "Y15T64" where the site shows the 15-64 only). An observation at All
	// carries no breakdown for this dimension. "" means there is none.
	All string
	// Keep lists the codes kept as breakdowns, in Figure.Dim as Key=code.
	Keep []string
	// KeepAny keeps every code as a breakdown (sectors).
	KeepAny bool
	// KeepAll writes the All code in Figure.Dim too (tourism's RANKING=_T).
	KeepAll bool
	// Known lists codes described but not kept; KnownAny describes every
	// code (a detail dimension whose codes we never show).
	Known    []string
	KnownAny bool
	// Key names the dimension in Figure.Dim; "" means Name.
	Key string
	// Ignore marks a dimension that carries no breakdown (a unit, a
	// frequency): any code is accepted and left out of Figure.Dim.
	Ignore bool
	// With lists codes of other dimensions that count as "all" when this
	// dimension is broken down: occupancy status (TSH) is published on main
	// residences only (OCS=DW_MAIN).
	With map[string]string
}

func (d *dim) key() string {
	if d.Key != "" {
		return d.Key
	}
	return d.Name
}

// Internal measures of the activity dataset, turned into rates.
const (
	rateEmployed   = "employed"
	rateUnemployed = "unemployed"
	rateTotal      = "total"
)

var (
	freq     = dim{Name: "FREQ", Ignore: true}
	unit     = dim{Name: "UNIT_MEASURE", Ignore: true}
	sexTotal = dim{Name: "SEX", All: "_T", Known: []string{"F", "M"}}
	// rpEduc are the diploma codes of the census (EDUC).
	rpEduc = []string{"001T100_RP", "200_RP", "300_RP", "350T351_RP", "500_RP", "600_RP", "700_RP"}
	// rpEducOther are EDUC codes seen but not shown: aggregates and finer codes.
	rpEducOther = []string{"500T702_RP", "600T702_RP", "001T003_RP", "001T200_RP", "100_RP"}
	// ageBands are the census age bands of DS_RP_POPULATION_PRINC.
	ageBands = []string{"Y_LT15", "Y15T24", "Y25T39", "Y40T54", "Y55T64", "Y65T79", "Y_GE80"}
)

// datasets is the default selection. Its order is the order of refresh
// and of the provenance page.
var datasets = []dataset{
	{
		ID: "DS_POPULATIONS_REFERENCE", Theme: indicator.Population, Source: "Insee, populations de référence",
		MeasureDim: "POPREF_MEASURE", Measures: map[string]string{"PMUN": indicator.PopLegale},
		OtherMeasures: []string{"PCAP", "PTOT"},
		Dims:          []dim{freq},
	},
	{
		ID: "DS_POPULATIONS_HISTORIQUES", Theme: indicator.Population, Source: "Insee, séries historiques du recensement",
		MeasureDim: "POPREF_MEASURE", Measures: map[string]string{"PMUN": indicator.PopHistorique, "PSDC": indicator.PopHistorique},
		Dims: []dim{freq},
	},
	{
		ID: "DS_RP_POPULATION_PRINC", Theme: indicator.Population, Source: "Insee, recensement de la population",
		MeasureDim: "RP_MEASURE", Measures: map[string]string{"POP": indicator.PopAgeSexe},
		Dims: []dim{
			freq,
			{Name: "SEX", All: "_T", Keep: []string{"F", "M"}},
			{Name: "AGE", All: "_T", Keep: ageBands, Known: []string{"Y_LT20", "Y20T64", "Y_GE65"}},
		},
		Cross: true, Latest: true,
	},
	{
		ID: "DS_FILOSOFI_CC", Theme: indicator.Revenus, Source: "Insee, Filosofi",
		MeasureDim: "FILOSOFI_MEASURE",
		Measures: map[string]string{
			"MED_SL": indicator.RevenuMedian, "D1_SL": indicator.RevenuD1,
			"D9_SL": indicator.RevenuD9, "PR_MD60": indicator.TauxPauvrete,
		},
		OtherMeasures: []string{
			"D2_SL", "D3_SL", "D4_SL", "D5_SL", "D6_SL", "D7_SL", "D8_SL", "IR_D9_D1_SL", "GI_SL", "S80S20_SL",
			"NUM_CU", "NUM_HH", "NUM_PER", "S_SOC_BEN_DI_MIN_SOC", "S_SOC_BEN_DI_HOU_BEN", "S_SOC_BEN_DI_FAM_BEN",
			"S_SOC_BEN_DI", "S_RET_PEN_DI", "S_INC_ASS_DI", "S_EI_DI_UNE", "S_EI_DI_SAL", "S_EI_DI_N_SAL", "S_EI_DI", "S_DIR_TAX_DI",
		},
		Dims:   []dim{freq, unit},
		Latest: true,
	},
	{
		// Activity and unemployment at the place of residence: employed (1),
		// unemployed (2) and everyone (_T) of the 15-64.
		ID: "DS_RP_EMPLOI_LR_PRINC", Theme: indicator.Emploi, Source: "Insee, recensement de la population",
		MeasureDim: "EMPSTA_ENQ", Measures: map[string]string{"1": rateEmployed, "2": rateUnemployed, "_T": rateTotal},
		OtherMeasures: []string{"1T2", "3", "31", "33", "35", "36"},
		Dims: []dim{
			freq, sexTotal,
			{Name: "AGE", All: "Y15T64", Known: []string{"_T", "Y15T24", "Y25T54", "Y55T64", "Y_GE15"}},
			{Name: "EDUC", All: "_T", Known: append(append([]string{}, rpEduc...), rpEducOther...)},
			{Name: "RP_MEASURE", All: "POP"}, // unconfirmed ("probably RP_MEASURE")
		},
		Latest: true, Rates: true,
	},
	{
		// Jobs at the place of work. Dimensions unconfirmed: none recorded.
		ID: "DS_RP_EMPLOI_LT_PRINC", Theme: indicator.Emploi, Source: "Insee, recensement de la population",
		Measure: indicator.EmploisLieu,
		Dims: []dim{
			freq, sexTotal,
			{Name: "AGE", All: "_T", KnownAny: true},
			{Name: "RP_MEASURE", All: "POP"},
		},
		Latest: true,
	},
	{
		ID: "DS_FLORES_A17", Theme: indicator.Emploi, Source: "Insee, Flores",
		MeasureDim: "FLORES_MEASURE", Measures: map[string]string{"UNIT_LOC": indicator.EtabInsee},
		OtherMeasures: []string{"EMPL3112"},
		Dims: []dim{
			freq,
			{Name: "ACTIVITY", All: "_T", KeepAny: true, Key: "NA17"},
			{Name: "NUMBER_EMPL", All: "_T", KnownAny: true},
			{Name: "LEGAL_FORM_WITH_PUBLIC", All: "1T9X7", KnownAny: true},
		},
		Latest: true,
	},
	{
		ID: "DS_ETAT_CIVIL_NAIS_COMMUNES", Theme: indicator.Population, Source: "Insee, état civil",
		MeasureDim: "EC_MEASURE", Measures: map[string]string{"LVB": indicator.Naissances},
		Dims: []dim{freq},
	},
	{
		ID: "DS_ETAT_CIVIL_DECES_COMMUNES", Theme: indicator.Population, Source: "Insee, état civil",
		MeasureDim: "EC_MEASURE", Measures: map[string]string{"DTH": indicator.Deces},
		Dims: []dim{freq},
	},
	{
		// Tourist accommodation: establishments, and rooms (hotels), pitches
		// (campsites) or beds (other collective accommodation, I552).
		ID: "DS_TOUR_CAP", Theme: indicator.Tourisme, Source: "Insee, capacité des hébergements touristiques",
		MeasureDim: "TOUR_MEASURE",
		Measures:   map[string]string{"UNIT_LOC": indicator.TourCapacite, "PLACE": indicator.TourPlaces, "BEDPLACE": indicator.TourPlaces},
		Dims: []dim{
			freq,
			{Name: "ACTIVITY", Keep: []string{"I551", "I552", "I553"}, KnownAny: true},
			{Name: "UNIT_LOC_RANKING", All: "_T", KeepAll: true, Keep: []string{"1", "2", "3", "4", "5", "NC"}, Key: "RANKING"},
			{Name: "L_STAY", All: "_T", Known: []string{"LONG"}},
		},
		Accept: func(code func(string) string) bool {
			switch code("TOUR_MEASURE") {
			case "PLACE":
				return code("ACTIVITY") != "I552"
			case "BEDPLACE":
				return code("ACTIVITY") == "I552"
			}
			return true
		},
		Cross: true, Latest: true,
	},
	{
		// Business creations: SIDE_MEASURE is not in the columns one project
		// read; if present, it is reported.
		ID: "DS_SIDE_CREA_ENT_COM", Theme: indicator.Entreprises, Source: "Insee, Sirene (SIDE), créations d'entreprises",
		Measure: indicator.CreationsEnt,
		Dims: []dim{
			freq,
			{Name: "ACTIVITY", All: "_T", KeepAny: true},
			{Name: "LEGAL_FORM", All: "_T", KnownAny: true},
		},
		LatestBreakdowns: true,
	},
	{
		ID: "DS_SIDE_CREA_ETAB_COM", Theme: indicator.Entreprises, Source: "Insee, Sirene (SIDE), créations d'établissements",
		MeasureDim: "SIDE_MEASURE", Measures: map[string]string{"UNIT_LOC_BURE": indicator.CreationsEtab},
		Dims: []dim{
			freq,
			{Name: "ACTIVITY", All: "_T", KeepAny: true},
			{Name: "LEGAL_FORM", All: "_T", KnownAny: true},
		},
		LatestBreakdowns: true,
	},
	{
		ID: "DS_RP_LOGEMENT_PRINC", Theme: indicator.Logement, Source: "Insee, recensement de la population",
		MeasureDim: "RP_MEASURE", Measures: map[string]string{"DWELLINGS": indicator.Logements},
		OtherMeasures: []string{"DWELLINGS_POPSIZE"},
		Dims: []dim{
			freq,
			{Name: "OCS", All: "_T", Keep: []string{"DW_MAIN", "DW_SEC_DW_OCC", "DW_VAC"}},
			{Name: "TDW", All: "_T", Keep: []string{"1", "2"}, KnownAny: true},
			{Name: "TSH", All: "_T", Keep: []string{"100", "200", "300"}, Known: []string{"211", "221", "212_222"}, With: map[string]string{"OCS": "DW_MAIN"}},
			{Name: "NOR", All: "_T", KnownAny: true},
			{Name: "BUILD_END", All: "_T", KnownAny: true},
			{Name: "NRG_SRC", All: "_T", KnownAny: true},
			{Name: "CARS", All: "_T", KnownAny: true},
			{Name: "CARPARK", All: "_T", KnownAny: true},
			{Name: "L_STAY", All: "_T", KnownAny: true},
		},
		Latest: true,
	},
	{
		ID: "DS_RP_DIPLOMES_PRINC", Theme: indicator.Menages, Source: "Insee, recensement de la population",
		Measure: indicator.Diplomes,
		Dims: []dim{
			freq, sexTotal,
			{Name: "EDUC", All: "_T", Keep: rpEduc, Known: rpEducOther},
			{Name: "AGE", All: "_T", KnownAny: true},         // unconfirmed
			{Name: "RP_MEASURE", All: "POP", KnownAny: true}, // unconfirmed
		},
		Latest: true,
	},
	{
		// Households by size. The size dimension and its codes are
		// unconfirmed (no recording): NPH 1..4 and 5 or more.
		ID: "DS_RP_MENAGES_PRINC", Theme: indicator.Menages, Source: "Insee, recensement de la population",
		MeasureDim: "RP_MEASURE", Measures: map[string]string{"DWELLINGS": indicator.MenagesTaille},
		OtherMeasures: []string{"DWELLINGS_POPSIZE", "ONEPERS"},
		Dims: []dim{
			freq,
			{Name: "NPH", All: "_T", Keep: []string{"1", "2", "3", "4", "5+"}, Key: "NPERS", KnownAny: true},
			{Name: "OCS", All: "_T", Known: []string{"DW_MAIN"}},
			{Name: "NOC", All: "_T", KnownAny: true},
			{Name: "CIVIL_STATUS", All: "_T", KnownAny: true},
			{Name: "COUPLE", All: "_T", KnownAny: true},
			{Name: "AGE", All: "_T", KnownAny: true},
		},
		Latest: true,
	},
	{
		ID: "DS_RP_FAMILLE_COMP", Theme: indicator.Menages, Source: "Insee, recensement de la population",
		Measure: indicator.Familles,
		Dims: []dim{
			freq,
			{Name: "TFN", All: "_T", Keep: []string{"1", "21", "22"}, Known: []string{"11", "12", "220", "223"}},
			{Name: "NCH", All: "_T", KnownAny: true},
			{Name: "RP_MEASURE", All: "", KnownAny: true, Ignore: true}, // unconfirmed: one measure assumed
		},
		Latest: true,
	},
}

// Datasets lists the identifiers of the MELODI datasets fetched by
// default, for site.toml's datasets and for fakes.
func Datasets() []string {
	ids := make([]string, len(datasets))
	for i, d := range datasets {
		ids[i] = d.ID
	}
	return ids
}
