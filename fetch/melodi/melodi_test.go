package melodi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"territoires/fetch"
	"territoires/fetch/melodi/meloditest"
	"territoires/indicator"
)

// newTestMelodi returns a MELODI source on a fake, for a fixed day.
func newTestMelodi(t *testing.T, srv *meloditest.Server, dir string, ids ...string) (*Melodi, fetch.Config) {
	t.Helper()
	cfg := inseeConfig(t, srv.MelodiURL).WithDefaults()
	cfg.CacheDir = dir
	cfg.Datasets = ids
	h, err := cfg.INSEEHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := New(cfg, testRef(t), h)
	m.now = func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) }
	return m, cfg
}

// TestPlanAndVintage: a refresh costs the catalogue and, per dataset, its
// range and its file; the plan says so, exactly once they are cached; the
// same day nothing is asked again; a new vintage refetches that dataset
// only.
func TestPlanAndVintage(t *testing.T) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(t)})
	defer srv.Close()
	dir := t.TempDir()
	m, _ := newTestMelodi(t, srv, dir, "DS_POPULATIONS_REFERENCE", "DS_RP_POPULATION_PRINC", "DS_FILOSOFI_CC")
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return day }
	ctx := context.Background()

	e := newTestEngine(t, dir, fetch.Options{})
	plan, err := m.Plan(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Calls != 7 || plan.Cached != 0 {
		t.Errorf("plan of an empty cache: %d calls, %d cached, want 7 (1 catalogue + 3 × (range + file)), 0", plan.Calls, plan.Cached)
	}
	if err := m.Fetch(ctx, e); err != nil {
		t.Fatal(err)
	}
	if made := e.Stats().Calls; made != 7 {
		t.Errorf("refresh made %d calls, want 7", made)
	}
	plan, _ = m.Plan(ctx, e)
	if plan.Estimated || plan.Calls != 7 || plan.Cached != 7 {
		t.Errorf("plan after the refresh %+v, want exact, 7 calls, all cached", plan)
	}

	e2 := newTestEngine(t, dir, fetch.Options{})
	if err := m.Fetch(ctx, e2); err != nil || e2.Stats().Calls != 0 {
		t.Errorf("same-day refresh: %d calls, err %v; want 0", e2.Stats().Calls, err)
	}

	srv.SetModified("DS_FILOSOFI_CC", "2026-03-01T09:00:00")
	day = day.Add(24 * time.Hour)
	before := srv.Stats().PerKey
	e3 := newTestEngine(t, dir, fetch.Options{})
	if err := m.Fetch(ctx, e3); err != nil {
		t.Fatal(err)
	}
	if got := e3.Stats().Calls; got != 3 {
		t.Errorf("refresh after a new vintage: %d calls, want 3 (catalogue, range and file of Filosofi)", got)
	}
	for k, n := range srv.Stats().PerKey {
		if n != before[k] && !strings.Contains(k, "FILOSOFI") && !strings.Contains(k, "catalog") {
			t.Errorf("%s asked again after another dataset's new vintage", k)
		}
	}
}

// TestRemovedDatasetStaysStale: a dataset withdrawn from MELODI fails
// alone; its last good figures stay in the cache, its report says the
// refresh failed, and the other datasets are refreshed.
func TestRemovedDatasetStaysStale(t *testing.T) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(t)})
	defer srv.Close()
	dir := t.TempDir()
	m, cfg := newTestMelodi(t, srv, dir, "DS_POPULATIONS_REFERENCE", "DS_FILOSOFI_CC")
	ctx := context.Background()
	if err := m.Fetch(ctx, newTestEngine(t, dir, fetch.Options{})); err != nil {
		t.Fatal(err)
	}
	before := storeFigures(t, cfg, testRef(t))

	srv.Remove("DS_FILOSOFI_CC")
	srv.SetModified("DS_POPULATIONS_REFERENCE", "2026-02-01T00:00:00")
	m.now = func() time.Time { return time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) }
	err := m.Fetch(ctx, newTestEngine(t, dir, fetch.Options{}))
	var de *fetch.DatasetError
	if !errors.As(err, &de) || de.Dataset != "DS_FILOSOFI_CC" || !fetch.OnlyDatasets(err) {
		t.Fatalf("Fetch after the removal: %v, want a DatasetError of DS_FILOSOFI_CC alone", err)
	}
	r, ok, _ := fetch.LoadReport(dir, "melodi", "DS_FILOSOFI_CC")
	if !ok || !r.Stale() || r.Kept == 0 || !strings.Contains(r.Failed, "not in the MELODI catalogue") {
		t.Errorf("report of the removed dataset %+v, want stale with its last good counts", r)
	}
	after := storeFigures(t, cfg, testRef(t))
	id := figID{"commune/69123", indicator.RevenuMedian}
	if after[id] != before[id] || after[id].Status != indicator.Present {
		t.Errorf("Lyon's median income after the failure %+v, want the last good %+v", after[id], before[id])
	}
	if r, _, _ := fetch.LoadReport(dir, "melodi", "DS_POPULATIONS_REFERENCE"); r.Stale() || r.Modified != "2026-02-01T00:00:00" {
		t.Errorf("report of the other dataset %+v, want refreshed to the new vintage", r)
	}
}

