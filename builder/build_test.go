package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/config"
	"territoires/geo"
	"territoires/indicator"
)

// newSite writes a site.toml into a temporary folder and loads it.
func newSite(t testing.TB, toml string) *config.Site {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "site.toml")
	if err := os.WriteFile(path, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	site, err := config.Parse(path, toml, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return site
}

const rhone = `base_url = "https://example.org/stats/"
build_date = "2026-01-31"
[territories]
departements = ["69"]
`

func mustBuild(t testing.TB, site *config.Site) Summary {
	t.Helper()
	sum, err := Build(context.Background(), Options{Site: site})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return sum
}

// readPage reads a published page as a browser running charts.js sees it:
// each chart's container completed from the build's defaults.
func readPage(t *testing.T, site *config.Site, rel string) *goquery.Document {
	t.Helper()
	doc := readRawPage(t, site, rel)
	resolveCharts(doc, chartDefaultsOf(t, site))
	return doc
}

// chartDefaultsOf reads the chart defaults the build wrote at the head of
// charts.js; nil when it has none.
func chartDefaultsOf(t testing.TB, site *config.Site) chartDefaults {
	t.Helper()
	js, _ := filepath.Glob(filepath.Join(site.Path(site.Output), "assets", "charts.*.js"))
	if len(js) != 1 {
		return nil
	}
	b, err := os.ReadFile(js[0])
	if err != nil {
		t.Fatal(err)
	}
	const head = "window.territoiresChartDefaults="
	if !bytes.HasPrefix(b, []byte(head)) {
		t.Fatalf("%s does not start with %s", js[0], head)
	}
	var defs chartDefaults
	if err := json.NewDecoder(bytes.NewReader(b[len(head):])).Decode(&defs); err != nil {
		t.Fatalf("%s: the chart defaults: %v", js[0], err)
	}
	return defs
}

// resolveCharts does what charts.js's resolve does: it writes on each
// chart's container the defaults of its figure's id that it leaves out.
func resolveCharts(doc *goquery.Document, defs chartDefaults) {
	place := strings.TrimSpace(doc.Find("main h1").First().Text())
	doc.Find("figure .chart").Each(func(_ int, el *goquery.Selection) {
		lacks := func(attr string) bool { _, ok := el.Attr(attr); return !ok }
		if d := defs[el.Closest("figure").AttrOr("id", "")]; d != nil {
			if d.Option != "" && lacks("data-option") && lacks("data-options") {
				el.SetAttr("data-option", d.Option)
			}
			if d.Unit != "" && lacks("data-unit") {
				el.SetAttr("data-unit", d.Unit)
			}
			if d.Decimals != 0 && lacks("data-decimals") {
				el.SetAttr("data-decimals", strconv.Itoa(d.Decimals))
			}
			if d.Label != "" && lacks("aria-label") {
				el.SetAttr("aria-label", strings.ReplaceAll(d.Label, placeMark, place))
			}
		}
		if lacks("role") {
			el.SetAttr("role", "img")
		}
	})
}

// readRawPage reads a published page as it is.
func readRawPage(t *testing.T, site *config.Site, rel string) *goquery.Document {
	t.Helper()
	f, err := os.Open(filepath.Join(site.Path(site.Output), rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func texts(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, e *goquery.Selection) { out = append(out, strings.TrimSpace(e.Text())) })
	return out
}

func TestCommunePage(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	doc := readPage(t, site, "commune/69123/index.html")

	if got, want := doc.Find("html").AttrOr("lang", ""), "fr"; got != want {
		t.Errorf("lang = %q, want %q", got, want)
	}
	if got, want := doc.Find("h1").Text(), "Lyon"; got != want {
		t.Errorf("h1 = %q, want %q", got, want)
	}
	if got, want := doc.Find("title").Text(), "Lyon (commune 69123) – Territoires"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := doc.Find(`link[rel=canonical]`).AttrOr("href", ""), "https://example.org/stats/commune/69123/"; got != want {
		t.Errorf("canonical = %q, want %q", got, want)
	}
	crumbs := doc.Find("nav.crumbs a")
	wantCrumbs := []string{"France", "Auvergne-Rhône-Alpes", "Rhône", "Arrondissement de Lyon", "Métropole de Lyon"}
	if got := texts(crumbs); strings.Join(got, "|") != strings.Join(wantCrumbs, "|") {
		t.Errorf("breadcrumb = %q, want %q", got, wantCrumbs)
	}
	if got, want := crumbs.Eq(4).AttrOr("href", ""), "/stats/epci/200046977/"; got != want {
		t.Errorf("EPCI link = %q, want %q", got, want)
	}
	arr := doc.Find("#arrondissements + .table-wrap tbody th a")
	if arr.Length() != 9 {
		t.Errorf("Lyon lists %d arrondissements, want 9", arr.Length())
	}
	if got, want := arr.First().AttrOr("href", ""), "/stats/arrondissement-municipal/69381/"; got != want {
		t.Errorf("first arrondissement link = %q, want %q", got, want)
	}
	rows := doc.Find("#population-legale table tbody tr")
	if rows.Length() < 4 {
		t.Errorf("population history has %d rows, want at least 4", rows.Length())
	}
	if got := strings.TrimSpace(rows.Last().Text()); !strings.HasPrefix(got, "2023") || !strings.Contains(got, "519\u202f127") {
		t.Errorf("last population row = %q, want 2023 and 519 127", got)
	}
	if !strings.Contains(doc.Find("footer").Text(), "2026-01-31") {
		t.Error("footer lacks the build date")
	}
	if doc.Find(`link[rel=stylesheet]`).AttrOr("href", "") == "" {
		t.Error("no style sheet")
	}
}

func TestDepartementAndFrancePages(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	dep := readPage(t, site, "departement/69/index.html")
	communes := texts(dep.Find("#communes + .table-wrap tbody th a"))
	if len(communes) < 200 {
		t.Fatalf("Rhône lists %d communes, want more than 200", len(communes))
	}
	for i := 1; i < len(communes); i++ {
		if geo.Fold(communes[i-1]) > geo.Fold(communes[i]) {
			t.Errorf("communes not sorted: %q before %q", communes[i-1], communes[i])
		}
	}
	if dep.Find(`#epci + .table-wrap tbody th a[href="/stats/epci/200046977/"]`).Length() != 1 {
		t.Error("Rhône page does not link the Métropole de Lyon")
	}

	fr := readPage(t, site, "index.html")
	if got := fr.Find("#regions + .table-wrap tbody tr").Length(); got != 18 {
		t.Errorf("France lists %d régions, want 18", got)
	}
	// Only the built région is a link in a small site.
	if got := texts(fr.Find("#regions + .table-wrap tbody th a")); len(got) != 1 || got[0] != "Auvergne-Rhône-Alpes" {
		t.Errorf("linked régions = %q, want only Auvergne-Rhône-Alpes", got)
	}
	if _, err := os.Stat(filepath.Join(site.Path(site.Output), "commune/01001/index.html")); err == nil {
		t.Error("a commune of the Ain was built in a Rhône-only site")
	}
}

func TestExtras(t *testing.T) {
	site := newSite(t, rhone)
	sum, err := Build(context.Background(), Options{Site: site, sitemapSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := site.Path(site.Output)
	index, _ := os.ReadFile(filepath.Join(out, "sitemap.xml"))
	pages := sum.Pages + 3 // and the about, données and départements pages
	wantFiles := (pages + 99) / 100
	if got := strings.Count(string(index), "<sitemap>"); got != wantFiles {
		t.Errorf("sitemap index lists %d files, want %d", got, wantFiles)
	}
	urls := 0
	for i := 1; i <= wantFiles; i++ {
		b, err := os.ReadFile(filepath.Join(out, "sitemap-"+strconv.Itoa(i)+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), "<url>")
		if n > 100 {
			t.Errorf("sitemap-%d.xml has %d URLs, want at most 100", i, n)
		}
		urls += n
	}
	if urls != pages {
		t.Errorf("sitemaps hold %d URLs, want one per page (%d)", urls, pages)
	}
	if !strings.Contains(string(index), "<loc>https://example.org/stats/sitemap-1.xml</loc>") {
		t.Errorf("sitemap index has no absolute URL:\n%s", index)
	}
	robots, _ := os.ReadFile(filepath.Join(out, "robots.txt"))
	if !strings.Contains(string(robots), "Sitemap: https://example.org/stats/sitemap.xml") {
		t.Errorf("robots.txt = %q", robots)
	}
	nf := readPage(t, site, "404.html")
	if nf.Find("h1").Text() != "Page introuvable" {
		t.Errorf("404.html h1 = %q", nf.Find("h1").Text())
	}
}

// tree reads every file of a folder.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministicAndIncremental(t *testing.T) {
	a, b := newSite(t, rhone), newSite(t, rhone)
	first := mustBuild(t, a)
	mustBuild(t, b)
	ta, tb := tree(t, a.Path(a.Output)), tree(t, b.Path(b.Output))
	if len(ta) != len(tb) || len(ta) != first.Files {
		t.Fatalf("builds have %d and %d files, summary says %d", len(ta), len(tb), first.Files)
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two builds of the same input", name)
		}
	}

	// A rebuild with nothing new writes nothing and keeps every file.
	out := a.Path(a.Output)
	probe := filepath.Join(out, "commune/69123/index.html")
	before, _ := os.Stat(probe)
	again := mustBuild(t, a)
	if again.Written != 0 || again.Removed != 0 || !again.Current || again.Files != first.Files {
		t.Errorf("rebuild: current %v, wrote %d files and removed %d of %d, want a current site and none written",
			again.Current, again.Written, again.Removed, again.Files)
	}
	after, _ := os.Stat(probe)
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("rebuild touched an unchanged page")
	}

	// A page edited by hand is noticed and published again, alone.
	os.WriteFile(probe, []byte("edited"), 0o644)
	repair := mustBuild(t, a)
	if repair.Current || repair.Written != 1 {
		t.Errorf("after a page was edited: current %v, %d written, want 1", repair.Current, repair.Written)
	}
	if b, _ := os.ReadFile(probe); string(b) == "edited" {
		t.Error("the edited page was not published again")
	}

	// A file added by hand stops the build, which removes nothing.
	stray := filepath.Join(out, "commune/old.html")
	os.WriteFile(stray, []byte("x"), 0o644)
	a.Title = "Autre titre"
	if _, err := Build(context.Background(), Options{Site: a}); err == nil || !strings.Contains(err.Error(), `holds "commune/old.html"`) {
		t.Errorf("Build with a file added by hand: error = %v, want it to name the file", err)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Errorf("the build removed a file it did not write: %v", err)
	}
	os.Remove(stray)

	// A changed title rewrites pages; the pages of territories no longer
	// built are removed.
	third := mustBuild(t, a)
	if third.Written < third.Pages {
		t.Errorf("Written = %d after a title change, want at least %d", third.Written, third.Pages)
	}
	a.Territories.Departements = []string{"2A"}
	fourth := mustBuild(t, a)
	if _, err := os.Stat(probe); err == nil || fourth.Removed < first.Pages-fourth.Pages {
		t.Errorf("after the Rhône left the site: %d removed, Lyon's page still there: %v", fourth.Removed, err == nil)
	}
	for _, leftover := range []string{".public.staging", ".public.old"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(out), leftover)); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
}

