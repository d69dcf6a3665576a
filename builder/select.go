package builder

import (
	"slices"

	"territoires/config"
	"territoires/geo"
)

// Select returns the territories to build, in the referential's order: all
// of them, or, when départements or régions are listed, those, their
// communes and arrondissements, the EPCI with members among them, the
// régions above them and France.
func Select(ref *geo.Referential, sel config.Territories) []*geo.Territory {
	if len(sel.Departements) == 0 && len(sel.Regions) == 0 {
		return ref.All
	}
	deps := map[*geo.Territory]bool{}
	for _, code := range sel.Departements {
		if d, ok := ref.Lookup(geo.Departement, code); ok {
			deps[d] = true
		} else if c, ok := ref.Lookup(geo.Collectivite, code); ok {
			deps[c] = true
		}
	}
	for _, code := range sel.Regions {
		if r, ok := ref.Lookup(geo.Region, code); ok {
			for _, d := range r.Children {
				deps[d] = true
			}
		}
	}
	keep := map[*geo.Territory]bool{ref.France: true}
	for d := range deps {
		keep[d] = true
		keep[d.Region] = true
		for _, c := range d.Children {
			keep[c] = true
			if c.EPCI != nil {
				keep[c.EPCI] = true
			}
			if c.ArrondissementDep != nil {
				keep[c.ArrondissementDep] = true
			}
			for _, a := range c.Children {
				keep[a] = true
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(ref.All), func(t *geo.Territory) bool { return !keep[t] })
}
