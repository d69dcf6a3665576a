package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Viewports: a laptop, and a small phone held upright.
var (
	desktop = chromedp.EmulateViewport(1280, 800)
	phone   = chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
)

// TestHarnessSeesProblems checks the checks: a page with an inline script
// (refused by the CSP), a console error and an uncaught exception must be
// reported, or a clean result of the other tests would prove nothing.
func TestHarnessSeesProblems(t *testing.T) {
	tb := newTab(t)
	tb.open("_e2e/probe/")
	deadline := time.Now().Add(5 * time.Second)
	for {
		tb.mu.Lock()
		n := len(tb.problems)
		tb.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if title := eval[string](tb, `document.title`); title != "probe" {
		t.Errorf("the inline script ran under default-src 'self' (title %q): the test server does not send the CSP", title)
	}
	violations := eval[[]string](tb, `window.__e2eCSP || []`)
	if !slices.ContainsFunc(violations, func(v string) bool { return strings.HasPrefix(v, "script-src") }) {
		t.Errorf("CSP violations = %q, want the inline script refused (script-src-elem)", violations)
	}
	tb.mu.Lock()
	problems := tb.problems
	tb.mu.Unlock()
	for _, want := range []string{"probe: console error", "probe: uncaught"} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("problems = %q, want one containing %q", problems, want)
		}
	}
}

// chartState is what a page shows of one chart.
type chartState struct {
	ID           string `json:"id"`
	HasChart     bool   `json:"hasChart"`     // a .chart container
	Options      string `json:"options"`      // its data-options, or its data-option
	OptionsFound bool   `json:"optionsFound"` // an option that parses, inline or in the <script type="application/json"> named
	Label        string `json:"label"`        // aria-label of the container
	Shown        bool   `json:"shown"`        // laid out (not display:none)
	Drawn        bool   `json:"drawn"`        // holds a non-empty SVG or canvas
	Table        bool   `json:"table"`        // the figure holds a table of the figures
}

const chartsJS = `Array.from(document.querySelectorAll('figure.chart-block')).map(function (f) {
  var c = f.querySelector('.chart');
  var inline = c ? c.getAttribute('data-option') : null;
  var opt = c ? c.getAttribute('data-options') || '' : '';
  var el = opt ? document.getElementById(opt) : null;
  var json = inline !== null ? inline : el && el.tagName === 'SCRIPT' && el.type === 'application/json' ? el.textContent : null;
  var parses = false;
  try { parses = json !== null && typeof JSON.parse(json) === 'object'; } catch (e) { parses = false; }
  var g = c ? c.querySelector('svg, canvas') : null;
  var r = g ? g.getBoundingClientRect() : null;
  return {
    id: f.id, hasChart: !!c, options: inline !== null ? inline : opt,
    optionsFound: parses,
    label: c ? c.getAttribute('aria-label') || '' : '',
    shown: !!c && c.getClientRects().length > 0,
    drawn: !!g && r.width > 0 && r.height > 0 && (g.tagName === 'CANVAS' || g.querySelector('path, rect, text') !== null),
    table: f.querySelector('table') !== null
  };
})`

// allDrawnJS is true when every chart laid out on the page is drawn.
const allDrawnJS = `(function () {
  var shown = Array.from(document.querySelectorAll('.chart')).filter(function (c) { return c.getClientRects().length > 0; });
  return shown.length > 0 && shown.every(function (c) {
    var g = c.querySelector('svg, canvas');
    return g && g.getBoundingClientRect().width > 0;
  });
})()`

// waitCharts waits until every chart laid out is drawn (or drawTimeout)
// and returns the state of each chart.
func (tb *tab) waitCharts() []chartState {
	tb.t.Helper()
	tb.waitUntil(drawTimeout, allDrawnJS)
	return eval[[]chartState](tb, chartsJS)
}

