package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommunePagesReadTheirTables: no commune page of a département's build
// repeats a chart's figures in a JSON script (every chart reads its
// table), and each says its geography once instead of under every chart.
func TestCommunePagesReadTheirTables(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	pages, err := filepath.Glob(filepath.Join(site.Path(site.Output), "commune", "*", "index.html"))
	if err != nil || len(pages) < 200 {
		t.Fatalf("%d commune pages (%v), want the Rhône's", len(pages), err)
	}
	dashboards := 0
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		if !strings.Contains(page, "<section class=theme") {
			continue // a former commune's page, leading to its successor
		}
		dashboards++
		if n := strings.Count(page, "<script type=application/json"); n != 0 {
			t.Errorf("%s: %d charts carry their figures in JSON, want 0", p, n)
		}
		if n := strings.Count(page, "<figure class=chart-block"); n == 0 || strings.Count(page, "data-option='") != n {
			t.Errorf("%s: %d charts, %d options read from tables", p, n, strings.Count(page, "data-option='"))
		}
		if n := strings.Count(page, "géographie au 1er janvier"); n != 1 {
			t.Errorf("%s: the geography said %d times, want once", p, n)
		}
	}
	if dashboards < 200 {
		t.Errorf("%d commune dashboards, want the Rhône's", dashboards)
	}
}
