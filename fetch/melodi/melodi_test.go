package melodi

import (
	"context"
	"strings"
	"territoires/fetch"
	"testing"
	"time"

	"territoires/fetch/melodi/meloditest"
	"territoires/indicator"
)

// TestMelodiPlanAndVintage: the plan counts the calls of a refresh, exactly
// once pages are cached; a new vintage in the catalogue refetches that
// dataset only.
func TestMelodiPlanAndVintage(t *testing.T) {
	ref := testRef(t)
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	cfg := inseeConfig(t, srv.MelodiURL).WithDefaults()
	cfg.MelodiPageSize = 3000
	cfg.Datasets = []string{"DS_POPULATIONS_REFERENCE", "DS_RP_POPULATION_PRINC", "DS_FILOSOFI_CC"}
	h, _ := cfg.INSEEHost(context.Background())
	m := NewMelodi(cfg, ref, h)
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return day }
	ctx := context.Background()

	e := newTestEngine(t, cfg.CacheDir, fetch.Options{})
	plan, err := m.Plan(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Estimated || plan.Cached != 0 || plan.Calls < 1+3*6 {
		t.Errorf("plan of an empty cache %+v, want estimated, nothing cached, ≥ %d calls", plan, 1+3*6)
	}
	if err := m.Fetch(ctx, e); err != nil {
		t.Fatal(err)
	}
	made := e.Stats().Calls
	plan, err = m.Plan(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Estimated || plan.Calls != int(made) || plan.Cached != plan.Calls {
		t.Errorf("plan after a refresh of %d calls: %+v, want exact, %d calls, all cached", made, plan, made)
	}

	// The same day, nothing is asked again.
	e2 := newTestEngine(t, cfg.CacheDir, fetch.Options{})
	if err := m.Fetch(ctx, e2); err != nil || e2.Stats().Calls != 0 {
		t.Errorf("same-day refresh: %d calls, err %v; want 0", e2.Stats().Calls, err)
	}

	// The next day Filosofi has a new vintage.
	srv.SetModified("DS_FILOSOFI_CC", "2026-03-01T09:00:00")
	day = day.Add(24 * time.Hour)
	// The plan makes no call: it sees yesterday's catalogue, and says so.
	plan, _ = m.Plan(ctx, e2)
	if plan.Missing() != 1 || !strings.Contains(strings.Join(plan.Notes, "\n"), "catalogue of 2026-03-01") {
		t.Errorf("plan the next day: %d calls to make, notes %q, want 1 (the catalogue) and a note on its age", plan.Missing(), plan.Notes)
	}
	e3 := newTestEngine(t, cfg.CacheDir, fetch.Options{})
	before := srv.Stats().PerKey
	if err := m.Fetch(ctx, e3); err != nil {
		t.Fatal(err)
	}
	if got := e3.Stats().Calls; got != 7 {
		t.Errorf("refresh after a new vintage: %d calls, want 7", got)
	}
	for k, n := range srv.Stats().PerKey {
		if n != before[k] && !strings.Contains(k, "FILOSOFI") && !strings.Contains(k, "catalog") {
			t.Errorf("%s asked again after another dataset's new vintage", k)
		}
	}
}

// TestMelodiByParent: GEO=DEP-69*COM gives the same commune figures as
// GEO=COM.
func TestMelodiByParent(t *testing.T) {
	ref := testRef(t)
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	digest := func(geoMode string) (string, int64) {
		cfg := inseeConfig(t, srv.MelodiURL)
		cfg.MelodiGeo = geoMode
		cfg.Datasets = []string{"DS_POPULATIONS_REFERENCE", "DS_FILOSOFI_CC"}
		sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return figureDigestOf(t, cfg), sum.Stats.Calls
	}
	byLevel, levelCalls := digest("level")
	byParent, parentCalls := digest("parent")
	if byLevel != byParent {
		t.Errorf("figures by parent %s, want %s as by level", byParent, byLevel)
	}
	if levelCalls != 1+2*6 || parentCalls != 1+2*6 { // one département: DEP-69*COM replaces COM
		t.Errorf("calls by level %d, by parent %d, want 13 each", levelCalls, parentCalls)
	}
	if !strings.Contains(srvKeys(srv), "GEO=DEP-69%2ACOM") {
		t.Errorf("no request with GEO=DEP-69%%2ACOM among %s", srvKeys(srv))
	}
}

func srvKeys(srv *meloditest.Server) string {
	var b strings.Builder
	for k := range srv.Stats().PerKey {
		b.WriteString(k + "\n")
	}
	return b.String()
}

func figureDigestOf(t *testing.T, cfg fetch.Config) string {
	t.Helper()
	figs := storeFigures(t, cfg, testRef(t))
	n, secret := 0, 0
	sum := 0.0
	for _, f := range figs {
		n++
		sum += f.Value
		if f.Status == indicator.Secret {
			secret++
		}
	}
	return strings.Join([]string{itoa(n), ftoa(sum), itoa(secret)}, "/")
}
