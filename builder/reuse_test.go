package builder

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestEmbeds(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	page := readPage(t, site, "commune/69123/index.html")
	snippets := page.Find(".embed-code textarea")
	if snippets.Length() != page.Find("figure.chart-block").Length() {
		t.Fatalf("%d embed snippets for %d charts", snippets.Length(), page.Find("figure.chart-block").Length())
	}
	snippet := page.Find("#integrer-revenus-deciles").Text()
	m := regexp.MustCompile(`^<iframe src="https://example\.org/stats/(embed/commune/69123/)#(revenus-deciles)" title="([^"]+)" width="\d+" height="\d+" loading="lazy"></iframe>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("snippet = %q", snippet)
	}
	if !strings.Contains(m[3], "Lyon") {
		t.Errorf("iframe title %q does not name the territory", m[3])
	}
	// The snippet's URL exists and holds that chart, with its source and the link back.
	embed := readPage(t, site, m[1]+"index.html")
	fig := embed.Find("figure#" + m[2])
	if fig.Length() != 1 || fig.Find(".chart").Length() != 1 {
		t.Fatalf("embed page has %d figures %s with %d charts", fig.Length(), m[2], fig.Find(".chart").Length())
	}
	if !strings.HasPrefix(fig.Find(".source").Text(), "Source : ") {
		t.Errorf("embed source = %q", fig.Find(".source").Text())
	}
	if got := fig.Find(".source a").AttrOr("href", ""); got != "https://example.org/stats/commune/69123/#revenus-deciles" {
		t.Errorf("link back = %q", got)
	}
	if embed.Find("body").AttrOr("data-page", "") != "https://example.org/stats/commune/69123/" {
		t.Error("embed page does not name the page holding the figures")
	}
	// Every chart of the page has its figure in the embed page, in the same order.
	var pageIDs, embedIDs []string
	page.Find("figure.chart-block").Each(func(_ int, s *goquery.Selection) { pageIDs = append(pageIDs, s.AttrOr("id", "")) })
	embed.Find("figure.chart-block").Each(func(_ int, s *goquery.Selection) { embedIDs = append(embedIDs, s.AttrOr("id", "")) })
	if strings.Join(pageIDs, " ") != strings.Join(embedIDs, " ") {
		t.Errorf("embed charts %q, page charts %q", embedIDs, pageIDs)
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
	if page.Find(`#telecharger a[href="/stats/api/commune/69123.csv"]`).Length() != 1 || page.Find(`#telecharger a[href="/stats/api/commune/69123.json"]`).Length() != 1 {
		t.Fatal("page does not link its downloads")
	}

	f, err := os.Open(filepath.Join(out, "api/commune/69123.csv"))
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
	for _, row := range rows[1:] {
		if row[0] != "69123" || row[1] != "commune" {
			t.Fatalf("row of another territory: %q", row)
		}
		csvValue[row[3]+"|"+row[4]+"|"+row[5]] = row[6]
		if row[7] == "present" && row[6] == "" || row[7] != "present" && row[6] != "" {
			t.Errorf("row %q: value and status disagree", row)
		}
	}

	var api struct {
		Territoire struct{ Code, Type, Nom string }
		Series     []struct {
			Mesure, Ventilation, Source, Millesime string
			Points                                 []struct {
				Periode string
				Valeur  *float64
				Statut  string
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "api/commune/69123.json"))
	if err := json.Unmarshal(b, &api); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	if api.Territoire.Code != "69123" || api.Territoire.Nom != "Lyon" {
		t.Errorf("JSON territory = %+v", api.Territoire)
	}
	points := 0
	for _, s := range api.Series {
		for _, p := range s.Points {
			points++
			want := ""
			if p.Valeur != nil {
				want = strconv.FormatFloat(*p.Valeur, 'f', -1, 64)
			}
			if got, ok := csvValue[s.Mesure+"|"+s.Ventilation+"|"+p.Periode]; !ok || got != want {
				t.Errorf("%s %s %s: JSON %q, CSV %q", s.Mesure, s.Ventilation, p.Periode, want, got)
			}
		}
	}
	if points != len(rows)-1 {
		t.Errorf("JSON has %d points, CSV %d rows", points, len(rows)-1)
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
		Territoires []struct{ Code, Type, JSON string }
	}
	b, _ = os.ReadFile(filepath.Join(out, "api/index.json"))
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range index.Territoires {
		if e.Code == "69123" && e.Type == "commune" {
			found = e.JSON == "/stats/api/commune/69123.json"
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
	if !strings.Contains(desc, "Lyon") || !strings.Contains(desc, "519 127") || !strings.Contains(desc, "revenu médian") {
		t.Errorf("description %q lacks the key figures", desc)
	}
	for _, prop := range []string{"og:title", "og:description", "og:url", "og:type", "og:locale"} {
		if doc.Find(`meta[property="`+prop+`"]`).AttrOr("content", "") == "" {
			t.Errorf("no %s", prop)
		}
	}
	if doc.Find("form[role=search] input[type=search]").Length() != 1 {
		t.Error("no search box")
	}
	about := readPage(t, site, "a-propos/index.html")
	text := about.Find("main").Text()
	for _, want := range []string{"Licence Ouverte", "/api/commune/69123.json", "secret statistique", "frame-ancestors"} {
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
