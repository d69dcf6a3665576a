package geo

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the level of a territory.
type Kind uint8

const (
	France Kind = iota
	Region
	Departement
	Collectivite // collectivité d'outre-mer (975, 977, 978, 984, 986, 987, 988, 989)
	EPCI
	Commune
	Arrondissement // arrondissement municipal of Paris, Lyon or Marseille

	// Kinds of issue 12: départemental arrondissements and INSEE's study
	// zonings. They sit beside the administrative tree: a commune belongs to
	// one of each, but they are not its Parents.
	ArrondissementDep // arrondissement départemental ("691"): MELODI level ARR
	ZoneEmploi        // zone d'emploi 2020 ("2415"): MELODI level ZE2020
	UniteUrbaine      // unité urbaine 2020 ("01121"): MELODI level UU2020
	AireAttraction    // aire d'attraction des villes 2020 ("062"): MELODI level AAV2020
	BassinVie         // bassin de vie 2022 ("01004"): MELODI level BV2022
)

// Kinds lists every kind from the top down.
var Kinds = []Kind{France, Region, Departement, Collectivite, EPCI, Commune, Arrondissement,
	ArrondissementDep, ZoneEmploi, UniteUrbaine, AireAttraction, BassinVie}

var kindInfo = [...]struct{ slug, label, plural string }{
	France:         {"france", "Pays", "Pays"},
	Region:         {"region", "Région", "Régions"},
	Departement:    {"departement", "Département", "Départements"},
	Collectivite:   {"collectivite-outre-mer", "Collectivité d'outre-mer", "Collectivités d'outre-mer"},
	EPCI:           {"epci", "Intercommunalité (EPCI)", "Intercommunalités (EPCI)"},
	Commune:        {"commune", "Commune", "Communes"},
	Arrondissement: {"arrondissement-municipal", "Arrondissement municipal", "Arrondissements municipaux"},

	ArrondissementDep: {"arrondissement", "Arrondissement", "Arrondissements"},
	ZoneEmploi:        {"zone-emploi", "Zone d'emploi", "Zones d'emploi"},
	UniteUrbaine:      {"unite-urbaine", "Unité urbaine", "Unités urbaines"},
	AireAttraction:    {"aire-attraction", "Aire d'attraction des villes", "Aires d'attraction des villes"},
	BassinVie:         {"bassin-vie", "Bassin de vie", "Bassins de vie"},
}

// Slug is the kind's name in URLs and territory IDs: "commune", "epci"...
func (k Kind) Slug() string { return kindInfo[k].slug }

// Label is the kind's name in French, singular.
func (k Kind) Label() string { return kindInfo[k].label }

// Plural is the kind's name in French, plural.
func (k Kind) Plural() string { return kindInfo[k].plural }

func (k Kind) String() string { return k.Slug() }

// ParseKind is the inverse of Slug.
func ParseKind(slug string) (Kind, error) {
	for _, k := range Kinds {
		if k.Slug() == slug {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown territory kind %q", slug)
}

// Pop is a legal population (population municipale) and its reference year.
type Pop struct {
	Year  int
	Value int
}

// Territory is one node of the referential. Parent pointers are nil where the
// link does not exist (a commune outside any EPCI, France's parents).
type Territory struct {
	Kind        Kind
	Code        string   // INSEE code; SIREN for an EPCI; "FR" for France
	Name        string   // official name: "Lyon", "Métropole de Lyon"
	Folded      string   // Fold(Name), for sorting and matching
	EPCIType    string   // CC, CA, CU, METRO, MET69 for an EPCI
	PostalCodes []string // sorted; communes and arrondissements only
	Population  []Pop    // sorted by year, oldest first; may be empty

	Commune     *Territory // an arrondissement's commune
	EPCI        *Territory // a commune's EPCI
	Departement *Territory // département or overseas collectivity
	Region      *Territory // région or overseas collectivity
	Country     *Territory // France, for every territory but France

	// Children are the territories listed on this one's page, sorted by
	// name: régions and collectivities of France, départements of a région,
	// communes of a département or of an EPCI, arrondissements of a commune.
	Children []*Territory
	// EPCIs are the EPCI with at least one member in a département.
	EPCIs []*Territory
}

// ID identifies a territory across packages: "commune/69123", "france/FR".
func (t *Territory) ID() string { return t.Kind.Slug() + "/" + t.Code }

// Path is the page's URL path: "/commune/69123/", and "/" for France.
func (t *Territory) Path() string {
	if t.Kind == France {
		return "/"
	}
	return "/" + t.Kind.Slug() + "/" + t.Code + "/"
}

// LatestPopulation returns the most recent legal population, if any.
func (t *Territory) LatestPopulation() (Pop, bool) {
	if len(t.Population) == 0 {
		return Pop{}, false
	}
	return t.Population[len(t.Population)-1], true
}

// Parents returns the territory's ancestors, nearest first and without
// repetition: an arrondissement's commune, a commune's EPCI, then the
// département, the région and France.
func (t *Territory) Parents() []*Territory {
	var ps []*Territory
	for _, p := range []*Territory{t.Commune, t.EPCI, t.Departement, t.Region, t.Country} {
		if p != nil && p != t && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// Referential holds every territory.
type Referential struct {
	GeoYear  int          // COG vintage: 2026
	PopYears []int        // years with legal populations, ascending
	All      []*Territory // sorted by kind, then code
	France   *Territory

	byID    map[string]*Territory
	retired map[string]string // retired or delegated commune code → current commune code
}

// Lookup finds a territory by kind and code.
func (r *Referential) Lookup(k Kind, code string) (*Territory, bool) {
	t, ok := r.byID[k.Slug()+"/"+code]
	return t, ok
}

// ByID finds a territory by its ID ("commune/69123").
func (r *Referential) ByID(id string) (*Territory, bool) {
	t, ok := r.byID[id]
	return t, ok
}

// CurrentCommune maps a commune code, current, retired (merged commune) or
// delegated, to the current commune. Arrondissement codes map to themselves
// when asked for as arrondissements; use Lookup for those.
func (r *Referential) CurrentCommune(code string) (*Territory, bool) {
	if t, ok := r.Lookup(Commune, code); ok {
		return t, true
	}
	if cur, ok := r.retired[code]; ok {
		return r.Lookup(Commune, cur)
	}
	return nil, false
}

// RetiredCodes returns the retired commune codes and the current code each
// maps to, sorted by retired code.
func (r *Referential) RetiredCodes() [][2]string {
	out := make([][2]string, 0, len(r.retired))
	for old, cur := range r.retired {
		out = append(out, [2]string{old, cur})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// OfKind returns the territories of one kind, sorted by code.
func (r *Referential) OfKind(k Kind) []*Territory {
	var out []*Territory
	for _, t := range r.All {
		if t.Kind == k {
			out = append(out, t)
		}
	}
	return out
}