// TestChartsDraw opens a commune page, a département page and an embed
// under the strict CSP: every chart must be drawn, with no console error
// and no CSP violation.
func TestChartsDraw(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)

	// The embed shows the chart named by the fragment, copied from the
	// page: take the page's last chart, so that the fragment, not the
	// first-chart default, is what selects it.
	tb.open("commune/69123/")
	ids := eval[[]string](tb, `Array.from(document.querySelectorAll('figure.chart-block')).map(function (f) { return f.id; })`)
	if len(ids) == 0 {
		t.Fatal("commune/69123/ has no figure.chart-block")
	}
	target := ids[len(ids)-1]

	for _, tc := range []struct {
		name, path string
		embed      bool
		shot       string
	}{
		{"commune", "commune/69123/", false, "commune-69123-desktop"},
		{"departement", "departement/69/", false, "departement-69-desktop"},
		{"embed", "embed/#commune-69123/" + target, true, "embed-commune-69123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			tb.open(tc.path)
			charts := tb.waitCharts()
			tb.screenshot(tc.shot+".png", false)
			if !tc.embed {
				tb.screenshot(tc.shot+"-full.png", true)
			}
			checkCharts(t, tc.path, charts, tc.embed, target)
			tb.checkClean(tc.path)
		})
	}

	// The embed URL of earlier builds, pasted in sites before the embed
	// page was one for all territories, reaches 404.html, which sends it
	// on to the embed page with the same territory and chart.
	t.Run("old embed URL", func(t *testing.T) {
		tb.t = t
		// Served with status 404: navigate without tb.open's status check.
		tb.do("open the old embed URL", chromedp.Navigate(siteURL(t)+"embed/commune/69123.html#"+target))
		tb.waitUntil(drawTimeout, `location.pathname === '/embed/' && location.hash === '#commune-69123/' + `+jsString(target))
		charts := tb.waitCharts()
		checkCharts(t, "old embed URL", charts, true, target)
	})
}

// checkCharts reports every chart that is not whole on the page at path.
func checkCharts(t *testing.T, path string, charts []chartState, embed bool, target string) {
	t.Helper()
	if len(charts) == 0 {
		t.Fatalf("%s: no figure.chart-block", path)
	}
	shown := 0
	for _, c := range charts {
		switch {
		case !c.HasChart:
			t.Errorf("%s: figure #%s has no .chart container", path, c.ID)
			continue
		case !c.OptionsFound:
			t.Errorf("%s: chart #%s: no option in data-option, nor a <script type=\"application/json\"> named by data-options=%q", path, c.ID, c.Options)
		}
		if c.Label == "" {
			t.Errorf("%s: chart #%s has no aria-label", path, c.ID)
		}
		if c.Shown {
			shown++
			if !c.Drawn {
				t.Errorf("%s: chart #%s is not drawn (no SVG or canvas in its container after %v)", path, c.ID, drawTimeout)
			}
		}
		if embed {
			if c.ID == target && !c.Shown {
				t.Errorf("%s: the chart named by the fragment, #%s, is not shown", path, c.ID)
			}
			continue
		}
		if !c.Shown {
			t.Errorf("%s: chart #%s is not laid out", path, c.ID)
		}
		if !c.Table {
			t.Errorf("%s: chart #%s has no table of its figures (the alternative to the chart)", path, c.ID)
		}
	}
	if embed && shown != 1 {
		t.Errorf("%s: %d charts shown, want 1 (the one named by the fragment)", path, shown)
	}
	t.Logf("%s: %d charts, %d shown", path, len(charts), shown)
}

