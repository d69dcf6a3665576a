package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"territoires/fetch/metadonnees/metadonneestest"
	"territoires/geo"
)

// siteZones are the study zones of the test site: the fake Métadonnées
// API's synthetic zones of the Rhône's communes. The offline site has none
// (no source gives them without the network); the API build gets them from
// the Métadonnées cache, and the pages are the same.
func siteZones() []geo.ZoneInput {
	ref, err := geo.Load()
	if err != nil {
		return nil
	}
	var out []geo.ZoneInput
	for _, z := range metadonneestest.Synthetic(ref) {
		if slices.ContainsFunc(z.Communes, func(c string) bool { return strings.HasPrefix(c, "69") }) {
			out = append(out, z)
		}
	}
	return out
}

// zonePath returns the address of Lyon's zone d'emploi, read from the
// zonages card of its page.
func zonePath(tb *tab) string {
	tb.t.Helper()
	tb.open("commune/69123/")
	href := eval[string](tb, `(function () { var a = document.querySelector('section[aria-labelledby=zonages] dd a'); return a ? a.getAttribute('href') : ''; })()`)
	if !strings.HasPrefix(href, "/zone-emploi/") {
		tb.t.Fatalf("Lyon's zonages card links to %q, want a zone d'emploi", href)
	}
	return strings.TrimPrefix(href, "/")
}

// TestNewPageKinds opens an arrondissement, a zone d'emploi and the address
// of a retired commune code in the browser: the pages draw their charts
// under the strict CSP with no console error, list their communes, and the
// old address leads to the current commune.
func TestNewPageKinds(t *testing.T) {
	tb := newTab(t)
	tb.do("desktop viewport", desktop)
	zone := zonePath(tb)
	for _, tc := range []struct{ name, path, h1 string }{
		{"arrondissement", "arrondissement/691/", "Lyon"},
		{"zone", zone, "Lyon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			tb.open(tc.path)
			checkCharts(t, tc.path, tb.waitCharts(), false, "")
			tb.screenshot(strings.ReplaceAll(strings.Trim(tc.path, "/"), "/", "-")+".png", false)
			if got := eval[string](tb, `document.querySelector('h1').textContent`); got != tc.h1 {
				t.Errorf("%s: h1 = %q, want %q", tc.path, got, tc.h1)
			}
			n := eval[int](tb, `document.querySelectorAll('#communes + .table-wrap tbody th a').length`)
			if n == 0 {
				t.Errorf("%s lists no commune", tc.path)
			}
			tb.checkClean(tc.path)
		})
	}
	t.Run("redirect", func(t *testing.T) {
		tb.t = t
		tb.open("commune/69232/") // a former commune merged into Lyon
		if !tb.waitUntil(stepTimeout, `location.pathname === '/commune/69123/' && document.readyState === 'complete'`) {
			t.Fatalf("commune/69232/ stayed at %s", eval[string](tb, `location.href`))
		}
		if got := eval[string](tb, `document.querySelector('h1').textContent`); got != "Lyon" {
			t.Errorf("after the redirect: h1 = %q, want Lyon", got)
		}
		tb.checkClean("commune/69232/ → commune/69123/")
	})
}

// refreshRE matches the redirect pages' meta refresh.
var refreshRE = regexp.MustCompile(`<meta http-equiv=refresh[^>]*>`)

// TestAccessibilityNewPages runs axe-core on an arrondissement, a zone
// d'emploi and a redirect page. The redirect page leaves at once, so axe
// reads it from a server giving the same files with its meta refresh taken
// out.
func TestAccessibilityNewPages(t *testing.T) {
	tb := newTab(t)
	src := axeSource(t)
	tb.do("desktop viewport", desktop)
	zone := zonePath(tb)

	out := filepath.Join(site.dir, "public")
	redirect, err := os.ReadFile(filepath.Join(out, "commune", "69232", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !refreshRE.Match(redirect) {
		t.Fatalf("commune/69232/index.html has no meta refresh:\n%s", redirect)
	}
	still := refreshRE.ReplaceAll(redirect, nil)
	files := http.FileServer(http.Dir(out))
	copySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		if r.URL.Path == "/commune/69232/" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(still)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer copySrv.Close()

	for _, tc := range []struct{ name, url string }{
		{"arrondissement", siteURL(t) + "arrondissement/691/"},
		{"zone", siteURL(t) + zone},
		{"redirect", copySrv.URL + "/commune/69232/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
			_, err := chromedp.RunResponse(ctx, chromedp.Navigate(tc.url))
			cancel()
			if err != nil {
				t.Fatalf("open %s: %v", tc.url, err)
			}
			if !tb.waitUntil(stepTimeout, `document.readyState === 'complete'`) {
				t.Fatalf("%s did not load", tc.url)
			}
			if tc.name == "redirect" {
				if got := eval[string](tb, `document.querySelector('main a').textContent`); got != "Lyon (69123)" {
					t.Errorf("redirect link = %q, want Lyon (69123)", got)
				}
			} else {
				tb.waitCharts()
			}
			eval[chromedp.Void](tb, src)
			ctx, cancel = context.WithTimeout(tb.ctx, 60*time.Second)
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
			cancel()
			if err != nil {
				t.Fatalf("axe.run on %s: %v", tc.url, err)
			}
			for _, v := range violations {
				var nodes []string
				for _, n := range v.Nodes {
					nodes = append(nodes, fmt.Sprintf("\n\t%s: %s", n.Target, n.Summary))
				}
				msg := fmt.Sprintf("%s: axe %s (%s): %s%s", tc.name, v.ID, v.Impact, v.Help, strings.Join(nodes, ""))
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
			t.Logf("%s: %d axe violations", tc.name, len(violations))
		})
	}
}
