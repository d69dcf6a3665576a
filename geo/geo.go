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

	Commune *Territory // an arrondissement's commune
	// ArrondissementDep is a commune's arrondissement départemental (nil in
	// the overseas collectivities and Mayotte); municipal arrondissements
	// share their commune's. It is not among Parents: the breadcrumb shows
	// it between the département and the commune.
	ArrondissementDep *Territory
	EPCI              *Territory // a commune's EPCI
	Departement       *Territory // département or overseas collectivity
	Region            *Territory // région or overseas collectivity
	Country           *Territory // France, for every territory but France

	// Children are the territories listed on this one's page, sorted by
	// name: régions and collectivities of France, départements of a région,
	// communes of a département or of an EPCI, arrondissements of a commune.
	Children []*Territory
	// EPCIs are the EPCI with at least one member in a département.
	EPCIs []*Territory
	// Arrondissements are the arrondissements départementaux of a
	// département, sorted by code.
	Arrondissements []*Territory
	// Former are the retired codes that lead to a commune: communes merged
	// into it, its communes déléguées and associées; sorted by name.
	Former []*Former

	liaison uint8 // INSEE's type of name (TNCC) of an arrondissement départemental
}

// Former is a commune code that no longer names a current commune: a commune
// merged into another, or a commune déléguée or associée of a commune
// nouvelle. Its old address leads to the current commune.
type Former struct {
	Code    string
	Name    string     // its name as a commune: "Cran-Gevrier"
	Folded  string     // Fold(Name)
	Status  string     // "deleguee", "associee", or "" for a commune merged away
	Current *Territory // the current commune
}

// StatusLabel says in French what the former commune is now.
func (f *Former) StatusLabel() string {
	switch f.Status {
	case "deleguee":
		return "commune déléguée"
	case "associee":
		return "commune associée"
	}
	return "ancienne commune"
}

// LongName is the name with its kind, for breadcrumbs and lists:
// "Arrondissement de Lyon", "Arrondissement du Vigan"; other kinds keep
// their name.
func (t *Territory) LongName() string {
	if t.Kind != ArrondissementDep {
		return t.Name
	}
	return "Arrondissement " + withOf(t.Name, t.liaison)
}

// withOf puts "de" before a name as French wants it, from INSEE's type of
// name: "de Lyon", "d'Annecy", "du Vigan", "de La Rochelle", "des Andelys".
func withOf(name string, tncc uint8) string {
	switch tncc {
	case 1:
		return "d'" + name
	case 2:
		if rest, ok := strings.CutPrefix(name, "Le "); ok {
			return "du " + rest
		}
	case 4, 6:
		for _, art := range []string{"Les ", "Aux "} {
			if rest, ok := strings.CutPrefix(name, art); ok {
				return "des " + rest
			}
		}
	}
	return "de " + name
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

	byID   map[string]*Territory
	former map[string]*Former // by retired or delegated commune code
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
	if f, ok := r.former[code]; ok {
		return f.Current, true
	}
	return nil, false
}

// Former returns what the referential knows of a retired commune code.
func (r *Referential) Former(code string) (*Former, bool) {
	f, ok := r.former[code]
	return f, ok
}

// FormerCommunes returns every retired commune code, sorted by code.
func (r *Referential) FormerCommunes() []*Former {
	out := make([]*Former, 0, len(r.former))
	for _, f := range r.former {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *Former) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// RetiredCodes returns the retired commune codes and the current code each
// maps to, sorted by retired code.
func (r *Referential) RetiredCodes() [][2]string {
	fs := r.FormerCommunes()
	out := make([][2]string, len(fs))
	for i, f := range fs {
		out[i] = [2]string{f.Code, f.Current.Code}
	}
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
