package geo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// StudyKinds are INSEE's study zonings, in the order a commune page lists
// them. The referential does not carry them: no package the build can use
// offline gives their membership (see Zonings).
var StudyKinds = []Kind{ZoneEmploi, UniteUrbaine, AireAttraction, BassinVie}

// ZoneInput is one study zone as INSEE's geography describes it: its kind,
// code, name and the INSEE codes of its member communes.
type ZoneInput struct {
	Kind     Kind
	Code     string
	Name     string
	Communes []string
}

// Zonings holds the study zones of a build beside the referential, which
// stays shared and unchanged: each zone is a Territory whose Children are
// its member communes (sorted by name) and whose only parent is France. A
// nil *Zonings has no zone.
type Zonings struct {
	All     []*Territory // sorted by kind, then code
	of      map[*Territory][]*Territory
	byID    map[string]*Territory
	Unknown []string // member codes matching no commune, "kind/zone: code"
}

// NewZonings links zones to the referential's communes. A member code that
// was retired since (a commune merged after the zoning's date) counts for
// the current commune; a code the referential does not know is skipped and
// listed in Unknown. A zone given twice, or of a kind that is not a study
// zoning, is an error.
func NewZonings(ref *Referential, zones []ZoneInput) (*Zonings, error) {
	z := &Zonings{of: map[*Territory][]*Territory{}, byID: map[string]*Territory{}}
	for _, in := range zones {
		if !slices.Contains(StudyKinds, in.Kind) {
			return nil, fmt.Errorf("zone %s %q: %s is not a study zoning", in.Code, in.Name, in.Kind)
		}
		t := &Territory{Kind: in.Kind, Code: in.Code, Name: in.Name, Folded: Fold(in.Name), Country: ref.France}
		if _, dup := z.byID[t.ID()]; dup {
			return nil, fmt.Errorf("zone %s given twice", t.ID())
		}
		z.byID[t.ID()] = t
		for _, code := range in.Communes {
			c, ok := ref.CurrentCommune(code)
			if !ok {
				z.Unknown = append(z.Unknown, t.ID()+": "+code)
				continue
			}
			if !slices.Contains(t.Children, c) {
				t.Children = append(t.Children, c)
			}
		}
		slices.SortFunc(t.Children, compareByName)
		t.Population = sumPopulations(t.Children)
		z.All = append(z.All, t)
	}
	slices.SortFunc(z.All, func(a, b *Territory) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Code, b.Code)) })
	for _, t := range z.All {
		for _, c := range t.Children {
			z.of[c] = append(z.of[c], t)
		}
	}
	return z, nil
}

// Of returns the zones a commune belongs to, in the order of StudyKinds.
// A municipal arrondissement belongs to its commune's zones.
func (z *Zonings) Of(c *Territory) []*Territory {
	if z == nil {
		return nil
	}
	if c.Kind == Arrondissement && c.Commune != nil {
		c = c.Commune
	}
	return z.of[c]
}

// ByID finds a zone by its ID ("zone-emploi/2415").
func (z *Zonings) ByID(id string) (*Territory, bool) {
	if z == nil {
		return nil, false
	}
	t, ok := z.byID[id]
	return t, ok
}

// Len is the number of zones.
func (z *Zonings) Len() int {
	if z == nil {
		return 0
	}
	return len(z.All)
}
