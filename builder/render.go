package builder

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// siteView is what every page knows of the site.
type siteView struct {
	Title     string
	Root      string // URL path of the site root, "/" or "/territoires/"
	BaseURL   string // absolute, with a trailing slash
	CSS       string // URL of the style sheet
	Icon      string // URL of the favicon
	SearchJS  string // URL of the search script
	BuildDate string
	GeoYear   int
	// Scripts are the URLs of the scripts of pages with charts (ECharts,
	// then charts.js), empty when the build has none.
	Scripts []string
	// CompareJS is the URL of compare.js (sortable tables, "Comparer
	// avec…"), after Scripts on territory pages, not in embeds.
	CompareJS string
	// ChartsJS is the URL of charts.js alone: 404.html loads it to send the
	// embed URLs of earlier builds on to the embed page.
	ChartsJS string
	// Illustrative is set when the figures are synthetic: every page says
	// so in a banner and is kept out of search engines.
	Illustrative bool
	// Parts are the parts of the layout that depend on the site alone,
	// rendered once a build (renderParts).
	Parts siteParts

	zones  *geo.Zonings  // study zonings of the build (zones.go); nil: none
	charts chartDefaults // what charts.js knows of each chart (chartdefaults.go)
	// themes are the dashboard sections published (site.toml themes);
	// empty: all.
	themes []string
}

// siteParts are the templates site-… of layout.html, rendered with the
// siteView: each page writes them as they are, rather than running their
// twenty actions again (each a reflective call and an escaper's).
type siteParts struct {
	Robots, SiteName, Assets, Scripts, Header, Footer template.HTML
}

// renderParts renders the site's parts of the layout of t, once the site
// view is complete (assets published). A layout of the site's own
// (site.toml templates) that lacks one leaves it empty.
func (s *siteView) renderParts(t *template.Template) error {
	var buf bytes.Buffer
	for _, p := range []struct {
		name string
		dst  *template.HTML
	}{
		{"site-robots", &s.Parts.Robots}, {"site-name", &s.Parts.SiteName}, {"site-assets", &s.Parts.Assets},
		{"site-scripts", &s.Parts.Scripts}, {"site-header", &s.Parts.Header}, {"site-footer", &s.Parts.Footer},
	} {
		if t.Lookup(p.name) == nil {
			continue
		}
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, p.name, s); err != nil {
			return err
		}
		*p.dst = template.HTML(buf.String())
	}
	return nil
}

// publishes says whether the site publishes the dashboard section id.
func (s *siteView) publishes(id string) bool {
	return len(s.themes) == 0 || slices.Contains(s.themes, id)
}

// url returns the link to a URL path of the site ("/commune/69123/").
func (s *siteView) url(p string) string { return s.Root + strings.TrimPrefix(p, "/") }

// abs returns the absolute URL of a URL path, for canonical links and the sitemap.
func (s *siteView) abs(p string) string { return s.BaseURL + strings.TrimPrefix(p, "/") }

type linkView struct{ Name, URL string }

type codeView struct{ Label, Value, URL string }

type popRow struct {
	Year, Value int
	Change      string // change since the previous year shown
}

type childView struct {
	Name, Code, URL string
	Pop             int
	HasPop          bool
}

type groupView struct {
	ID, Title string
	Items     []childView
	Table     *childTable // the children's figures, when the build has them (children.go)
	terrs     []*geo.Territory
}

// pageView is the data of a territory page.
type pageView struct {
	Site        *siteView
	T           *geo.Territory
	Title       string
	Description string
	Canonical   string
	KindLabel   string
	Crumbs      []linkView
	Codes       []codeView
	Pop         []popRow
	Latest      *popRow
	Groups      []groupView
	Zonings     []codeView // a commune's study zones (zones.go)
	KeyFigures  []keyFigure
	RankNote    string // how ranks read, when the page has some (ranks.go)
	Themes      []themeView
	Downloads   string             // URL of the JSON download, without extension
	JSONLabel   string             // which territories that file holds, when not only this one
	CSV         string             // URL of the CSV file holding the territory's figures
	CSVLabel    string             // which territories that file holds: "communes de l'Ain"
	EmbedURL    string             // absolute URL of the embed page, with the territory as fragment
	figures     []indicator.Figure // of the territory, for the downloads
}

