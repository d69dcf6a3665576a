package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

// communeFile rebuilds, from a bundle read as any JSON reader reads it, the
// file a commune had of its own: the shape of /api/epci/{code}.json. It is
// what the format's documentation (templates/a-propos.md) tells reusers to
// do, and what assets/compare.js does (fromBundle).
func communeFile(t *testing.T, bundle map[string]any, code string) map[string]any {
	t.Helper()
	series := bundle["series"].([]any)
	for _, x := range bundle["communes"].([]any) {
		c := x.(map[string]any)
		if c["code"] != code {
			continue
		}
		terr := map[string]any{"code": c["code"], "type": "commune", "nom": c["nom"], "page": c["page"]}
		if p, ok := c["parents"]; ok {
			terr["parents"] = p
		}
		out := map[string]any{"territoire": terr, "series": []any{}}
		for _, k := range []string{"illustratif", "avertissement"} {
			if v, ok := bundle[k]; ok {
				out[k] = v
			}
		}
		statuts, _ := c["statuts"].(map[string]any)
		for i, v := range c["valeurs"].([]any) {
			if v == nil {
				continue
			}
			s := map[string]any{}
			for k, d := range series[i].(map[string]any) {
				s[k] = d
			}
			s["valeurs"] = v
			if st, ok := statuts[strconv.Itoa(i)]; ok {
				s["statuts"] = st
			}
			out["series"] = append(out["series"].([]any), s)
		}
		return out
	}
	t.Fatalf("commune %s is not in its bundle", code)
	return nil
}

func decodeAny(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %.200s", err, b)
	}
	return v
}

// TestBundleRoundTrip checks that every commune of the Rhône's bundle
// gives back exactly the file of its own that writeJSON writes from its
// figures.
func TestBundleRoundTrip(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	out := site.Path(site.Output)
	raw, err := os.ReadFile(filepath.Join(out, "api/commune/departement-69.json"))
	if err != nil {
		t.Fatal(err)
	}
	if jsons, _ := filepath.Glob(filepath.Join(out, "api/commune/69*.json")); len(jsons) != 0 {
		t.Errorf("communes still have files of their own: %v", jsons[:1])
	}
	bundle := decodeAny(t, raw)
	ref := mustRef(t)
	src := offlineSource(t)
	sv := &siteView{Root: "/stats/", BaseURL: "https://example.org/stats/", Illustrative: src.Illustrative()}
	figs := newFigureCache(src)
	dep, _ := ref.Lookup(geo.Departement, "69")
	if got := len(bundle["communes"].([]any)); got != len(dep.Children) {
		t.Errorf("bundle has %d communes, want %d", got, len(dep.Children))
	}
	secret := 0
	for _, c := range dep.Children {
		fs, err := figs.get(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := sv.writeJSON(&buf, c, apiSeriesOf(ownFigures(nil, c, fs.all))); err != nil {
			t.Fatal(err)
		}
		want := decodeAny(t, buf.Bytes())
		got := communeFile(t, bundle, c.Code)
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Fatalf("commune %s from its bundle:\n%s\nwant\n%s", c.Code, g, buf.Bytes())
		}
		if strings.Contains(buf.String(), `"statuts"`) {
			secret++
		}
	}
	if secret == 0 {
		t.Error("no commune with a secret value: the statuses are not tested")
	}
	// Descriptors are shared: far fewer than the communes' series.
	if n := len(bundle["series"].([]any)); n > 60 {
		t.Errorf("%d descriptors for the Rhône's communes: the bundle repeats what they share", n)
	}
}

