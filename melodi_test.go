package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"territoires/fetch"
	"territoires/fetch/melodi"
	"territoires/fetch/melodi/meloditest"
	"territoires/fetch/metadonnees/metadonneestest"
	"territoires/geo"
	"territoires/indicator"
)

// melodiSite starts a fake MELODI and a fake Métadonnées API for the
// Rhône and writes a site.toml building the Rhône from them (INSEE only).
func melodiSite(t *testing.T) (srv *meloditest.Server, cfg string, dir string, zones []geo.ZoneInput) {
	t.Helper()
	f, err := os.Open("fetch/testdata/ref69.tsv")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := geo.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	zones = metadonneestest.Synthetic(ref) // synthetic study zones of the Rhône
	srv = meloditest.New(meloditest.Options{Ref: ref, Quota: 100000, Window: time.Second, Zones: zones})
	t.Cleanup(srv.Close)
	meta := metadonneestest.New(ref, zones, 0, time.Second)
	t.Cleanup(meta.Close)
	for k, v := range map[string]string{
		"TERRITOIRES_SOURCE":          "api",
		"TERRITOIRES_MELODI_URL":      srv.MelodiURL,
		"TERRITOIRES_METADONNEES_URL": meta.URL,
		"TERRITOIRES_INSEE_QUOTA":     "100000",
	} {
		t.Setenv(k, v)
	}
	dir = t.TempDir()
	cfg = filepath.Join(dir, "site.toml")
	toml := "[territories]\ndepartements = [\"69\"]\n[fetch]\nsources = [\"insee\"]\nwindow = \"1s\"\n"
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, cfg, dir, zones
}

// downloadSeries is a series of a territory's JSON download.
type downloadSeries struct {
	Mesure, Source, Millesime, Ventilation string
	Periodes                               []string
	Valeurs                                []*float64
}

// apiSeries reads the series of a territory's JSON download.
func apiSeries(t *testing.T, dir, rel string) []downloadSeries {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "public", rel))
	if err != nil {
		t.Fatal(err)
	}
	var api struct{ Series []downloadSeries }
	if err := json.Unmarshal(b, &api); err != nil {
		t.Fatal(err)
	}
	return api.Series
}

// communeSeries reads the series of a commune from its département's
// JSON bundle (rel): each of the commune's values with its series'
// description.
func communeSeries(t *testing.T, dir, rel, code string) []downloadSeries {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "public", rel))
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Series   []downloadSeries
		Communes []struct {
			Code    string
			Valeurs [][]*float64
		}
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	for _, c := range bundle.Communes {
		if c.Code != code {
			continue
		}
		var out []downloadSeries
		for i, v := range c.Valeurs {
			if v != nil {
				s := bundle.Series[i]
				s.Valeurs = v
				out = append(out, s)
			}
		}
		return out
	}
	t.Fatalf("%s is not in %s", code, rel)
	return nil
}

