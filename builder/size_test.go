package builder

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCommunePagesReadTheirTables: no commune page of a département's build
// repeats a chart's figures in a JSON script (every chart reads its
// table), nor what charts.js has by default (chartdefaults.go), and each
// says its geography once instead of under every chart.
func TestCommunePagesReadTheirTables(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	pages, err := filepath.Glob(filepath.Join(site.Path(site.Output), "commune", "*", "index.html"))
	if err != nil || len(pages) < 200 {
		t.Fatalf("%d commune pages (%v), want the Rhône's", len(pages), err)
	}
	dashboards, all := 0, 0
	written := map[string]int{}
	defs := chartDefaultsOf(t, site)
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
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		// What charts.js knows, the page leaves out.
		for _, attr := range []string{"data-option", "aria-label", "data-unit", "data-decimals", "role"} {
			written[attr] += doc.Find("figure .chart[" + attr + "]").Length()
		}
		resolveCharts(doc, defs)
		charts := doc.Find("figure .chart")
		if n := charts.Filter(`[data-option*='"table":{"cols":[']`).Length(); n == 0 || n != charts.Length() {
			t.Errorf("%s: %d charts, %d options read from tables", p, charts.Length(), n)
		}
		all += charts.Length()
		if n := strings.Count(page, "géographie au 1er janvier"); n != 1 {
			t.Errorf("%s: the geography said %d times, want once", p, n)
		}
	}
	if dashboards < 200 {
		t.Errorf("%d commune dashboards, want the Rhône's", dashboards)
	}
	for attr, n := range written {
		if n > all/20 {
			t.Errorf("%d of %d charts write %s, which charts.js has by default", n, all, attr)
		}
	}
}
