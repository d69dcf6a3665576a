package builder

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/config"
	"territoires/geo"
)

const hauteSavoie = `base_url = "https://example.org/stats/"
[territories]
departements = ["74"]
`

// annecyZones are study zones as the Métadonnées cache would give them
// (codes of the right shapes; the membership is a test's, not INSEE's).
var annecyZones = []geo.ZoneInput{
	{Kind: geo.ZoneEmploi, Code: "8212", Name: "Annecy", Communes: []string{"74010", "74093", "74019"}},
	{Kind: geo.UniteUrbaine, Code: "74501", Name: "Annecy", Communes: []string{"74010"}},
	{Kind: geo.AireAttraction, Code: "044", Name: "Annecy", Communes: []string{"74010", "74019"}},
	{Kind: geo.BassinVie, Code: "74010", Name: "Annecy", Communes: []string{"74010"}},
	{Kind: geo.BassinVie, Code: "01004", Name: "Ambérieu-en-Bugey", Communes: []string{"01004"}}, // outside the build
}

// annecyDir holds the Haute-Savoie site shared by the tests of this file;
// TestMain removes it.
var annecyDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if annecyDir != "" {
		os.RemoveAll(annecyDir)
	}
	os.Exit(code)
}

var buildAnnecy = sync.OnceValues(func() (*config.Site, error) {
	dir, err := os.MkdirTemp("", "territoires-zones-")
	if err != nil {
		return nil, err
	}
	annecyDir = dir
	path := filepath.Join(dir, "site.toml")
	if err := os.WriteFile(path, []byte(hauteSavoie), 0o644); err != nil {
		return nil, err
	}
	site, err := config.Parse(path, hauteSavoie, func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	_, err = Build(context.Background(), Options{Site: site, Zones: annecyZones})
	return site, err
})

func annecySite(t *testing.T) *config.Site {
	t.Helper()
	site, err := buildAnnecy()
	if err != nil {
		t.Fatalf("build of Haute-Savoie: %v", err)
	}
	return site
}

func TestArrondissementPage(t *testing.T) {
	site := annecySite(t)
	doc := readPage(t, site, "arrondissement/741/index.html")
	if got, want := doc.Find("title").Text(), "Annecy (arrondissement 741) – Territoires"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := texts(doc.Find("nav.crumbs a")), []string{"France", "Auvergne-Rhône-Alpes", "Haute-Savoie"}; !slices.Equal(got, want) {
		t.Errorf("breadcrumb = %q, want %q", got, want)
	}
	communes := doc.Find("#communes + .table-wrap tbody th a")
	if communes.Length() < 20 || !slices.Contains(texts(communes), "Annecy") {
		t.Errorf("arrondissement 741 lists %d communes: %q", communes.Length(), texts(communes))
	}
	if doc.Find("section.theme").Length() == 0 || doc.Find("section.theme table").Length() == 0 {
		t.Error("arrondissement 741 has no figures")
	}
	dep := readPage(t, site, "departement/74/index.html")
	if got := texts(dep.Find("#arrondissements + .table-wrap tbody th a")); !slices.Contains(got, "Arrondissement d'Annecy") || len(got) != 4 {
		t.Errorf("Haute-Savoie lists arrondissements %q", got)
	}
}

func TestCommunePageZonesAndFormerCommunes(t *testing.T) {
	site := annecySite(t)
	doc := readPage(t, site, "commune/74010/index.html")
	crumbs := doc.Find("nav.crumbs a")
	want := []string{"France", "Auvergne-Rhône-Alpes", "Haute-Savoie", "Arrondissement d'Annecy", "CA du Grand Annecy"}
	if got := texts(crumbs); !slices.Equal(got, want) {
		t.Errorf("breadcrumb = %q, want %q", got, want)
	}
	if got, want := crumbs.Eq(3).AttrOr("href", ""), "/stats/arrondissement/741/"; got != want {
		t.Errorf("arrondissement link = %q, want %q", got, want)
	}
	card := doc.Find(`section[aria-labelledby=zonages]`)
	if got := texts(card.Find("dt")); !slices.Equal(got, []string{"Zone d'emploi", "Unité urbaine", "Aire d'attraction des villes", "Bassin de vie"}) {
		t.Errorf("zonages card terms = %q", got)
	}
	var links []string
	card.Find("dd a").Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
	if want := []string{"/stats/zone-emploi/8212/", "/stats/unite-urbaine/74501/", "/stats/aire-attraction/044/", "/stats/bassin-vie/74010/"}; !slices.Equal(links, want) {
		t.Errorf("zonages links = %q, want %q", links, want)
	}
	former := texts(doc.Find("#anciennes-communes + ul li"))
	if len(former) != 8 || !slices.ContainsFunc(former, func(s string) bool { return strings.HasPrefix(s, "Cran-Gevrier (commune déléguée) 74093") }) {
		t.Errorf("Annecy's former communes = %q", former)
	}
}

func TestZonePage(t *testing.T) {
	site := annecySite(t)
	doc := readPage(t, site, "zone-emploi/8212/index.html")
	if got, want := doc.Find("title").Text(), "Annecy (zone d'emploi 8212) – Territoires"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got := texts(doc.Find("#communes + .table-wrap tbody th a")); !slices.Equal(got, []string{"Annecy", "Argonay"}) {
		t.Errorf("zone 8212 communes = %q, want Annecy and Argonay (74093 counts for Annecy)", got)
	}
	if got := texts(doc.Find("nav.crumbs a")); !slices.Equal(got, []string{"France"}) {
		t.Errorf("breadcrumb = %q", got)
	}
	if doc.Find("section.theme table").Length() == 0 {
		t.Error("zone 8212 has no figures")
	}
	if _, err := os.Stat(filepath.Join(site.Path(site.Output), "bassin-vie/01004/index.html")); err == nil {
		t.Error("a zone without a commune in the build was built")
	}
}

func TestRedirectPage(t *testing.T) {
	site := annecySite(t)
	doc := readPage(t, site, "commune/74093/index.html")
	for _, tt := range []struct{ sel, attr, want string }{
		{`link[rel=canonical]`, "href", "https://example.org/stats/commune/74010/"},
		{`meta[http-equiv=refresh]`, "content", "0; url=/stats/commune/74010/"},
		{`meta[name=robots]`, "content", "noindex"},
		{`main a`, "href", "/stats/commune/74010/"},
	} {
		if got := doc.Find(tt.sel).AttrOr(tt.attr, ""); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.sel, tt.attr, got, tt.want)
		}
	}
	if got := doc.Find("h1").Text(); got != "Cran-Gevrier" {
		t.Errorf("h1 = %q", got)
	}
	if got := doc.Find("main a").Text(); got != "Annecy (74010)" {
		t.Errorf("link text = %q", got)
	}
	if !strings.Contains(doc.Find("main").Text(), "commune déléguée") {
		t.Errorf("the page does not say what Cran-Gevrier is: %q", doc.Find("main").Text())
	}
	if _, err := os.Stat(filepath.Join(site.Path(site.Output), "commune/69232/index.html")); err == nil {
		t.Error("a former commune of the Rhône was published in a Haute-Savoie site")
	}
}

