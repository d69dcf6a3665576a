package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"territoires/geo"
)

// bundleJS returns the functions of assets/compare.js that find a
// commune's figures in its département's bundle (bundleOf, fromBundle),
// to evaluate them in a page.
func bundleJS(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "assets", "compare.js"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	from := strings.Index(s, "  function bundleOf(")
	to := strings.Index(s, "  function loadTerritory(")
	if from < 0 || to < from {
		t.Fatal("compare.js has no bundleOf and fromBundle before loadTerritory")
	}
	return s[from:to]
}

// TestCompareFindsEveryCommune checks compare.js's rule (bundleOf) against
// the file in which the builder publishes every commune of the
// referential: Corsica, the overseas départements and collectivités.
func TestCompareFindsEveryCommune(t *testing.T) {
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	var codes, want []string
	for _, c := range ref.OfKind(geo.Commune) {
		codes = append(codes, c.Code)
		want = append(want, c.Departement.Kind.Slug()+"-"+c.Departement.Code)
	}
	js, _ := json.Marshal(codes)
	tb := newTab(t)
	tb.open("commune/69123/")
	got := eval[[]string](tb, "(function () {\n"+bundleJS(t)+"\nreturn "+string(js)+".map(bundleOf);\n})()")
	if len(got) != len(want) {
		t.Fatalf("bundleOf gave %d names for %d communes", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bundleOf(%q) = %q, want %q", codes[i], got[i], want[i])
		}
	}
}

// fromBundle is what compare.js's fromBundle must return: the commune's
// file of its own, rebuilt from the bundle as templates/a-propos.md says.
// (builder's TestBundleRoundTrip checks this equals the file the builder
// wrote per commune before bundles.)
func fromBundle(t *testing.T, bundle map[string]any, code string) map[string]any {
	t.Helper()
	for _, x := range bundle["communes"].([]any) {
		c := x.(map[string]any)
		if c["code"] != code {
			continue
		}
		terr := map[string]any{"code": code, "type": "commune", "nom": c["nom"], "page": c["page"]}
		if p, ok := c["parents"]; ok {
			terr["parents"] = p
		}
		out := map[string]any{"territoire": terr}
		for _, k := range []string{"illustratif", "avertissement"} {
			if v, ok := bundle[k]; ok {
				out[k] = v
			}
		}
		statuts, _ := c["statuts"].(map[string]any)
		series := []any{}
		for i, v := range c["valeurs"].([]any) {
			if v == nil {
				continue
			}
			s := map[string]any{"valeurs": v}
			for k, d := range bundle["series"].([]any)[i].(map[string]any) {
				s[k] = d
			}
			if st, ok := statuts[strconv.Itoa(i)]; ok {
				s["statuts"] = st
			}
			series = append(series, s)
		}
		out["series"] = series
		return out
	}
	t.Fatalf("%s is not in its bundle", code)
	return nil
}

// TestCompareReadsBundles checks that compare.js rebuilds each commune's
// figures from its bundle in the shape of a territory's own file.
func TestCompareReadsBundles(t *testing.T) {
	tb := newTab(t)
	tb.open("commune/69123/")
	for _, dep := range []string{"69", "75"} {
		raw, err := os.ReadFile(filepath.Join(site.dir, "public", "api", "commune", "departement-"+dep+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var bundle map[string]any
		if err := json.Unmarshal(raw, &bundle); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range bundle["communes"].([]any) {
			codes = append(codes, c.(map[string]any)["code"].(string))
		}
		js, _ := json.Marshal(codes)
		got := eval[[]map[string]any](tb, "(async function () {\n"+bundleJS(t)+
			"\nvar r = await fetch('/api/commune/departement-"+dep+".json');\nvar b = await r.json();\nreturn "+string(js)+".map(function (c) { return fromBundle(b, c); });\n})()")
		if len(got) != len(codes) || len(codes) == 0 {
			t.Fatalf("département %s: %d communes from compare.js, %d in the bundle", dep, len(got), len(codes))
		}
		for i, code := range codes {
			if want := fromBundle(t, bundle, code); !reflect.DeepEqual(got[i], want) {
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(want)
				t.Fatalf("compare.js fromBundle(%s):\n%.2000s\nwant\n%.2000s", code, g, w)
			}
		}
	}
	tb.checkClean("bundles read")
}
