package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// comparedJS tells, for every chart drawn on the page, whether the
// compared territory (name) is drawn on it: a series named after it, or a
// category (the charts of a territory and its parents) with a value.
const comparedJS = `(function (name) {
  return Array.from(document.querySelectorAll('.chart[data-options], .chart[data-option]')).map(function (el) {
    var c = window.echarts && echarts.getInstanceByDom(el);
    var o = c ? c.getOption() : null;
    var found = false;
    if (o) {
      (o.series || []).forEach(function (s) {
        var has = (s.data || []).some(function (v) { return v !== '-' && v !== null && v !== undefined; });
        if (has && String(s.name).indexOf(name) >= 0) found = true;
      });
      (o.xAxis || []).concat(o.yAxis || []).forEach(function (a) {
        var i = (a.data || []).indexOf(name);
        if (i < 0) return;
        (o.series || []).forEach(function (s) {
          var v = (s.data || [])[i];
          if (v !== '-' && v !== null && v !== undefined) found = true;
        });
      });
    }
    return {id: el.closest('figure').id, drawn: !!o, compared: found, marked: el.getAttribute('data-compared') || ''};
  });
})`

// comparable returns the charts that /api/comparer.json describes.
func comparable(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(site.dir, "public", "api", "comparer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var specs map[string]json.RawMessage
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for id := range specs {
		out[id] = true
	}
	return out
}

type comparedChart struct {
	ID       string `json:"id"`
	Drawn    bool   `json:"drawn"`
	Compared bool   `json:"compared"`
	Marked   string `json:"marked"` // data-compared: the name compare.js drew
}

// checkCompared fails for every chart that does not show the territory
// with a value, or that compare.js did not mark compared (data-compared)
// with the other territory's name (other), and when the page has fewer
// than min charts: every chart of the page compares.
func checkCompared(t *testing.T, tb *tab, what, name, other string, min int) {
	t.Helper()
	expr := comparedJS + "(" + jsString(name) + ")"
	tb.waitUntil(drawTimeout, expr+`.every(function (c) { return c.compared && c.marked; })`)
	charts := eval[[]comparedChart](tb, expr)
	if len(charts) < min {
		t.Fatalf("%s: %d charts, want at least %d", what, len(charts), min)
	}
	specs := comparable(t)
	for _, c := range charts {
		if !specs[c.ID] {
			t.Errorf("%s: chart #%s has no compare spec in comparer.json", what, c.ID)
		}
		if !c.Drawn || !c.Compared {
			t.Errorf("%s: chart #%s does not show %s (drawn %v)", what, c.ID, name, c.Drawn)
		}
		if c.Marked != other {
			t.Errorf("%s: chart #%s: data-compared = %q, want %q", what, c.ID, c.Marked, other)
		}
	}
	t.Logf("%s: all %d charts show %s", what, len(charts), name)
}

// TestCompare picks Paris in the "Comparer avec…" box of Lyon's page with
// the keyboard, as a reader would: every chart then draws Paris beside
// Lyon, from the static API, and the address keeps the choice; opened
// from that address, the page compares at once. No console error, no CSP
// violation; on a phone, nothing scrolls sideways.
func TestCompare(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	tb.open("commune/69123/")
	tb.waitCharts()
	if hidden := eval[bool](tb, `document.getElementById('comparer').hidden`); hidden {
		t.Fatal("the compare control is hidden with JavaScript on")
	}
	tb.do("type paris", chromedp.SendKeys(chromedp.CSS("#cmp-q"), "paris"))
	if !tb.waitUntil(5*time.Second, `Array.from(document.querySelectorAll('#cmp-results [role=option]')).some(function (li) { return li.textContent.indexOf('Paris') === 0; })`) {
		t.Fatalf("typing paris lists %q", eval[string](tb, `document.getElementById('cmp-results').textContent`))
	}
	tb.do("arrow down", chromedp.KeyEvent(kb.ArrowDown))
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	err := chromedp.Do(ctx, pressEnter)
	cancel()
	if err != nil {
		t.Fatalf("Enter: %v", err)
	}
	if got := eval[string](tb, `location.hash`); got != "#comparer=commune-75056" {
		t.Errorf("after picking Paris, hash = %q, want #comparer=commune-75056", got)
	}
	if got := eval[string](tb, `location.pathname`); got != "/commune/69123/" {
		t.Errorf("after picking Paris, at %s, want to stay on Lyon's page", got)
	}
	// Every theme, those of issue 12 included.
	for _, id := range []string{"population-legale", "population-historique", "pyramide-ages", "naissances-deces", "revenus-deciles",
		"pauvrete", "activite-chomage", "emplois", "emploi-salarie", "secteurs-urssaf", "etablissements-insee",
		"creations", "creations-secteurs", "creations-habitants", "logements-categories", "logements-types", "logements-statut",
		"tourisme-hebergements", "tourisme-hotels", "tourisme-lits", "diplomes", "menages-taille", "familles"} {
		if !comparable(t)[id] {
			t.Errorf("chart %s is not in comparer.json", id)
		}
	}
	checkCompared(t, tb, "Lyon with Paris", "Paris", "Paris", 23)
	checkCompared(t, tb, "Lyon with Paris", "Lyon", "Paris", 23) // the page's own series keep its name
	tb.screenshot("compare-lyon-paris.png", true)
	if s := eval[string](tb, `document.querySelector('#comparer .compare-status').textContent`); !strings.Contains(s, "Paris") {
		t.Errorf("status = %q, want it to name Paris", s)
	}
	tb.checkClean("compare Lyon with Paris")

	// Remove the comparison: the charts go back to Lyon alone.
	tb.do("click Retirer", chromedp.Click(chromedp.CSS(`#comparer .compare-clear`)))
	if !tb.waitUntil(5*time.Second, `document.querySelectorAll('.chart[data-compared]').length === 0`) {
		t.Error("after Retirer la comparaison, charts still compare")
	}
	if got := eval[string](tb, `location.hash`); got != "" {
		t.Errorf("after Retirer, hash = %q, want none", got)
	}

	// The address is shareable.
	tb.open("commune/69123/#comparer=commune-75056")
	tb.waitCharts()
	checkCompared(t, tb, "opened at #comparer=commune-75056", "Paris", "Paris", 23)
	tb.checkClean("opened at #comparer=commune-75056")

	// A département compared with another, quarterly regional series included.
	tb.open("departement/69/#comparer=departement-75")
	tb.waitCharts()
	checkCompared(t, tb, "Rhône with Paris (département)", "Paris", "Paris", 30)
	tb.checkClean("Rhône with Paris")

	// A région with another: the regional series by sector too.
	tb.open("region/84/#comparer=region-11")
	tb.waitCharts()
	checkCompared(t, tb, "Auvergne-Rhône-Alpes with Île-de-France", "Île-de-France", "Île-de-France", 31)
	tb.checkClean("Auvergne-Rhône-Alpes with Île-de-France")

	// A territory outside the site: said, not broken.
	tb.open("commune/69123/#comparer=commune-13055")
	tb.waitCharts()
	if !tb.waitUntil(5*time.Second, `document.querySelector('#comparer .compare-status').textContent.indexOf('pas publiés') >= 0`) {
		t.Errorf("status for a territory outside the site = %q", eval[string](tb, `document.querySelector('#comparer .compare-status').textContent`))
	}

	// On a phone.
	tb.do("phone viewport", phone)
	tb.open("commune/69123/#comparer=commune-75056")
	tb.waitCharts()
	checkCompared(t, tb, "on a phone", "Paris", "Paris", 23)
	if w := eval[[]int](tb, `[document.documentElement.clientWidth, document.documentElement.scrollWidth]`); w[1] > w[0] {
		t.Errorf("on a phone, comparing scrolls sideways: %d px of content in %d px", w[1], w[0])
	}
	tb.screenshot("compare-lyon-paris-phone.png", false)
}

// TestSortTable sorts the table of the Rhône's communes by population with
// the mouse, then by name with the keyboard: rows in order, aria-sort on
// the header, the CSV of the table linked.
func TestSortTable(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	tb.open("departement/69/")
	table := `document.querySelector('#communes ~ .table-wrap table')`
	if n := eval[int](tb, table+`.tBodies[0].rows.length`); n != 266 {
		t.Errorf("the Rhône's table has %d communes, want 266", n)
	}
	if href := eval[string](tb, `document.querySelector('#communes ~ .note a[download]').getAttribute('href')`); href != "/api/departement/69-communes.csv" {
		t.Errorf("CSV link = %q", href)
	}
	tb.waitUntil(5*time.Second, table+`.querySelector('th .sort') !== null`)
	column := func(i int) string {
		return fmt.Sprintf(`Array.from(%s.tBodies[0].rows).map(function (r) { return r.cells[%d].textContent.trim(); })`, table, i)
	}
	header := func(i int) string { return fmt.Sprintf(`%s.tHead.rows[0].cells[%d]`, table, i) }
	// Population is the third column: Nom, Code, Population.
	tb.do("click Population", chromedp.Click(chromedp.CSS(`#communes ~ .table-wrap thead th:nth-child(3) .sort`)))
	if got := eval[string](tb, header(2)+`.getAttribute('aria-sort')`); got != "descending" {
		t.Errorf("after one click, aria-sort = %q, want descending", got)
	}
	names := eval[[]string](tb, column(0))
	if len(names) == 0 || names[0] != "Lyon" {
		t.Errorf("sorted by population, first commune = %v, want Lyon", names[:min(3, len(names))])
	}
	pops := eval[[]float64](tb, `Array.from(`+table+`.tBodies[0].rows).map(function (r) { return Number(r.cells[2].textContent.replace(/[^0-9]/g, '')); })`)
	for i := 1; i < len(pops); i++ {
		if pops[i] > pops[i-1] {
			t.Fatalf("population not descending at row %d: %v after %v", i, pops[i], pops[i-1])
		}
	}
	tb.do("click Population again", chromedp.Click(chromedp.CSS(`#communes ~ .table-wrap thead th:nth-child(3) .sort`)))
	if got := eval[string](tb, header(2)+`.getAttribute('aria-sort')`); got != "ascending" {
		t.Errorf("after two clicks, aria-sort = %q, want ascending", got)
	}

	// The keyboard: focus the Nom button, Enter sorts A to Z, Space Z to A.
	eval[bool](tb, `(`+header(0)+`.querySelector('button').focus(), true)`)
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	err := chromedp.Do(ctx, pressEnter)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](tb, header(0)+`.getAttribute('aria-sort')`); got != "ascending" {
		t.Errorf("after Enter on Nom, aria-sort = %q, want ascending", got)
	}
	if got := eval[string](tb, header(2)+`.getAttribute('aria-sort') || ''`); got != "" {
		t.Errorf("after sorting by Nom, Population still says aria-sort=%q", got)
	}
	tb.do("Space", chromedp.KeyEvent(" "))
	if got := eval[string](tb, header(0)+`.getAttribute('aria-sort')`); got != "descending" {
		t.Errorf("after Space on Nom, aria-sort = %q, want descending", got)
	}
	sorted := eval[bool](tb, `(function (n) { for (var i = 1; i < n.length; i++) if (n[i-1].localeCompare(n[i], 'fr') < 0) return false; return true; })(`+column(0)+`)`)
	if !sorted {
		t.Error("names not sorted Z to A after Space")
	}
	tb.screenshot("departement-69-sorted.png", false)
	tb.checkClean("sort the Rhône's communes")
}

