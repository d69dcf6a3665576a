package builder

import (
	"context"
	"strings"
	"testing"
	"time"

	"territoires/geo"
	"territoires/indicator"
	"territoires/offline"
)

// provenanceSource is the offline source with a provenance and real
// (not illustrative) figures, as the fetch cache's index gives.
type provenanceSource struct {
	*offline.Source
	rows []indicator.Provenance
}

func (p provenanceSource) Illustrative() bool                 { return false }
func (p provenanceSource) Provenance() []indicator.Provenance { return p.rows }

const belfort = `base_url = "https://example.org/stats/"
build_date = "2026-01-31"
[territories]
departements = ["90"]
`

// TestProvenancePage: the page lists each dataset with its vintage, date
// of refresh, counts and reasons, says which are stale, and is linked from
// the about page; an offline build says the figures are illustrative.
func TestProvenancePage(t *testing.T) {
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	src := provenanceSource{Source: offline.New(ref), rows: []indicator.Provenance{
		{Source: "melodi", Dataset: "DS_FILOSOFI_CC", Vintage: "DS_FILOSOFI_CC 2021", Refreshed: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
			Read: 1234567, Kept: 123456, Skipped: []indicator.Skip{{Reason: "périodes antérieures à la dernière", Count: 1111111}}},
		{Source: "melodi", Dataset: "DS_TOUR_CAP", Vintage: "DS_TOUR_CAP 2025", Refreshed: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC),
			Read: 10, Kept: 10, Failed: "range: 500 Internal Server Error"},
	}}
	site := newSite(t, belfort)
	if _, err := Build(context.Background(), Options{Site: site, Source: src}); err != nil {
		t.Fatal(err)
	}
	doc := readPage(t, site, "a-propos/donnees/index.html")
	rows := doc.Find("table.provenance tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	first := rows.First().Text()
	for _, want := range []string{"DS_FILOSOFI_CC", "DS_FILOSOFI_CC 2021", "01/03/2026", "1\u202f234\u202f567", "123\u202f456", "périodes antérieures à la dernière : 1\u202f111\u202f111"} {
		if !strings.Contains(first, want) {
			t.Errorf("row %q lacks %q", first, want)
		}
	}
	if !rows.Last().HasClass("stale") || !strings.Contains(rows.Last().Text(), "Échec de la dernière mise à jour") {
		t.Errorf("the failed dataset is not marked stale: %q", rows.Last().Text())
	}
	if about := readPage(t, site, "a-propos/index.html"); about.Find(`a[href="donnees/"]`).Length() != 1 {
		t.Error("the about page does not link the provenance page")
	}

	off := newSite(t, belfort)
	mustBuild(t, off)
	page := readPage(t, off, "a-propos/donnees/index.html")
	if !strings.Contains(page.Text(), "illustratifs") || page.Find("table.provenance").Length() != 0 {
		t.Errorf("offline provenance page does not say the figures are illustrative: %q", page.Find("article").Text())
	}
}
