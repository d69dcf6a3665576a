package builder

import (
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"territoires/geo"
)

// The pages of issue 12 beside the administrative tree: arrondissements
// départementaux (in the referential), INSEE's study zonings (given by the
// build's Options.Zones, from the Métadonnées cache: none offline), and the
// small pages that lead the retired commune codes to the current commune.

// studyZones returns the zones to build: those with at least one member
// commune in the build.
func studyZones(zs *geo.Zonings, terrs []*geo.Territory) []*geo.Territory {
	if zs.Len() == 0 {
		return nil
	}
	in := make(map[*geo.Territory]bool, len(terrs))
	for _, t := range terrs {
		if t.Kind == geo.Commune {
			in[t] = true
		}
	}
	var out []*geo.Territory
	for _, z := range zs.All {
		if slices.ContainsFunc(z.Children, func(c *geo.Territory) bool { return in[c] }) {
			out = append(out, z)
		}
	}
	return out
}

// zoneLinks completes a page's view with the links of issue 12: the
// arrondissement in a commune's breadcrumb and identity, the "Zonages
// d'étude" card of a commune, the member communes of an arrondissement or a
// zone, the arrondissements of a département and the former communes of a
// commune.
func (s *siteView) zoneLinks(v *pageView, t *geo.Territory, link func(*geo.Territory) string) {
	if a := t.ArrondissementDep; a != nil {
		if u := link(a); u != "" {
			at := len(v.Crumbs)
			if t.Departement != nil {
				if i := slices.IndexFunc(v.Crumbs, func(c linkView) bool { return c.Name == t.Departement.Name }); i >= 0 {
					at = i + 1
				}
			}
			v.Crumbs = slices.Insert(v.Crumbs, at, linkView{a.LongName(), u})
		}
		v.Codes = append(v.Codes, codeView{Label: "Arrondissement", Value: a.Name + " (" + a.Code + ")", URL: link(a)})
	}
	for _, z := range s.zones.Of(t) {
		v.Zonings = append(v.Zonings, codeView{Label: z.Kind.Label(), Value: z.Name + " (" + z.Code + ")", URL: link(z)})
	}
	members := func() {
		g := groupView{ID: "communes", Title: "Communes", Items: make([]childView, len(t.Children)), terrs: t.Children}
		for i, c := range t.Children {
			item := childView{Name: c.Name, Code: c.Code, URL: link(c)}
			if p, ok := c.LatestPopulation(); ok {
				item.Pop, item.HasPop = p.Value, true
			}
			g.Items[i] = item
		}
		v.Groups = append(v.Groups, g)
	}
	switch t.Kind {
	case geo.ArrondissementDep, geo.ZoneEmploi, geo.UniteUrbaine, geo.AireAttraction, geo.BassinVie:
		members()
	case geo.Departement:
		if len(t.Arrondissements) > 0 {
			g := groupView{ID: "arrondissements", Title: "Arrondissements", terrs: t.Arrondissements}
			for _, a := range t.Arrondissements {
				item := childView{Name: a.LongName(), Code: a.Code, URL: link(a)}
				if p, ok := a.LatestPopulation(); ok {
					item.Pop, item.HasPop = p.Value, true
				}
				g.Items = append(g.Items, item)
			}
			v.Groups = slices.Insert(v.Groups, 0, g)
		}
	case geo.Commune:
		if len(t.Former) > 0 {
			g := groupView{ID: "anciennes-communes", Title: "Anciennes communes et communes déléguées"}
			for _, f := range t.Former {
				g.Items = append(g.Items, childView{Name: f.Name + " (" + f.StatusLabel() + ")", Code: f.Code})
			}
			v.Groups = append(v.Groups, g)
		}
	}
}

// redirectView is the data of the page left at a retired commune code.
type redirectView struct {
	Site               *siteView
	Name, Code, Status string // the former commune
	To, ToCode, URL    string // the current commune and its page
	Canonical          string // absolute URL of the current commune's page
}

// formerPages publishes, at the address of every retired commune code whose
// current commune is built, a page that sends readers and crawlers there:
// canonical link, immediate refresh, a visible link and noindex. They are
// not in the sitemap.
func (b *build) formerPages(pub *Publisher, terrs []*geo.Territory) (int, error) {
	tpl, err := parseMinified(newMinifier(), "redirect.html", b.tfs, "redirect.html") // pages are not minified after rendering
	if err != nil {
		return 0, fmt.Errorf("parse redirect.html: %w", err)
	}
	n := 0
	for f := range formerCommunes(terrs) {
		v := &redirectView{
			Site: b.site, Name: f.Name, Code: f.Code, Status: f.StatusLabel(),
			To: f.Current.Name, ToCode: f.Current.Code,
			URL: b.site.url(f.Current.Path()), Canonical: b.site.abs(f.Current.Path()),
		}
		if err := b.publishWith(pub, indexFile("/"+geo.Commune.Slug()+"/"+f.Code+"/"), tpl, "redirect", v); err != nil {
			return n, fmt.Errorf("%s: %w", f.Code, err)
		}
		n++
	}
	return n, nil
}

// formerSearchEntries adds the retired commune codes to the search shards:
// "cran gevrier" or "74093" offers "Cran-Gevrier (Annecy)", whose link is
// the old address, which leads to Annecy. They are filed under the words of
// their own name only, so that "annecy" lists Annecy alone.
func formerSearchEntries(shards map[string][]searchEntry, terrs []*geo.Territory) {
	for f := range formerCommunes(terrs) {
		e := searchEntry{Name: f.Name + " (" + f.Current.Name + ")", Kind: geo.Commune, Code: f.Code}
		if d := f.Current.Departement; d != nil {
			e.Dep = d.Code
		}
		keys := map[string]bool{"n" + f.Code[:2]: true}
		for _, w := range strings.Fields(f.Folded) {
			if len(w) >= 3 {
				keys["w"+w[:3]] = true
			}
		}
		for k := range keys {
			shards[k] = append(shards[k], e)
		}
	}
}

// formerCommunes yields the former communes of the communes built.
func formerCommunes(terrs []*geo.Territory) iter.Seq[*geo.Former] {
	return func(yield func(*geo.Former) bool) {
		for _, t := range terrs {
			if t.Kind != geo.Commune {
				continue
			}
			for _, f := range t.Former {
				if !yield(f) {
					return
				}
			}
		}
	}
}

// hashZones writes the study zones of a build to a fingerprint.
func hashZones(w io.Writer, zones []geo.ZoneInput) {
	for _, z := range zones {
		fmt.Fprintf(w, "%s/%s\x00%s\x00%s\n", z.Kind.Slug(), z.Code, z.Name, strings.Join(z.Communes, ","))
	}
}
