package metadonnees_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"territoires/fetch"
	"territoires/fetch/metadonnees"
	"territoires/fetch/metadonnees/metadonneestest"
	"territoires/geo"
)

var zones = []geo.ZoneInput{
	{Kind: geo.ZoneEmploi, Code: "2415", Name: "Vierzon", Communes: []string{"18279", "18036"}},
	{Kind: geo.ZoneEmploi, Code: "8212", Name: "Annecy", Communes: []string{"74010", "74019"}},
	{Kind: geo.UniteUrbaine, Code: "01121", Name: "Ambérieu-en-Bugey", Communes: []string{"01004"}},
	{Kind: geo.AireAttraction, Code: "062", Name: "Le Havre", Communes: []string{"76351"}},
	{Kind: geo.BassinVie, Code: "01004", Name: "Ambérieu-en-Bugey", Communes: []string{"01004", "01007"}},
}

func setup(t *testing.T, zs []geo.ZoneInput) (*metadonneestest.Server, *metadonnees.Client, *fetch.Engine, *fetch.Host, string) {
	t.Helper()
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := metadonneestest.New(ref, zs, 0, time.Minute)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cache, err := fetch.OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := fetch.NewEngine(fetch.Options{Cache: cache, Retry: fetch.Retry{Attempts: 2, Base: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	lim, err := fetch.NewLimiter(1000, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := &fetch.Host{Name: "insee", Limiter: lim}
	return srv, metadonnees.New(srv.URL, ref.GeoYear, h), e, h, dir
}

func TestPlanFetchZones(t *testing.T) {
	ctx := context.Background()
	srv, c, e, h, dir := setup(t, zones)

	p, err := c.Plan(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	want := 4 + 306 + 699 + 2467 + 1707
	if p.Calls != want || p.Cached != 0 || !p.Estimated || p.Host != h {
		t.Errorf("plan before = %d calls, %d cached, estimated %v; want %d, 0, true", p.Calls, p.Cached, p.Estimated, want)
	}

	if err := c.Fetch(ctx, e); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if got, want := srv.Total(), 4+len(zones); got != want {
		t.Errorf("Fetch made %d calls, want %d (4 lists, one per zone)", got, want)
	}
	calls := srv.Calls()
	for _, k := range []string{
		"/metadonnees/geo/zonesDEmploi2020?date=2026-01-01",
		"/metadonnees/geo/zoneDEmploi2020/2415/descendants?date=2026-01-01&type=Commune",
		"/metadonnees/geo/uniteUrbaine2020/01121/descendants?date=2026-01-01&type=Commune",
		"/metadonnees/geo/aireDAttractionDesVilles2020/062/descendants?date=2026-01-01&type=Commune",
		"/metadonnees/geo/bassinDeVie2022/01004/descendants?date=2026-01-01&type=Commune",
	} {
		if calls[k] != 1 {
			t.Errorf("%s called %d times, want once", k, calls[k])
		}
	}

	p, err = c.Plan(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if p.Calls != 4+len(zones) || p.Cached != p.Calls || p.Estimated {
		t.Errorf("plan after = %d calls, %d cached, estimated %v; want all %d cached", p.Calls, p.Cached, p.Estimated, 4+len(zones))
	}
	if err := c.Fetch(ctx, e); err != nil || srv.Total() != 4+len(zones) {
		t.Errorf("second Fetch: %v, %d calls in all; want none more", err, srv.Total())
	}

	// The cache answers without the server.
	srv.Close()
	got, err := c.Zones(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]geo.ZoneInput{}
	for _, z := range got {
		byID[z.Kind.Slug()+"/"+z.Code] = z
	}
	if len(got) != len(zones) {
		t.Errorf("Zones = %d zones, want %d", len(got), len(zones))
	}
	for _, z := range zones {
		g := byID[z.Kind.Slug()+"/"+z.Code]
		if g.Name != z.Name || !slices.Equal(g.Communes, z.Communes) {
			t.Errorf("zone %s/%s = %+v, want %+v", z.Kind.Slug(), z.Code, g, z)
		}
	}

	// The builder's way in: fetch.LoadZones over the cache of a site.
	cfg := fetch.Config{CacheDir: dir, MetadonneesURL: "http://127.0.0.1:1/metadonnees", Sources: []string{"insee"}}
	ref, _ := geo.Load()
	loaded, err := fetch.LoadZones(ctx, cfg, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != len(zones) {
		t.Errorf("LoadZones = %d zones, want %d", len(loaded), len(zones))
	}
}

func TestFetchReportsAFailedZoneAndKeepsTheOthers(t *testing.T) {
	ctx := context.Background()
	srv, c, e, _, _ := setup(t, zones)
	srv.Retire("8212") // listed, but its communes answer 404
	err := c.Fetch(ctx, e)
	if err == nil || !strings.Contains(err.Error(), "zoneDEmploi2020/8212") || !errors.Is(err, fetch.ErrNotFound) {
		t.Fatalf("Fetch error = %v, want the failed zone named", err)
	}
	got, err := c.Zones(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(zones)-1 || slices.ContainsFunc(got, func(z geo.ZoneInput) bool { return z.Code == "8212" }) {
		t.Errorf("Zones = %+v, want the %d others, without 8212", got, len(zones)-1)
	}
}

func mustRef(t *testing.T) *geo.Referential {
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in string
		want     []metadonnees.Territoire
		err      string
	}{
		{"spec example", `[{"code":"18036","uri":"http://id.insee.fr/geo/commune/9d090028","type":"Commune","dateCreation":"1943-01-01","intituleSansArticle":"Brinay","typeArticle":"0","intitule":"Brinay"}]`,
			[]metadonnees.Territoire{{Code: "18036", URI: "http://id.insee.fr/geo/commune/9d090028", Type: "Commune", DateCreation: "1943-01-01", IntituleSansArticle: "Brinay", TypeArticle: "0", Intitule: "Brinay"}}, ""},
		{"empty", `[]`, nil, ""},
		{"no code", `[{"intitule":"X"}]`, nil, "territory 0 has no code"},
		{"not an array", `{"code":"1"}`, nil, "cannot unmarshal"},
		{"xml", `<Territoires/>`, nil, "invalid character"},
	}
	for _, tt := range tests {
		got, err := metadonnees.Decode(strings.NewReader(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: Decode error = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("%s: Decode = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

// The fake answers with the spec's fields: an article split from the name.
func TestFakeAnswersTheSpecFields(t *testing.T) {
	srv, c, e, h, _ := setup(t, zones)
	_ = srv
	ent, err := e.Fetch(context.Background(), h, c.ListRequest(metadonnees.Zonings[1]))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := ent.Open()
	defer f.Close()
	ts, err := metadonnees.Decode(f)
	if err != nil || len(ts) != 1 {
		t.Fatalf("list = %+v, %v", ts, err)
	}
	got := ts[0]
	if got.Code != "062" || got.Type != "AireDAttractionDesVilles2020" || got.TypeArticle != "2" ||
		got.IntituleSansArticle != "Havre" || got.Intitule != "Le Havre" || got.DateCreation != "2020-01-01" ||
		!strings.HasPrefix(got.URI, "http://id.insee.fr/geo/aireDAttractionDesVilles2020/") {
		t.Errorf("AAV 062 = %+v", got)
	}
	if _, err := e.Fetch(context.Background(), h, c.DescendantsRequest(metadonnees.Zonings[0], "0000")); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("unknown zone: %v, want ErrNotFound", err)
	}
}

func TestSyntheticZonesCoverTheCountry(t *testing.T) {
	ref := mustRef(t)
	zs := metadonneestest.Synthetic(ref)
	z, err := geo.NewZonings(ref, zs)
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Unknown) != 0 {
		t.Errorf("unknown communes: %v", z.Unknown[:min(5, len(z.Unknown))])
	}
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	var kinds []string
	for _, x := range z.Of(lyon) {
		kinds = append(kinds, x.Kind.Slug())
	}
	if !slices.Equal(kinds, []string{"zone-emploi", "unite-urbaine", "aire-attraction", "bassin-vie"}) {
		t.Errorf("Lyon's zones = %v", kinds)
	}
	for k, n := range metadonneestest.Count(zs) {
		if n < 100 {
			t.Errorf("%d zones of kind %s", n, k)
		}
	}
}