func TestSitemapAndSearchHoldNewPages(t *testing.T) {
	site := annecySite(t)
	out := site.Path(site.Output)
	b, err := os.ReadFile(filepath.Join(out, "sitemap-1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sm := string(b)
	for _, u := range []string{"/stats/arrondissement/741/", "/stats/zone-emploi/8212/", "/stats/bassin-vie/74010/", "/stats/commune/74010/"} {
		if !strings.Contains(sm, "<loc>https://example.org"+u+"</loc>") {
			t.Errorf("sitemap lacks %s", u)
		}
	}
	if strings.Contains(sm, "/commune/74093/") {
		t.Error("sitemap lists the redirect /commune/74093/")
	}
	for _, tt := range []struct{ q, wantKind, wantCode, wantName string }{
		{"cran gevrier", "commune", "74093", "Cran-Gevrier (Annecy)"},
		{"Cran-Gevrier", "commune", "74093", "Cran-Gevrier (Annecy)"},
		{"74093", "commune", "74093", "Cran-Gevrier (Annecy)"},
		{"seynod", "commune", "74268", "Seynod (Annecy)"},
		{"annecy", "commune", "74010", "Annecy"},
		{"arrondissement annecy", "", "", ""},
		{"thonon", "commune", "74281", "Thonon-les-Bains"},
	} {
		got := search(t, out, tt.q)
		if tt.wantCode == "" {
			continue
		}
		if len(got) == 0 || got[0].Kind.Slug() != tt.wantKind || got[0].Code != tt.wantCode || got[0].Name != tt.wantName {
			t.Errorf("search %q = %v, want first %s %s %q", tt.q, got, tt.wantKind, tt.wantCode, tt.wantName)
		}
	}
	// Arrondissements and zones are found by name, and only their own
	// names: "annecy" lists Annecy-le-Vieux but not Cran-Gevrier.
	kinds := map[string]bool{}
	for _, e := range search(t, out, "annecy") {
		kinds[e.Kind.Slug()] = true
		if e.Name == "Cran-Gevrier (Annecy)" || e.Name == "Seynod (Annecy)" {
			t.Errorf("search annecy lists the former commune %q", e.Name)
		}
	}
	for _, k := range []string{"arrondissement", "zone-emploi", "unite-urbaine", "aire-attraction", "bassin-vie"} {
		if !kinds[k] {
			t.Errorf("search annecy finds no %s", k)
		}
	}
}

// Offline, without zones, a commune page has no zonages card and no zone
// page exists.
func TestNoZonesOffline(t *testing.T) {
	site := newSite(t, "[territories]\ndepartements = [\"90\"]\n")
	mustBuild(t, site)
	doc := readPage(t, site, "commune/90010/index.html")
	if doc.Find("#zonages").Length() != 0 {
		t.Error("a commune page has a zonages card without zones")
	}
	if got := texts(doc.Find("nav.crumbs a")); len(got) != 5 || got[3] != "Arrondissement de Belfort" {
		t.Errorf("breadcrumb = %q", got)
	}
	for _, k := range geo.StudyKinds {
		if _, err := os.Stat(filepath.Join(site.Path(site.Output), k.Slug())); err == nil {
			t.Errorf("folder %s/ published without zones", k.Slug())
		}
	}
}