// TestAccessibilityCompare runs axe-core on the new controls in use: Lyon
// compared with Paris, the compare list open, and the Rhône's table sorted.
func TestAccessibilityCompare(t *testing.T) {
	tb := newTab(t)
	src := axeSource(t)
	tb.do("desktop viewport", desktop)
	for _, tc := range []struct{ name, path, setup, ready string }{
		{"compare", "commune/69123/#comparer=commune-75056", ``, `document.querySelectorAll('.chart[data-compared]').length > 0`},
		{"compare-list", "commune/69123/", `(function () { var i = document.getElementById('cmp-q'); i.focus(); i.value = 'vill'; i.dispatchEvent(new Event('input')); return true; })()`,
			`document.querySelectorAll('#cmp-results [role=option]').length > 0`},
		{"sorted", "departement/69/", `(function () { var b = document.querySelector('#communes ~ .table-wrap th .sort'); b.click(); return true; })()`,
			`document.querySelector('#communes ~ .table-wrap th[aria-sort]') !== null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			tb.open(tc.path)
			tb.waitCharts()
			if tc.setup != "" {
				tb.waitUntil(5*time.Second, `!document.getElementById('comparer').hidden && document.querySelector('th .sort, #cmp-q') !== null`)
				eval[bool](tb, tc.setup)
			}
			if !tb.waitUntil(5*time.Second, tc.ready) {
				t.Fatalf("%s: not ready: %s", tc.path, tc.ready)
			}
			eval[chromedp.Void](tb, src)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
			cancel()
			if err != nil {
				t.Fatalf("axe.run on %s: %v", tc.path, err)
			}
			for _, v := range violations {
				var nodes []string
				for _, n := range v.Nodes {
					nodes = append(nodes, fmt.Sprintf("\n\t%s: %s", n.Target, n.Summary))
				}
				msg := fmt.Sprintf("%s: axe %s (%s): %s%s", tc.path, v.ID, v.Impact, v.Help, strings.Join(nodes, ""))
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
			tb.checkClean(tc.path)
		})
	}
}

// valuesJS returns what a chart draws for a territory (name), by series
// and category ("Maisons|Paris", "Hôtels|2 étoiles"): on the territory's
// own page (own), its category (first of a column chart, last of a bar
// chart: on top) or its series; on a page comparing it, the category named
// after it, or the series "… – name". Values are numbers, or null.
const valuesJS = `(function (id, name, own) {
  var el = document.querySelector('#' + id + ' .chart');
  var c = el && window.echarts && echarts.getInstanceByDom(el);
  if (!c) return null;
  var o = c.getOption();
  var horizontal = false;
  var axis = (o.xAxis || []).filter(function (a) { return a.type === 'category' && a.data; })[0];
  if (!axis) {
    axis = (o.yAxis || []).filter(function (a) { return a.type === 'category' && a.data; })[0];
    horizontal = true;
  }
  if (!axis) return null;
  var cats = axis.data.map(function (d) { return d && typeof d === 'object' ? d.value : d; });
  var num = function (v) {
    if (v && typeof v === 'object') v = v.value;
    return typeof v === 'number' ? v : null;
  };
  var out = {};
  if (cats.indexOf(name) >= 0) {
    var i = own ? (horizontal ? cats.length - 1 : 0) : cats.indexOf(name);
    o.series.forEach(function (s) { out[s.name + '|' + name] = num(s.data[i]); });
    return out;
  }
  o.series.forEach(function (s) {
    var base = String(s.name);
    var suffix = ' – ' + name;
    if (!own) {
      if (base.slice(-suffix.length) !== suffix) return;
      base = base.slice(0, -suffix.length);
    }
    cats.forEach(function (cat, j) { out[base + '|' + cat] = num(s.data[j]); });
  });
  return out;
})`

// TestCompareMatchesOwnPage: what Lyon's page draws for Paris when
// comparing is what Paris's own page draws for Paris (compare.js computes
// the shares, sums and ratios as the builder does), chart by chart for the
// charts of shares, sums and ratios.
func TestCompareMatchesOwnPage(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	ids := []string{"creations-secteurs", "creations-habitants", "logements-categories", "logements-types", "logements-statut",
		"tourisme-hebergements", "tourisme-hotels", "tourisme-lits", "diplomes", "menages-taille", "familles",
		"revenus-deciles", "emplois", "secteurs-urssaf"}
	tb.open("commune/75056/")
	tb.waitCharts()
	own := map[string]map[string]*float64{}
	for _, id := range ids {
		own[id] = eval[map[string]*float64](tb, valuesJS+"("+jsString(id)+`, "Paris", true)`)
		if len(own[id]) == 0 {
			t.Errorf("Paris's page: chart %s draws nothing for Paris", id)
		}
	}
	tb.open("commune/69123/#comparer=commune-75056")
	tb.waitCharts()
	tb.waitUntil(drawTimeout, `document.querySelectorAll('.chart[data-compared]').length === document.querySelectorAll('.chart[data-options], .chart[data-option]').length`)
	str := func(v *float64) string {
		if v == nil {
			return "none"
		}
		return fmt.Sprint(*v)
	}
	for _, id := range ids {
		got := eval[map[string]*float64](tb, valuesJS+"("+jsString(id)+`, "Paris", false)`)
		both := 0
		for k, want := range own[id] {
			v, ok := got[k]
			if !ok {
				continue // a category Lyon's chart does not have
			}
			both++
			if (v == nil) != (want == nil) || v != nil && math.Abs(*v-*want) > 0.051 {
				t.Errorf("chart %s, %s: Lyon's page draws %s for Paris, Paris's page %s", id, k, str(v), str(want))
			}
		}
		if both == 0 {
			t.Errorf("chart %s: no series and category drawn for Paris on both pages (Paris's page %d, Lyon's %d)", id, len(own[id]), len(got))
		}
	}
	tb.checkClean("compare Lyon with Paris, values")
}
