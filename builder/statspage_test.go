package builder

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"territoires/geo"
	"territoires/offline"
)

// TestRanksAndChildTables builds the Rhône: Lyon's key figures and charts
// say its ranks, its population line leaves zero, the Rhône lists its 266
// communes in a table with a CSV of the same rows, France lists its
// départements.
func TestRanksAndChildTables(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	lyon := readPage(t, site, "commune/69123/index.html")
	ranks := texts(lyon.Find(".key li").First().Find(".rank"))
	if len(ranks) != 1 || ranks[0] != "1re sur 266 communes du Rhône" {
		t.Errorf("Lyon's population ranks = %q, want [1re sur 266 communes du Rhône] (no band: France is not built)", ranks)
	}
	if n := lyon.Find(".key .rank").Length(); n < 3 {
		t.Errorf("Lyon's key figures hold %d ranks, want one for each (at least 3)", n)
	}
	if note := lyon.Find("#pauvrete .note").Text(); !strings.Contains(note, "Rang : ") || !strings.Contains(note, "communes du Rhône") {
		t.Errorf("poverty chart notes = %q, want Lyon's rank", note)
	}
	if note := lyon.Find("#revenus-deciles .note").Text(); strings.Contains(note, "Rang") {
		t.Errorf("income chart notes = %q: the key figure says the rank already", note)
	}
	var opt struct {
		YAxis []struct {
			Scale bool `json:"scale"`
		} `json:"yAxis"`
	}
	raw, inline := lyon.Find("figure#population-legale div.chart").Attr("data-option")
	if !inline {
		raw = lyon.Find("script#population-legale-options").Text()
	}
	if err := json.Unmarshal([]byte(raw), &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.YAxis) == 0 || !opt.YAxis[0].Scale {
		t.Errorf("Lyon's population line starts at zero (yAxis %+v), which flattens it", opt.YAxis)
	}
	if lyon.Find("#comparer").Length() != 0 {
		t.Error("the compare control is in the HTML: without JavaScript it would not work")
	}
	// The compare control needs JavaScript: compare.js writes it, and
	// reads how each chart takes a second territory in /api/comparer.json.
	var specs map[string]chartCompare
	specsJSON, err := os.ReadFile(filepath.Join(site.Path(site.Output), "api/comparer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(specsJSON, &specs); err != nil {
		t.Fatalf("comparer.json: %v", err)
	}
	// The charts of the population, income and employment themes (every
	// chart of a page: TestEveryChartCompares).
	for _, id := range []string{"population-legale", "population-historique", "pyramide-ages", "naissances-deces", "revenus-deciles",
		"pauvrete", "activite-chomage", "emplois", "emploi-salarie", "secteurs-urssaf", "etablissements-insee"} {
		if lyon.Find("figure#"+id).Length() == 0 {
			t.Errorf("Lyon has no chart %s", id)
		}
		if c, ok := specs[id]; !ok || len(c.Series) == 0 {
			t.Errorf("comparer.json says nothing of chart %s", id)
		}
	}
	if specs["emploi-trimestriel"].Region != true {
		t.Error("comparer.json: the quarterly series are not the région's")
	}

	dep := readPage(t, site, "departement/69/index.html")
	table := dep.Find("#communes + .table-wrap table.sortable")
	if got := table.Find("tbody tr").Length(); got != 266 {
		t.Errorf("the Rhône's table has %d rows, want 266", got)
	}
	if table.Find("caption").Text() == "" || table.Find(`thead th[scope=col]`).Length() < 5 || table.Find(`tbody th[scope=row]`).Length() != 266 {
		t.Error("the Rhône's table lacks its caption or header cells")
	}
	href := dep.Find("#communes ~ .note a[download]").AttrOr("href", "")
	if href != "/stats/api/departement/69-communes.csv" {
		t.Errorf("CSV link = %q", href)
	}
	csv, err := os.ReadFile(filepath.Join(site.Path(site.Output), "api/departement/69-communes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	if len(lines) != 267 || !strings.HasPrefix(lines[0], "code;nom;population_2023;") {
		t.Errorf("CSV has %d lines, header %q; want 267 and code;nom;population_2023;...", len(lines), lines[0])
	}
	if !strings.Contains(string(csv), "\n69123;Lyon;519127;") {
		t.Error("the CSV lacks Lyon's row")
	}

	fr := readPage(t, site, "index.html")
	if got := fr.Find("#departements + .table-wrap tbody tr").Length(); got != 101 {
		t.Errorf("France lists %d départements, want 101", got)
	}
	if fr.Find("#communes").Length() != 0 {
		t.Error("France lists communes")
	}
}

// BenchmarkStats runs the pre-pass of ranks and tables over every
// territory of France, from the offline source, and reports the memory its
// result holds.
//
//	go test ./builder -run '^$' -bench Stats -benchtime 1x
func BenchmarkStats(b *testing.B) {
	ref, err := geo.Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		figs := newFigureCache(offline.New(ref))
		s, err := computeStats(context.Background(), ref, nil, ref.All, figs, runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
		figs = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(len(s.rows)), "territories")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "retained-MiB")
		runtime.KeepAlive(s)
	}
}