var epciTypes = map[string]string{
	"CC":    "Communauté de communes",
	"CA":    "Communauté d'agglomération",
	"CU":    "Communauté urbaine",
	"METRO": "Métropole",
	"MET69": "Métropole de Lyon, collectivité à statut particulier",
}

// pageTemplates holds the parsed template sets, one per page type.
type pageTemplates struct {
	territory, notFound, embed, about, departements *template.Template
}

// parseTemplates parses the layout with each page template, minified once
// here rather than every page (see minify.go).
func parseTemplates(fsys fs.FS) (*pageTemplates, error) {
	m := newMinifier()
	parse := func(page string) (*template.Template, error) {
		t, err := parseMinified(m, page, fsys, "layout.html", page)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", page, err)
		}
		return t, nil
	}
	var ts pageTemplates
	var err error
	if ts.territory, err = parse("territory.html"); err != nil {
		return nil, err
	}
	if ts.notFound, err = parse("404.html"); err != nil {
		return nil, err
	}
	if ts.about, err = parse("about.html"); err != nil {
		return nil, err
	}
	if ts.departements, err = parse("departements.html"); err != nil {
		return nil, err
	}
	if ts.embed, err = parseMinified(m, "embed.html", fsys, "embed.html"); err != nil {
		return nil, fmt.Errorf("parse embed.html: %w", err)
	}
	return &ts, nil
}

// page builds the view of a territory page. built tells which territories
// have a page in this build, so that a small site links only to its own
// pages; figs gives the figures of a territory.
func (s *siteView) page(ctx context.Context, t *geo.Territory, built func(*geo.Territory) bool, figs *figureCache) (*pageView, error) {
	link := func(x *geo.Territory) string {
		if !built(x) {
			return ""
		}
		return s.url(x.Path())
	}
	v := &pageView{Site: s, T: t, Canonical: s.abs(t.Path()), KindLabel: t.Kind.Label(),
		Downloads: s.url("/" + strings.TrimSuffix(jsonPath(t), ".json")), JSONLabel: jsonLabel(t), CSV: s.url("/" + csvPath(t)), CSVLabel: csvLabel(t)}
	v.Title = t.Name
	if t.Kind != geo.France {
		v.Title = fmt.Sprintf("%s (%s %s)", t.Name, strings.ToLower(kindShort(t.Kind)), t.Code)
	}
	parents := t.Parents()
	for i := len(parents) - 1; i >= 0; i-- {
		if u := link(parents[i]); u != "" {
			v.Crumbs = append(v.Crumbs, linkView{parents[i].Name, u})
		}
	}
	switch t.Kind {
	case geo.EPCI:
		v.KindLabel = epciTypes[t.EPCIType]
		if v.KindLabel == "" {
			v.KindLabel = t.Kind.Label()
		}
		v.Codes = append(v.Codes, codeView{Label: "Numéro SIREN", Value: t.Code})
	case geo.France:
		v.Codes = append(v.Codes, codeView{Label: "Territoire", Value: "France métropolitaine et départements d'outre-mer"})
	default:
		v.Codes = append(v.Codes, codeView{Label: "Code Insee", Value: t.Code})
	}
	for _, p := range []struct {
		label string
		x     *geo.Territory
	}{
		{"Commune", t.Commune}, {"Intercommunalité", t.EPCI},
		{"Département", t.Departement}, {"Région", t.Region},
	} {
		if p.x == nil || p.x == t {
			continue
		}
		label := p.label
		if p.x.Kind == geo.Collectivite {
			label = p.x.Kind.Label()
		}
		v.Codes = append(v.Codes, codeView{Label: label, Value: p.x.Name + " (" + p.x.Code + ")", URL: link(p.x)})
	}
	for i, p := range t.Population {
		row := popRow{Year: p.Year, Value: p.Value}
		if i > 0 {
			row.Change = formatChange(t.Population[i-1].Value, p.Value)
		}
		v.Pop = append(v.Pop, row)
	}
	if n := len(v.Pop); n > 0 {
		v.Latest = &v.Pop[n-1]
	}
	d := &dashboard{site: s, t: t, illustrative: s.Illustrative}
	for _, x := range comparedWith(t) {
		fs, err := figs.get(ctx, x)
		if err != nil {
			return nil, fmt.Errorf("figures of %s: %w", x.ID(), err)
		}
		if x == t {
			d.fs = fs
			v.figures = fs.all
		}
		d.cmp = append(d.cmp, compared{t: x, fs: fs})
	}
	var err error
	if v.Themes, err = d.themes(); err != nil {
		return nil, err
	}
	v.EmbedURL = s.abs(embedPath) + "#" + embedFragment(t)
	for i := range v.Themes {
		for j := range v.Themes[i].Charts {
			c := &v.Themes[i].Charts[j]
			c.def, c.place = s.charts[c.ID], t.Name
		}
	}
	v.KeyFigures = d.keyFigures()
	v.Description = description(t, v.KeyFigures)
	group := func(id, title string, ts []*geo.Territory) {
		if len(ts) == 0 {
			return
		}
		g := groupView{ID: id, Title: title, Items: make([]childView, len(ts)), terrs: ts}
		for i, c := range ts {
			item := childView{Name: c.Name, Code: c.Code, URL: link(c)}
			if p, ok := c.LatestPopulation(); ok {
				item.Pop, item.HasPop = p.Value, true
			}
			g.Items[i] = item
		}
		v.Groups = append(v.Groups, g)
	}
	switch t.Kind {
	case geo.France:
		var regions, coms []*geo.Territory
		for _, c := range t.Children {
			if c.Kind == geo.Region {
				regions = append(regions, c)
			} else {
				coms = append(coms, c)
			}
		}
		group("regions", "Régions", regions)
		group("departements", "Départements", departementsOf(regions))
		group("collectivites", "Collectivités d'outre-mer", coms)
	case geo.Region:
		group("departements", "Départements", t.Children)
	case geo.Departement:
		group("epci", "Intercommunalités", t.EPCIs)
		group("communes", "Communes", t.Children)
	case geo.Collectivite, geo.EPCI:
		group("communes", "Communes", t.Children)
	case geo.Commune:
		group("arrondissements", "Arrondissements municipaux", t.Children)
	}
	s.zoneLinks(v, t, link)
	return v, nil
}