// TestRhoneFromMELODI fetches the Rhône from a fake MELODI speaking the
// real shapes, then builds it: Lyon's download holds figures of every
// dataset of the default selection, the France page shows FRANCE-F (not
// metropolitan France), and every commune page shows its median income or
// says it is secret.
func TestRhoneFromMELODI(t *testing.T) {
	srv, cfg, dir, zones := melodiSite(t)
	var log bytes.Buffer
	if err := run(context.Background(), []string{"fetch", "-config", cfg}, &log, &log); err != nil {
		t.Fatalf("fetch: %v\n%s", err, log.String())
	}
	if err := run(context.Background(), []string{"build", "-config", cfg}, &log, &log); err != nil {
		t.Fatalf("build: %v\n%s", err, log.String())
	}

	datasets := map[string]int{}
	for _, s := range communeSeries(t, dir, "api/commune/departement-69.json", "69123") {
		ds, _, _ := strings.Cut(s.Millesime, " ")
		datasets[ds]++
	}
	for _, ds := range melodi.Datasets() {
		if datasets[ds] == 0 {
			t.Errorf("Lyon's download has no series of %s (has %v)", ds, datasets)
		}
	}
	t.Logf("series of Lyon by dataset: %v", datasets)

	// A study zone's page has MELODI's figures of the zone (AAV2020 here:
	// the test referential has no arrondissement, so no synthetic ZE).
	if len(zones) == 0 {
		t.Fatal("no synthetic study zone")
	}
	z := zones[0]
	zoneSets := map[string]bool{}
	for _, s := range apiSeries(t, dir, "api/"+z.Kind.Slug()+"/"+z.Code+".json") {
		ds, _, _ := strings.Cut(s.Millesime, " ")
		zoneSets[ds] = true
	}
	if !zoneSets["DS_FILOSOFI_CC"] || !zoneSets["DS_RP_POPULATION_PRINC"] {
		t.Errorf("%s %s: series of %v, want MELODI's", z.Kind, z.Code, zoneSets)
	}

	// France: the FRANCE-F dwellings, not FRANCE-FM's (the legal
	// population of the page comes from the referential).
	resp, err := http.Get(srv.MelodiURL + "/data/DS_RP_LOGEMENT_PRINC?GEO=FRANCE-F&RP_MEASURE=DWELLINGS&OCS=_T&TDW=_T&TSH=_T&NOR=_T&TIME_PERIOD=2022")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ans struct {
		Observations []struct {
			Measures map[string]struct{ Value float64 }
		}
	}
	if err := json.Unmarshal(body, &ans); err != nil || len(ans.Observations) != 1 {
		t.Fatalf("FRANCE-F dwellings: %v %s", err, body)
	}
	want := ans.Observations[0].Measures["OBS_VALUE_NIVEAU"].Value
	found := false
	for _, s := range apiSeries(t, dir, "api/france/FR.json") {
		if s.Mesure == indicator.Logements && s.Ventilation == "" {
			i := slices.Index(s.Periodes, "2022")
			found = i >= 0 && s.Valeurs[i] != nil && *s.Valeurs[i] == want
			if !found {
				var got []float64
				for _, v := range s.Valeurs {
					if v != nil {
						got = append(got, *v)
					}
				}
				t.Errorf("France's dwellings %v %v (%s), want FRANCE-F's %v in 2022", s.Periodes, got, s.Millesime, want)
			}
		}
	}
	if !found {
		t.Error("the France download has no dwellings of 2022")
	}

	// Every commune page: its median income, or "secret statistique".
	ref, _ := geo.Load()
	site := fetch.Defaults()
	site.Sources, site.CacheDir = []string{"insee"}, filepath.Join(dir, ".cache/fetch")
	ix, err := fetch.LoadIndex(context.Background(), site, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret, present := 0, 0
	for _, c := range ref.OfKind(geo.Commune) {
		if c.Departement == nil || c.Departement.Code != "69" {
			continue
		}
		figs, _ := ix.AppendFigures(context.Background(), nil, c)
		status := indicator.NotPublished
		for _, f := range figs {
			if f.Measure == indicator.RevenuMedian {
				status = f.Status
			}
		}
		p, err := os.Open(filepath.Join(dir, "public", "commune", c.Code, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(p)
		p.Close()
		text := doc.Text()
		switch status {
		case indicator.Present:
			present++
			if !strings.Contains(text, "Revenu médian") || strings.Contains(text, "secret statistique, 2021") {
				t.Errorf("%s (%s): no median income on its page", c.Name, c.Code)
			}
		case indicator.Secret:
			secret++
			if !strings.Contains(text, "secret statistique, 2021") {
				t.Errorf("%s (%s): secret median income not said so", c.Name, c.Code)
			}
		default:
			t.Errorf("%s (%s): no Filosofi figure at all", c.Name, c.Code)
		}
	}
	if secret == 0 || present == 0 {
		t.Errorf("%d communes with a median income, %d secret; want both", present, secret)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "public", "a-propos", "donnees", "index.html"))
	for _, ds := range melodi.Datasets() {
		if !bytes.Contains(page, []byte(ds)) {
			t.Errorf("the provenance page does not list %s", ds)
		}
	}
}

// TestRemovedDatasetFetchFailsBuildGoesOn: a dataset removed from MELODI
// makes fetch fail naming it; build succeeds with every other figure and
// the last good ones of the failed dataset, and says what is stale.
func TestRemovedDatasetFetchFailsBuildGoesOn(t *testing.T) {
	srv, cfg, dir, _ := melodiSite(t)
	srv.Remove("DS_TOUR_CAP")
	var log bytes.Buffer
	err := run(context.Background(), []string{"fetch", "-config", cfg}, &log, &log)
	if err == nil || !strings.Contains(err.Error(), "DS_TOUR_CAP") || !strings.Contains(log.String(), "1 datasets failed: DS_TOUR_CAP") {
		t.Fatalf("fetch without DS_TOUR_CAP: %v\n%s\nwant an error naming it", err, log.String())
	}
	log.Reset()
	summary := filepath.Join(dir, "summary.md")
	if err := run(context.Background(), []string{"build", "-config", cfg, "-summary", summary}, &log, &log); err != nil {
		t.Fatalf("build: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "stale: DS_TOUR_CAP") {
		t.Errorf("the build log does not say DS_TOUR_CAP is stale:\n%s", log.String())
	}
	if s, _ := os.ReadFile(summary); !strings.Contains(string(s), "stale or failed datasets | DS_TOUR_CAP") {
		t.Errorf("summary = %q, want DS_TOUR_CAP listed as stale", s)
	}
	datasets := map[string]bool{}
	for _, s := range communeSeries(t, dir, "api/commune/departement-69.json", "69123") {
		ds, _, _ := strings.Cut(s.Millesime, " ")
		datasets[ds] = true
	}
	for _, ds := range melodi.Datasets() {
		if datasets[ds] == (ds == "DS_TOUR_CAP") {
			t.Errorf("Lyon's download: %s present %v", ds, datasets[ds])
		}
	}
}