// TestBundleDescriptors checks the grouping on communes whose series
// differ: other periods, a missing series, statuses, and a series of
// another order.
func TestBundleDescriptors(t *testing.T) {
	ref := mustRef(t)
	dep, _ := ref.Lookup(geo.Departement, "2A")
	members := dep.Children[:4]
	fig := func(m, period string, v float64, st indicator.Status) indicator.Figure {
		return indicator.Figure{Theme: indicator.Population, Measure: m, Period: period, Value: v, Status: st, Source: "S", Vintage: "V"}
	}
	ok := indicator.Present
	series := map[*geo.Territory][]apiSeries{
		members[0]: apiSeriesOf([]indicator.Figure{fig("A", "2020", 1, ok), fig("A", "2021", 2, ok), fig("B", "2021", 3, ok)}),
		members[1]: apiSeriesOf([]indicator.Figure{fig("A", "2020", 4, ok), fig("A", "2021", 0, indicator.Secret), fig("B", "2021", 5, ok)}),
		members[2]: apiSeriesOf([]indicator.Figure{fig("A", "2019", 6, ok), fig("A", "2021", 7, ok)}),
		members[3]: apiSeriesOf([]indicator.Figure{fig("A", "2020", 8, ok), fig("A", "2021", 9, ok),
			fig("C", "2021", 0, indicator.NotPublished), fig("B", "2021", 10, ok)}),
	}
	sv := &siteView{Root: "/", BaseURL: "https://example.org/"}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, sv.bundle(dep, members, series)); err != nil {
		t.Fatal(err)
	}
	bundle := decodeAny(t, buf.Bytes())
	if got := len(bundle["series"].([]any)); got != 4 {
		t.Errorf("%d descriptors, want 4 (A 2019–2021, A 2020–2021, C, B): %s", got, buf.Bytes())
	}
	if g := bundle["groupe"].(map[string]any); g["code"] != "2A" || g["type"] != "departement" {
		t.Errorf("groupe = %v, want Corse-du-Sud", g)
	}
	for _, c := range members {
		var one bytes.Buffer
		if err := sv.writeJSON(&one, c, series[c]); err != nil {
			t.Fatal(err)
		}
		if got, want := communeFile(t, bundle, c.Code), decodeAny(t, one.Bytes()); !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Errorf("commune %s from its bundle:\n%s\nwant\n%s", c.Code, g, one.Bytes())
		}
	}
}

// bundleOfCode is the rule that assets/compare.js (bundleOf) applies to
// find a commune's bundle from its code alone.
func bundleOfCode(code string) string {
	d := code[:2]
	if strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98") {
		d = code[:3]
	}
	if d == "975" || d == "977" || d == "978" || strings.HasPrefix(d, "98") {
		return "api/commune/collectivite-outre-mer-" + d + ".json"
	}
	return "api/commune/departement-" + d + ".json"
}

// TestBundleRule checks the rule from the code against the file every
// commune of the referential is published in; e2e/bundle_test.go checks
// that compare.js applies the same rule.
func TestBundleRule(t *testing.T) {
	ref := mustRef(t)
	seen := map[string]bool{}
	for _, c := range ref.OfKind(geo.Commune) {
		if !bundled(c) {
			t.Errorf("commune %s has no département or collectivité: no bundle", c.Code)
			continue
		}
		if got, want := bundleOfCode(c.Code), jsonPath(c); got != want {
			t.Errorf("bundleOfCode(%q) = %q, want %q", c.Code, got, want)
		}
		seen[jsonPath(c)] = true
	}
	for _, want := range []string{"departement-2A", "departement-2B", "departement-971", "departement-976",
		"collectivite-outre-mer-975", "collectivite-outre-mer-977", "collectivite-outre-mer-978", "collectivite-outre-mer-988"} {
		if !seen["api/commune/"+want+".json"] {
			t.Errorf("no commune in %s", want)
		}
	}
	for _, a := range ref.OfKind(geo.Arrondissement) {
		if got := jsonPath(a); got != "api/arrondissement-municipal/"+a.Code+".json" {
			t.Errorf("jsonPath(%s) = %q: municipal arrondissements keep a file of their own", a.Code, got)
		}
	}
}
