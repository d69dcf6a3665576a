package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"territoires/fetch/melodi/meloditest"
	"territoires/fetch/metadonnees/metadonneestest"
	"territoires/fetch/urssaf/urssaftest"
	"territoires/geo"
)

// TestBuildFromFakeAPIs builds a small site with source = "api" against
// the fake INSEE and URSSAF servers: the build fetches what the cache
// lacks, then the pages show the servers' figures, with no illustrative
// banner; a second build makes no call.
func TestBuildFromFakeAPIs(t *testing.T) {
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	insee := meloditest.New(meloditest.Options{Ref: ref, Quota: 100000, Window: time.Second})
	defer insee.Close()
	communes := urssaftest.CommunesOf(ref)
	// The regional series of Corsica is 10 % off the sum of its communes:
	// the build log must say so.
	urssaf := urssaftest.NewServer(urssaftest.Options{Data: urssaftest.Data{Communes: communes, Retired: map[string]string{}, RegionSkew: map[string]float64{"94": 0.1}}})
	defer urssaf.Close()
	// Study zones of the fake Métadonnées API: those of Corse-du-Sud.
	var zones []geo.ZoneInput
	for _, z := range metadonneestest.Synthetic(ref) {
		if slices.ContainsFunc(z.Communes, func(c string) bool { return strings.HasPrefix(c, "2A") }) {
			zones = append(zones, z)
		}
	}
	meta := metadonneestest.New(ref, zones, 0, time.Second)
	defer meta.Close()
	for k, v := range map[string]string{
		"TERRITOIRES_METADONNEES_URL": meta.URL,
		"TERRITOIRES_SOURCE":          "api",
		"TERRITOIRES_MELODI_URL":      insee.MelodiURL,
		"TERRITOIRES_URSSAF_URL":      urssaf.URL,
		"TERRITOIRES_INSEE_QUOTA":     "100000",
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "site.toml")
	os.WriteFile(cfg, []byte("[territories]\ndepartements = [\"2A\"]\n[fetch]\nwindow = \"1s\"\nurssaf_quota = 100000\n"), 0o644)
	summary := filepath.Join(dir, "summary.md")
	var log bytes.Buffer
	if err := run(context.Background(), []string{"build", "-config", cfg, "-summary", summary}, &log, &log); err != nil {
		t.Fatalf("build: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "région total from communes differs from the regional series") || !strings.Contains(log.String(), "94") {
		t.Errorf("the build log does not report the région check:\n%s", log.String())
	}
	calls := insee.Stats().Calls
	if calls == 0 {
		t.Fatalf("the build made no call to the fake INSEE\n%s", log.String())
	}
	f, _ := os.Open(filepath.Join(dir, "public", "commune", "2A004", "index.html"))
	doc, err := goquery.NewDocumentFromReader(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find(".banner, .badge, .ill, meta[name=robots]").Length() != 0 {
		t.Error("a page built from the APIs is labelled illustrative")
	}
	charts := doc.Find("figure.chart-block")
	if charts.Length() < 3 {
		t.Errorf("Ajaccio has %d charts from the fake APIs, want several", charts.Length())
	}
	if strings.Contains(doc.Text(), "Illustratif") {
		t.Error("synthetic figures on a page built from the APIs")
	}
	// The study zones come from the Métadonnées cache: a card on the
	// commune page, a page per zone.
	card := doc.Find("section[aria-labelledby=zonages] dd a")
	if card.Length() != 4 {
		t.Errorf("Ajaccio's zonages card has %d links, want 4", card.Length())
	}
	card.Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		if _, err := os.Stat(filepath.Join(dir, "public", filepath.FromSlash(href), "index.html")); err != nil {
			t.Errorf("zone page %s: %v", href, err)
		}
	})
	metaCalls := meta.Total()
	if metaCalls != 4+len(zones) {
		t.Errorf("the build made %d Métadonnées calls, want %d (4 lists, one per zone)", metaCalls, 4+len(zones))
	}
	// The figures of the page are those of the download, which come from the cache.
	// Ajaccio's are in the bundle of the communes of Corse-du-Sud.
	b, _ := os.ReadFile(filepath.Join(dir, "public", "api", "commune", "departement-2A.json"))
	var api struct{ Illustratif bool }
	if err := json.Unmarshal(b, &api); err != nil {
		t.Fatal(err)
	}
	series := communeSeries(t, dir, "api/commune/departement-2A.json", "2A004")
	sources := map[string]bool{}
	for _, s := range series {
		sources[s.Source] = true
	}
	if api.Illustratif || len(series) < 3 {
		t.Errorf("download: illustrative %v, %d series", api.Illustratif, len(series))
	}
	t.Logf("sources of the download: %v", sources)
	// The URSSAF charts of issue 10 show the fake portal's figures.
	for page, ids := range map[string][]string{
		"region/94":      {"secteurs-regionaux", "particuliers-employeurs", "particuliers-employeurs-habitants"},
		"departement/2A": {"particuliers-employeurs", "particuliers-employeurs-habitants", "embauches"},
	} {
		f, _ := os.Open(filepath.Join(dir, "public", page, "index.html"))
		doc, err := goquery.NewDocumentFromReader(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if src := doc.Find("figure#" + id + " p.source").Text(); !strings.Contains(src, "Urssaf, open data") {
				t.Errorf("%s: chart %s missing or without its source (%q)", page, id, src)
			}
		}
	}
	sum, _ := os.ReadFile(summary)
	if !strings.Contains(string(sum), "API calls spent") {
		t.Errorf("summary = %q", sum)
	}

	// Nothing changed: a second build spends no call.
	if err := run(context.Background(), []string{"build", "-config", cfg}, &log, &log); err != nil {
		t.Fatal(err)
	}
	if got := insee.Stats().Calls; got != calls {
		t.Errorf("second build made %d more INSEE calls, want 0", got-calls)
	}
	if got := meta.Total(); got != metaCalls {
		t.Errorf("second build made %d more Métadonnées calls, want 0", got-metaCalls)
	}
}