func kindShort(k geo.Kind) string {
	switch k {
	case geo.Arrondissement:
		return "Arrondissement"
	case geo.Collectivite:
		return "Collectivité"
	}
	return k.Label()
}

// description is the meta description of a page: what the territory is and
// its key figures.
func description(t *geo.Territory, kf []keyFigure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s", t.Name, strings.ToLower(t.Kind.Label()))
	if t.Kind != geo.France && t.Kind != geo.EPCI {
		fmt.Fprintf(&b, " (code Insee %s)", t.Code)
	}
	if t.Departement != nil && t.Departement != t {
		fmt.Fprintf(&b, ", %s", t.Departement.Name)
	}
	b.WriteString(".")
	for _, k := range kf {
		fmt.Fprintf(&b, " %s : %s (%s).", k.Label, k.Value, k.Detail)
	}
	b.WriteString(" Statistiques locales avec sources et millésimes.")
	return strings.ReplaceAll(b.String(), nnbsp, " ")
}

// simpleView is the data of the pages that are not a territory's: 404,
// about, the list of départements.
type simpleView struct {
	Site                          *siteView
	Title, Description, Canonical string
	Body                          template.HTML // about
	Items                         []childView   // départements
	Themes                        []themeView   // none: no chart script
}

func render(t *template.Template, buf *bytes.Buffer, data any) error {
	return t.ExecuteTemplate(buf, "layout", data)
}

// embedPath is the URL path of the one embed page of the site. Its fragment
// names the territory and the chart: /embed/#commune-69123/revenus-deciles
// ({kind}-{code}/{chart id}); assets/charts.js copies that chart from the
// territory's page. One page for every territory: 36,000 fewer files. The
// embed URLs of earlier builds (/embed/commune/69123.html#revenus-deciles)
// reach 404.html, whose charts.js sends them on to the new form.
const embedPath = "/embed/"

// embedFragment names a territory in the fragment of an embed URL.
func embedFragment(t *geo.Territory) string { return t.Kind.Slug() + "-" + t.Code }

// embedPageView is the data of the embed page: a shell that
// assets/charts.js fills with the chart named by the URL fragment, copied
// from the territory's page (its title, chart, source, notes and table), so
// that an embed shows exactly the page's figures and the site stays small.
type embedPageView struct {
	Site      *siteView
	Canonical string
}