// TestSearch types into the search box as a reader would, by name without
// accents, by postal code and by INSEE code, and goes to the territory
// with the keyboard.
func TestSearch(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	for _, tc := range []struct{ query, name, path string }{
		{"lyon", "Lyon", "/commune/69123/"},
		{"ecully", "Écully", "/commune/69081/"},
		{"69100", "Villeurbanne", "/commune/69266/"},
		{"69266", "Villeurbanne", "/commune/69266/"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			tb.t = t
			tb.open("departement/69/")
			tb.do("type "+tc.query, chromedp.SendKeys(chromedp.CSS("#q"), tc.query))
			found := `Array.from(document.querySelectorAll('#q-results [role=option] a')).map(function (a) {
			  return {text: a.textContent.trim(), path: new URL(a.href).pathname};
			})`
			var options []struct{ Text, Path string }
			listed := tb.waitUntil(5*time.Second, found+`.some(function (o) { return o.path === `+jsString(tc.path)+` })`)
			options = eval[[]struct{ Text, Path string }](tb, found)
			if !listed {
				t.Fatalf("typing %q lists %v, want %s (%s)", tc.query, options, tc.name, tc.path)
			}
			if hidden := eval[bool](tb, `document.getElementById('q-results').hidden`); hidden {
				t.Errorf("typing %q: the results list is hidden", tc.query)
			}
			if exp := eval[string](tb, `document.getElementById('q').getAttribute('aria-expanded')`); exp != "true" {
				t.Errorf("typing %q: aria-expanded = %q, want \"true\"", tc.query, exp)
			}
			i := slices.IndexFunc(options, func(o struct{ Text, Path string }) bool { return o.Path == tc.path })
			if !strings.HasPrefix(options[i].Text, tc.name) {
				t.Errorf("typing %q: the option for %s reads %q, want it to start with %q", tc.query, tc.path, options[i].Text, tc.name)
			}
			if tc.query == "lyon" {
				tb.screenshot("search-lyon.png", false)
			}
			// The keyboard alone: arrows to the option, Enter to go.
			keys := strings.Repeat(kb.ArrowDown, i+1)
			tb.do("arrows", chromedp.KeyEvent(keys))
			ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
			defer cancel()
			if _, err := chromedp.RunResponse(ctx, pressEnter); err != nil {
				t.Fatalf("Enter on the option for %s: %v", tc.path, err)
			}
			if got := eval[string](tb, `location.pathname`); got != tc.path {
				t.Errorf("after Enter on %s: at %s, want %s", tc.name, got, tc.path)
			}
			tb.checkClean("search " + tc.query)
		})
	}
}

// TestPhoneNoHorizontalScroll opens pages on a phone-sized viewport: the
// page must not scroll sideways, even with every data table opened (wide
// tables scroll inside their own box).
func TestPhoneNoHorizontalScroll(t *testing.T) {
	tb := newTab(t)
	tb.do("phone viewport", phone)
	const overflowJS = `(function () {
	  var de = document.documentElement, w = de.clientWidth;
	  window.scrollTo(10000, window.scrollY);
	  var scrolled = window.scrollX;
	  window.scrollTo(0, window.scrollY);
	  var wide = [];
	  document.querySelectorAll('body *').forEach(function (el) {
	    var r = el.getBoundingClientRect();
	    if (r.width === 0 || r.right <= w + 1) return;
	    for (var p = el.parentElement; p; p = p.parentElement) {
	      var ox = getComputedStyle(p).overflowX;
	      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return;
	    }
	    var name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\s+/).join('.') : '');
	    if (wide.length < 8) wide.push(name + ' (right edge ' + Math.round(r.right) + 'px)');
	  });
	  return {viewport: w, scrollWidth: Math.max(de.scrollWidth, document.body.scrollWidth), scrolled: scrolled, wide: wide};
	})()`
	type overflow struct {
		Viewport    int      `json:"viewport"`
		ScrollWidth int      `json:"scrollWidth"`
		Scrolled    float64  `json:"scrolled"`
		Wide        []string `json:"wide"`
	}
	check := func(t *testing.T, what string) {
		t.Helper()
		o := eval[overflow](tb, overflowJS)
		if o.ScrollWidth > o.Viewport || o.Scrolled > 0 {
			t.Errorf("%s: scrolls sideways on a %d px wide phone: content %d px wide, scrolled %.0f px; too wide: %s",
				what, o.Viewport, o.ScrollWidth, o.Scrolled, strings.Join(o.Wide, ", "))
		}
	}
	for _, tc := range []struct{ name, path string }{
		{"commune", "commune/69123/"},
		{"departement", "departement/69/"},
		{"region", "region/84/"},
		{"embed", "embed/#commune-69123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			tb.open(tc.path)
			charts := tb.waitCharts()
			if tc.name == "commune" {
				tb.screenshot("commune-69123-phone.png", false)
				if len(charts) > 0 {
					eval[bool](tb, `(document.getElementById(`+jsString(charts[0].ID)+`).scrollIntoView({block: 'start'}), true)`)
					tb.screenshot("commune-69123-phone-chart.png", false)
					eval[bool](tb, `(window.scrollTo(0, 0), true)`)
				}
			}
			check(t, tc.path)
			eval[int](tb, `(function () { var d = document.querySelectorAll('details'); d.forEach(function (x) { x.open = true; }); return d.length; })()`)
			check(t, tc.path+" with every table opened")
			tb.checkClean(tc.path)
		})
	}
}