// TestUndescribedDimension: a dimension the description lacks is reported
// by name with the observations it cost, in the plan and the report; the
// observations at its total are kept.
func TestUndescribedDimension(t *testing.T) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(t)})
	defer srv.Close()
	dir := t.TempDir()
	m, _ := newTestMelodi(t, srv, dir, "DS_FLORES_A17")
	short := *m.datasets[0]
	short.Dims = []dim{{Name: "FREQ", Ignore: true}, {Name: "ACTIVITY", All: "_T", KeepAny: true, Key: "NA17"}, {Name: "LEGAL_FORM_WITH_PUBLIC", All: "1T9X7", KnownAny: true}}
	m.datasets[0] = &short
	ctx := context.Background()
	e := newTestEngine(t, dir, fetch.Options{})
	if err := m.Fetch(ctx, e); err != nil {
		t.Fatal(err)
	}
	r, _, _ := fetch.LoadReport(dir, "melodi", "DS_FLORES_A17")
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{
		"DS_FLORES_A17: dimension NUMBER_EMPL not described (range: 2 codes)",
		"DS_FLORES_A17: dimension NUMBER_EMPL not described, ",
		"DS_FLORES_A17: dimension NUMBER_EMPL not described, at _T in ",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("report notes:\n%s\nwant a line starting %q", notes, want)
		}
	}
	if r.Kept == 0 || r.Skipped[skipUndescribed] == 0 {
		t.Errorf("report %+v, want figures kept and observations skipped as undescribed", r)
	}
	plan, _ := m.Plan(ctx, e)
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "dimension NUMBER_EMPL not described") {
		t.Errorf("plan notes %q do not name the undescribed dimension", plan.Notes)
	}
}

// TestNoFigureIsAnError: a dataset whose answer yields no figure is an
// error of that dataset, naming why its observations were skipped.
func TestNoFigureIsAnError(t *testing.T) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(t)})
	defer srv.Close()
	dir := t.TempDir()
	m, _ := newTestMelodi(t, srv, dir, "DS_ETAT_CIVIL_NAIS_COMMUNES", "DS_ETAT_CIVIL_DECES_COMMUNES")
	wrong := *m.datasets[0]
	wrong.Measures = map[string]string{"BIRTHS": indicator.Naissances}
	m.datasets[0] = &wrong
	err := m.Fetch(context.Background(), newTestEngine(t, dir, fetch.Options{}))
	if got := fetch.FailedDatasets(err); len(got) != 1 || got[0] != "DS_ETAT_CIVIL_NAIS_COMMUNES" ||
		!strings.Contains(err.Error(), "no figure from") || !strings.Contains(err.Error(), "EC_MEASURE code LVB") {
		t.Errorf("Fetch: %v, want the births dataset alone to fail, naming EC_MEASURE code LVB", err)
	}
}

// TestPagedMatchesFile: a dataset without a file product is read page by
// page, by level or by parent, and gives the same figures as its file.
func TestPagedMatchesFile(t *testing.T) {
	ref := testRef(t)
	ids := []string{"DS_POPULATIONS_REFERENCE", "DS_FILOSOFI_CC", "DS_RP_EMPLOI_LR_PRINC"}
	digest := func(noFile bool, mode string) (string, int64) {
		opts := meloditest.Options{Ref: ref}
		if noFile {
			opts.NoFile = ids
		}
		srv := meloditest.New(opts)
		defer srv.Close()
		cfg := inseeConfig(t, srv.MelodiURL)
		cfg.MelodiGeo = mode
		cfg.MelodiPageSize = 2000
		cfg.Datasets = ids
		sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return figureDigestOf(t, cfg), sum.Stats.Calls
	}
	byFile, fileCalls := digest(false, "level")
	byLevel, levelCalls := digest(true, "level")
	byParent, _ := digest(true, "parent")
	if byLevel != byFile || byParent != byFile {
		t.Errorf("figures by level %s, by parent %s, want %s as by file", byLevel, byParent, byFile)
	}
	if fileCalls != 7 || levelCalls <= fileCalls {
		t.Errorf("calls by file %d, by level %d; want 7, and more by level", fileCalls, levelCalls)
	}
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
