package builder

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// embedView is what assets/charts.js makes of the "Intégrer" control under
// a chart: the page's embed URL (data-embed of the panel), the figure's id
// as fragment, its title and the territory's name.
type embedView struct {
	URL   string // absolute, with the chart's id as fragment
	Title string // of the iframe
}

// snippet is the iframe code charts.js writes for a host to paste.
func (e embedView) snippet() string {
	return fmt.Sprintf(`<iframe src="%s" title="%s" width="640" height="420" loading="lazy"></iframe>`, e.URL, html.EscapeString(e.Title))
}

func TestEmbeds(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	page := readPage(t, site, "commune/69123/index.html")
	// charts.js adds an "Intégrer" button under each chart and fills this
	// panel with a copy button (tested in e2e).
	panel := page.Find("#integrer[data-embed][hidden]")
	if panel.Length() != 1 {
		t.Fatal("no snippet panel")
	}
	// What charts.js writes in the panel for the income chart.
	fig := page.Find("figure#revenus-deciles")
	e := embedView{URL: panel.AttrOr("data-embed", "") + "/" + fig.AttrOr("id", ""), Title: fig.Find("h3").Text() + " – " + page.Find("main h1").Text()}
	snippet := e.snippet()
	m := regexp.MustCompile(`^<iframe src="https://example\.org/stats/embed/#(commune-69123)/(revenus-deciles)" title="([^"]+)" width="\d+" height="\d+" loading="lazy"></iframe>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("snippet = %q", snippet)
	}
	if !strings.Contains(m[3], "Lyon") {
		t.Errorf("iframe title %q does not name the territory", m[3])
	}
	// The snippet's URL exists: one shell for every territory, that
	// charts.js fills with the figure named by the fragment, copied from
	// the territory's page (checked in a browser by e2e).
	embed := readPage(t, site, "embed/index.html")
	if got := embed.Find("body.embed").AttrOr("data-root", ""); got != "/stats/" {
		t.Errorf("embed page reads its pages under %q, want the site root", got)
	}
	if embed.Find("main").Length() != 1 || !strings.Contains(embed.Find("noscript").Text(), `href="/stats/"`) {
		t.Error("embed page lacks its main landmark or its link for readers without JavaScript")
	}
	if len(embed.Find("script[src]").Nodes) != 2 {
		t.Error("embed page does not load ECharts and charts.js")
	}
	embeds, _ := filepath.Glob(filepath.Join(site.Path(site.Output), "embed", "*"))
	if len(embeds) != 1 {
		t.Errorf("embed/ holds %d files, want the one page: %q", len(embeds), embeds)
	}
	// The embed URLs of earlier builds reach 404.html, which loads
	// charts.js: it sends them on to the embed page.
	notFound := readPage(t, site, "404.html")
	if notFound.Find(`script[src*="/charts."]`).Length() != 1 || notFound.Find(`script[src*="/echarts."]`).Length() != 0 {
		t.Error("404.html does not load charts.js alone, to redirect old embed URLs")
	}
	// What the embed copies from the page: one figure with its title, chart, source and table.
	fig = page.Find("figure#" + m[2])
	if fig.Find("h3").Length() != 1 || fig.Find(".chart").Length() != 1 || !strings.HasPrefix(fig.Find(".source").Text(), "Source : ") || fig.Find("table").Length() != 1 {
		t.Errorf("page figure %s lacks what its embed shows", m[2])
	}
	if embed.Find(".badge").Length() == 0 {
		t.Error("illustrative figures are not labelled in the embed")
	}
	headers, _ := os.ReadFile(filepath.Join(site.Path(site.Output), "_headers"))
	if !strings.Contains(string(headers), "/embed/*") || !strings.Contains(string(headers), "frame-ancestors *") {
		t.Errorf("_headers does not let embeds be framed:\n%s", headers)
	}
}

func TestDownloadsMatchPage(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	out := site.Path(site.Output)
	page := readPage(t, site, "commune/69123/index.html")
	if page.Find(`#telecharger a[href="/stats/api/commune/departement-69.zip"]`).Length() != 1 || page.Find(`#telecharger a[href="/stats/api/commune/departement-69.json"]`).Length() != 1 {
		t.Fatal("page does not link its downloads")
	}
	if got := page.Find("#telecharger").Text(); !strings.Contains(got, "JSON (toutes les communes du département)") {
		t.Errorf("downloads = %q: the JSON link does not say it holds the département's communes", got)
	}

	// The communes of the Rhône share one CSV file, zipped; Lyon's rows
	// are those of code 69123, in one block.
	z, err := zip.OpenReader(filepath.Join(out, "api/commune/departement-69.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if len(z.File) != 1 || z.File[0].Name != "communes-departement-69.csv" {
		t.Fatalf("the zip holds %d files, the first %q; want communes-departement-69.csv", len(z.File), z.File[0].Name)
	}
	f, err := z.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if strings.Join(rows[0], ";") != strings.Join(csvHeader, ";") {
		t.Errorf("CSV header = %q", rows[0])
	}
	csvValue := map[string]string{} // mesure|ventilation|periode → valeur
	codes := map[string]bool{}
	lyonRows, last := 0, ""
	for _, row := range rows[1:] {
		if row[0] != last && codes[row[0]] {
			t.Fatalf("rows of %s are not together", row[0])
		}
		codes[row[0]], last = true, row[0]
		if len(row[0]) != 5 || !strings.HasPrefix(row[0], "69") {
			t.Fatalf("row of a territory that is not a commune of the Rhône: %q", row)
		}
		if row[0] != "69123" {
			continue
		}
		lyonRows++
		csvValue[row[1]+"|"+row[2]+"|"+row[3]] = row[4]
		if row[5] == "present" && row[4] == "" || row[5] != "present" && row[4] != "" {
			t.Errorf("row %q: value and status disagree", row)
		}
	}

	var api struct {
		Territoire struct{ Code, Type, Nom string }
		Series     []struct {
			Mesure, Ventilation, Source, Millesime string
			Millesimes, Ventilations               []string
			Periodes                               []string
			Valeurs                                []*float64
			Statuts                                []string
		}
	}
	// Lyon's figures, as a file of its own, from the Rhône's bundle.
	raw, err := os.ReadFile(filepath.Join(out, "api/commune/departement-69.json"))
	if err != nil {
		t.Fatal(err)
	}
	bundle := decodeAny(t, raw)
	b, _ := json.Marshal(communeFile(t, bundle, "69123"))
	if err := json.Unmarshal(b, &api); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	if api.Territoire.Code != "69123" || api.Territoire.Nom != "Lyon" {
		t.Errorf("JSON territory = %+v", api.Territoire)
	}
	points := 0
	for _, s := range api.Series {
		if len(s.Valeurs) != len(s.Periodes) || s.Statuts != nil && len(s.Statuts) != len(s.Periodes) ||
			s.Millesimes != nil && (s.Millesime != "" || len(s.Millesimes) != len(s.Periodes)) ||
			s.Ventilations != nil && (s.Ventilation != "" || len(s.Ventilations) != len(s.Periodes)) {
			t.Errorf("%s: %d periods, %d values, %d statuses", s.Mesure, len(s.Periodes), len(s.Valeurs), len(s.Statuts))
			continue
		}
		for i, p := range s.Periodes {
			points++
			want := ""
			if v := s.Valeurs[i]; v != nil {
				want = strconv.FormatFloat(*v, 'f', -1, 64)
			} else if s.Statuts == nil || s.Statuts[i] == "" {
				t.Errorf("%s %s: no value and no status", s.Mesure, p)
			}
			dim := s.Ventilation
			if s.Ventilations != nil {
				dim = s.Ventilations[i]
			}
			if got, ok := csvValue[s.Mesure+"|"+dim+"|"+p]; !ok || got != want {
				t.Errorf("%s %s %s: JSON %q, CSV %q", s.Mesure, dim, p, want, got)
			}
		}
	}
	if points != lyonRows {
		t.Errorf("JSON has %d points, CSV %d rows", points, lyonRows)
	}
	inBundle := map[string]bool{}
	for _, c := range bundle["communes"].([]any) {
		inBundle[c.(map[string]any)["code"].(string)] = true
	}
	if !maps.Equal(codes, inBundle) || len(codes) < 200 {
		t.Errorf("the CSV of the Rhône holds %d communes, its JSON bundle %d", len(codes), len(inBundle))
	}
	// The page's charts show the same figures.
	for _, c := range []struct{ chart, measure string }{{"naissances-deces", "NAISSANCES"}, {"population-legale", "POP_LEGALE"}, {"population-historique", "POP_HISTORIQUE"}} {
		o := chartJSON(t, page, c.chart)
		for i, period := range o.XAxis[0].Data {
			want := strconv.FormatFloat(o.Series[0].Data[i].(float64), 'f', -1, 64)
			if got := csvValue[c.measure+"||"+period]; got != want {
				t.Errorf("%s %s: chart %s, CSV %q", c.chart, period, want, got)
			}
		}
	}

	var index struct {
		Territoires []struct{ Code, Type, JSON, CSV string }
	}
	b, _ = os.ReadFile(filepath.Join(out, "api/index.json"))
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range index.Territoires {
		if e.Code == "69123" && e.Type == "commune" {
			found = e.JSON == "/stats/api/commune/departement-69.json" && e.CSV == "/stats/api/commune/departement-69.zip"
		}
	}
	if !found || len(index.Territoires) < 290 {
		t.Errorf("API index: %d territories, Lyon listed: %v", len(index.Territoires), found)
	}
}

func TestMetadataAndAbout(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	doc := readPage(t, site, "commune/69123/index.html")
	desc := doc.Find(`meta[name=description]`).AttrOr("content", "")
	if !strings.Contains(desc, "Lyon") || !strings.Contains(desc, "519 127") || !strings.Contains(desc, "Revenu médian : ") {
		t.Errorf("description %q lacks the key figures", desc)
	}
	for _, prop := range []string{"og:title", "og:url", "og:type", "og:locale", "og:site_name"} {
		if doc.Find(`meta[property="`+prop+`"]`).AttrOr("content", "") == "" {
			t.Errorf("no %s", prop)
		}
	}
	if doc.Find("form[role=search] input[type=search]").Length() != 1 {
		t.Error("no search box")
	}
	about := readPage(t, site, "a-propos/index.html")
	text := about.Find("main").Text()
	for _, want := range []string{"Licence Ouverte", "/api/commune/departement-69.json", "secret statistique", "frame-ancestors"} {
		if !strings.Contains(text, want) {
			t.Errorf("about page lacks %q", want)
		}
	}
	if about.Find("main table").Length() < 2 {
		t.Error("about page tables were not rendered from Markdown")
	}
	deps := readPage(t, site, "departements/index.html")
	if deps.Find(`a[href="/stats/departement/69/"]`).Length() != 1 {
		t.Error("the list of départements does not link the Rhône")
	}
	sitemap, _ := os.ReadFile(filepath.Join(site.Path(site.Output), "sitemap-1.xml"))
	if !strings.Contains(string(sitemap), "https://example.org/stats/a-propos/") {
		t.Error("the sitemap lacks the about page")
	}
}
