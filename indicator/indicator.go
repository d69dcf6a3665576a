package indicator

import (
	"fmt"
	"strconv"
)

// Status says whether a figure has a value.
type Status uint8

const (
	// Present: the value is published and meaningful.
	Present Status = iota
	// Secret: the producer withholds the value (statistical secrecy, "s" in
	// INSEE files, CONF_STATUS=C in MELODI). Never shown as zero.
	Secret
	// NotPublished: the producer does not publish this figure for this zone
	// (DDL 404 "Aucune cellule", empty URSSAF cell, cube limited to zones
	// above a population threshold).
	NotPublished
)

var statusNames = [...]string{Present: "present", Secret: "secret", NotPublished: "non-publie"}

// String returns the stable name used in CSV and JSON downloads.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// ParseStatus is the inverse of String.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q", s)
}

// Theme groups measures on a dashboard.
type Theme string

const (
	Population Theme = "population"
	Revenus    Theme = "revenus"
	Emploi     Theme = "emploi"
	// Themes of issue 12.
	Tourisme    Theme = "tourisme"
	Entreprises Theme = "entreprises"
	Logement    Theme = "logement"
	Menages     Theme = "menages" // diplomas, households and families
)

// Measures produced by the fetchers and understood by the builder. A
// breakdown (sex and age band, sector...) goes in Figure.Dim, not in the
// measure name.
const (
	PopLegale         = "POP_LEGALE"       // legal municipal population (Insee, populations légales)
	PopHistorique     = "POP_HISTORIQUE"   // census population series since 1968
	PopAgeSexe        = "POP_AGE_SEXE"     // census population by sex and age band: Dim "SEX=F;AGE=Y15T29"
	Naissances        = "NAISSANCES"       // births (civil registry)
	Deces             = "DECES"            // deaths (civil registry)
	RevenuMedian      = "REV_MEDIAN"       // median disposable income per consumption unit, euros (Filosofi)
	RevenuD1          = "REV_D1"           // first decile, euros
	RevenuD9          = "REV_D9"           // ninth decile, euros
	TauxPauvrete      = "TAUX_PAUVRETE"    // poverty rate at 60 % of the median, percent
	TauxActivite      = "TAUX_ACTIVITE"    // activity rate of the 15-64, percent (census)
	TauxChomage       = "TAUX_CHOMAGE"     // unemployment rate of the 15-64 (census), percent
	EmploisLieu       = "EMPLOIS_LT"       // jobs at place of work (census)
	EtabInsee         = "ETAB_INSEE"       // establishments (Insee Flores), Dim "NA17=..." or empty for all
	EffectifsSal      = "EFF_SAL"          // private-sector salaried jobs (Urssaf), Dim "GS=..." / "NA17=..." or empty
	EtabUrssaf        = "ETAB_URSSAF"      // private-sector employer establishments (Urssaf), same Dims
	EffSalTrim        = "EFF_SAL_TRIM"     // quarterly salaried jobs, regional/national (Urssaf), period "2024-T3"
	MasseSalTrim      = "MASSE_SAL_TRIM"   // quarterly payroll, euros (Urssaf)
	DPAE              = "DPAE"             // hirings declared (Urssaf), Dim "CONTRAT=..."
	AEActifs          = "AE_ACTIFS"        // economically active auto-entrepreneurs (Urssaf)
	AEImmat           = "AE_IMMAT"         // auto-entrepreneur registrations
	AERadiations      = "AE_RADIATIONS"    // auto-entrepreneur cancellations
	ProcCollectives   = "PROC_COLLECTIVES" // collective proceedings, France (Urssaf), Dim "NATURE=..."
	AEChiffreAffaires = "AE_CA"            // auto-entrepreneurs' declared turnover, euros (Urssaf)
	Actifs            = "ACTIFS"           // active population 15-64 (census, DS_RP_EMPLOI_LR_PRINC), Dim "" or "EMPSTA=1|2"
	SalariesPartEmp   = "SAL_PART_EMP"     // employees of private households (Urssaf, particuliers employeurs), Dim "CATEGORIE=..."

	// Issue 12 measures (MELODI datasets named in brackets).
	TourCapacite  = "TOUR_CAP"    // establishments [DS_TOUR_CAP], Dim "ACTIVITY=I551|I552|I553;RANKING=_T|1..5|NC"
	TourPlaces    = "TOUR_PLACES" // rooms (hotels), pitches (campsites), beds (other) [DS_TOUR_CAP], same Dims
	CreationsEnt  = "CREA_ENT"    // business creations [DS_SIDE_CREA_ENT_COM], Dim "" or "ACTIVITY=<A10>"
	CreationsEtab = "CREA_ETAB"   // establishment creations [DS_SIDE_CREA_ETAB_COM], same Dims
	Logements     = "LOGEMENTS"   // dwellings [DS_RP_LOGEMENT_PRINC], Dim "" or "OCS=DW_MAIN|DW_SEC_DW_OCC|DW_VAC" or "TDW=1|2" (houses, flats) or "TSH=100|200|300"
	Diplomes      = "DIPLOMES"    // population out of school aged 15+ by highest diploma [DS_RP_DIPLOMES_PRINC], Dim "" or "EDUC=<code>"
	MenagesTaille = "MENAGES"     // households [DS_RP_MENAGES_PRINC], Dim "" or "NPERS=1|2|3|4|5+"
	Familles      = "FAMILLES"    // families [DS_RP_FAMILLE_COMP], Dim "" or "TFN=1|21|22"
)

// Figure is one value of one measure for one territory and period.
type Figure struct {
	Territory string  // territory ID as given by geo: "commune/69123", "departement/69", "france/FR"
	Theme     Theme   // dashboard section
	Measure   string  // one of the measure constants above
	Dim       string  // breakdown, "KEY=value;KEY=value" with sorted keys, or "" for the total
	Period    string  // "2021", "2024-T3"
	Value     float64 // meaningful only when Status is Present
	Status    Status
	Source    string // producer and product: "Insee, Filosofi", "Urssaf, open data"
	Vintage   string // edition of the data: "2021", "DS_FILOSOFI_CC 2021"
}