// TestKeyboard uses a commune page with the keyboard alone: the first Tab
// reaches the skip link, which leads to the content; every control can be
// reached with Tab and shows where the focus is; a data table opens with
// Enter.
func TestKeyboard(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	const path = "commune/69123/"
	tb.open(path)
	tb.waitCharts()

	type focused struct {
		Index   int    `json:"index"` // in the list of tabbable elements, -1 if not in it
		Tag     string `json:"tag"`
		Text    string `json:"text"`
		Visible bool   `json:"visible"` // inside the viewport
		Ring    bool   `json:"ring"`    // an outline or a shadow shows the focus
		InMain  bool   `json:"inMain"`
	}
	const focusedJS = `(function () {
	  var el = document.activeElement;
	  if (!el || el === document.body) return {index: -1, tag: 'body', text: '', visible: false, ring: false, inMain: false};
	  var s = getComputedStyle(el), r = el.getBoundingClientRect();
	  var ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
	  return {
	    index: el.hasAttribute('data-e2e-tab') ? Number(el.getAttribute('data-e2e-tab')) : -1,
	    tag: el.tagName.toLowerCase(), text: (el.textContent || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 40),
	    visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
	    ring: ring, inMain: !!el.closest('main')
	  };
	})()`
	tab := func() focused {
		tb.do("Tab", chromedp.KeyEvent(kb.Tab))
		return eval[focused](tb, focusedJS)
	}

	// The skip link first, shown when focused, and it leads to the content.
	first := tab()
	if first.Tag != "a" || !strings.Contains(first.Text, "contenu") || !first.Visible {
		t.Errorf("first Tab focuses %+v, want the visible skip link to the content", first)
	}
	tb.do("Enter on the skip link", pressEnter)
	if next := tab(); !next.InMain {
		t.Errorf("Tab after the skip link focuses %+v, want an element of <main>", next)
	}

	// Every tabbable element, in turn, with a visible focus.
	tb.open(path)
	tb.waitCharts()
	n := eval[int](tb, `(function () {
	  var sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
	  var i = 0;
	  document.querySelectorAll(sel).forEach(function (el) {
	    if (el.tabIndex < 0 || el.disabled || !el.checkVisibility()) return;
	    el.setAttribute('data-e2e-tab', String(i++));
	  });
	  return i;
	})()`)
	texts := eval[[]string](tb, `Array.from(document.querySelectorAll('[data-e2e-tab]')).map(function (el) { return el.tagName.toLowerCase() + ' "' + (el.textContent || el.id).trim().slice(0, 40) + '"'; })`)
	seen := make([]bool, n)
	var noRing []string
	for range n + 5 {
		f := tab()
		if f.Index < 0 {
			if f.Tag == "body" {
				break // past the last element
			}
			continue
		}
		if seen[f.Index] {
			break // wrapped around
		}
		seen[f.Index] = true
		if !f.Ring && len(noRing) < 5 {
			noRing = append(noRing, fmt.Sprintf("%s %q", f.Tag, f.Text))
		}
		if !f.Visible {
			t.Errorf("focused %s %q is outside the viewport: the page did not scroll to it", f.Tag, f.Text)
		}
	}
	var missed []string
	for i, ok := range seen {
		if !ok && len(missed) < 5 {
			missed = append(missed, texts[i])
		}
	}
	if len(missed) > 0 {
		t.Errorf("Tab never reaches %d of %d controls, such as %s", n-countTrue(seen), n, strings.Join(missed, ", "))
	}
	if len(noRing) > 0 {
		t.Errorf("no visible focus (outline or shadow) on %s", strings.Join(noRing, ", "))
	}
	t.Logf("Tab visits %d controls of %s", countTrue(seen), path)

	// A data table opens from the keyboard.
	if !eval[bool](tb, `(function () { var s = document.querySelector('.chart-block details summary'); if (!s) return false; s.focus(); return document.activeElement === s; })()`) {
		t.Fatal("no focusable summary of a data table in a chart")
	}
	tb.do("Enter on the table's summary", pressEnter)
	if !tb.waitUntil(2*time.Second, `document.querySelector('.chart-block details').open`) {
		t.Error("Enter on the summary of a chart's data table does not open it")
	}
	tb.checkClean(path)
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// pressEnter presses Enter as a keyboard does, as Puppeteer sends it: one
// keyDown carrying the text "\r", so that a page cancelling the keydown
// also cancels the keypress. (chromedp.KeyEvent sends the text as a
// separate char event, which a cancelled keydown does not stop: a form
// would then be submitted besides what the page's script does.)
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "\r", "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
			return err
		}
	}
	return nil
})

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return fmt.Sprintf("%q", s)
}