func TestFailedBuildLeavesSiteWhole(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	out := site.Path(site.Output)
	before := tree(t, out)

	// A template override that fails on one page only, midway through the build.
	tdir := filepath.Join(site.Dir, "tpl")
	os.Mkdir(tdir, 0o755)
	page, _ := fs.ReadFile(os.DirFS("../templates"), "territory.html")
	broken := strings.Replace(string(page), "<h1>{{.T.Name}}</h1>", `<h1>{{.T.Name}}{{if eq .T.Code "69123"}}{{index .T.Children 99}}{{end}}</h1>`, 1)
	os.WriteFile(filepath.Join(tdir, "territory.html"), []byte(broken), 0o644)
	site.Templates = "tpl"
	site.Title = "Changed title, so that every page would be rewritten"

	_, err := Build(context.Background(), Options{Site: site})
	if err == nil || !strings.Contains(err.Error(), "render: commune/69123") {
		t.Fatalf("Build error = %v, want a render error naming commune/69123", err)
	}
	afterFail := tree(t, out)
	if len(afterFail) != len(before) {
		t.Errorf("failed build left %d files, want %d", len(afterFail), len(before))
	}
	for name, data := range before {
		if !bytes.Equal(afterFail[name], data) {
			t.Errorf("failed build changed %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(out), ".public.staging")); err == nil {
		t.Error("failed build left its staging folder")
	}
}

func TestCancelledBuildPublishesNothing(t *testing.T) {
	site := newSite(t, rhone)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, Options{Site: site}); err == nil {
		t.Fatal("cancelled build succeeded")
	}
	if _, err := os.Stat(site.Path(site.Output)); err == nil {
		t.Error("cancelled build published an output folder")
	}
}

// TestThemesChosen: a site that publishes only some dashboard sections
// (site.toml themes) leaves the others and their key figures off its
// pages, and keeps their figures in the downloads.
func TestThemesChosen(t *testing.T) {
	site := newSite(t, `base_url = "https://example.org/"
build_date = "2026-01-31"
title = "Thèmes"
themes = ["population", "logement"]
[territories]
departements = ["69"]
`)
	mustBuild(t, site)
	doc := readPage(t, site, "commune/69123/index.html")
	var got []string
	doc.Find("section.theme h2").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("id", "")) })
	if want := []string{"population", "logement"}; !slices.Equal(got, want) {
		t.Errorf("sections of Lyon's page = %v, want %v", got, want)
	}
	// The key figures are those of the sections shown.
	if got, want := texts(doc.Find("section.key .label")), []string{"Habitants", "Logements"}; !slices.Equal(got, want) {
		t.Errorf("key figures of Lyon's page = %q, want %q", got, want)
	}
	b, err := os.ReadFile(filepath.Join(site.Path(site.Output), "api/commune/departement-69.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{indicator.RevenuMedian, indicator.TourPlaces, indicator.Diplomes} {
		if !strings.Contains(string(b), `"`+m+`"`) {
			t.Errorf("api/commune/departement-69.json lacks %s, a figure of a theme not shown: downloads keep every figure", m)
		}
	}
}