// TestEmbedSnippet clicks "Intégrer" under a chart as a local authority
// would: the panel shows an iframe snippet whose page exists and shows
// that chart.
func TestEmbedSnippet(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	tb.open("commune/69123/")
	tb.waitUntil(drawTimeout, `document.querySelector('#revenus-deciles .embed-toggle') !== null`)
	tb.do("click Intégrer", chromedp.Click(chromedp.CSS(`#revenus-deciles .embed-toggle`)))
	snippet := eval[string](tb, `document.getElementById('integrer-code').value`)
	m := regexp.MustCompile(`^<iframe src="http://[^/]+/(embed/)#commune-69123/(revenus-deciles)" title="([^"]+)" width="\d+" height="\d+" loading="lazy"></iframe>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("snippet = %q", snippet)
	}
	if !strings.Contains(m[3], "Lyon") {
		t.Errorf("iframe title %q does not name the territory", m[3])
	}
	if shown := eval[bool](tb, `!document.getElementById('integrer').hidden && document.getElementById('integrer').closest('figure').id === 'revenus-deciles'`); !shown {
		t.Error("the snippet panel is not shown under the chart")
	}
	if _, err := os.Stat(filepath.Join(site.dir, "public", filepath.FromSlash(m[1]), "index.html")); err != nil {
		t.Errorf("the snippet's page does not exist: %v", err)
	}
	tb.open(m[1] + "#commune-69123/" + m[2])
	charts := tb.waitCharts()
	if len(charts) != 1 || charts[0].ID != m[2] || !charts[0].Drawn {
		t.Errorf("the embed shows %+v, want the one chart %s drawn", charts, m[2])
	}
	if src := eval[string](tb, `(document.querySelector('figure .source') || {}).textContent || ''`); !strings.HasPrefix(src, "Source : ") || !strings.Contains(src, "Voir les données") {
		t.Errorf("embed source line = %q, want the source and a link back", src)
	}
	tb.checkClean("embed snippet")
}
