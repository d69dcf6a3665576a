package melodi

import (
	"context"
	"errors"
	"strings"
	"territoires/fetch"
	"testing"
	"time"

	"territoires/fetch/melodi/meloditest"
	"territoires/indicator"
)

// runMelodi fetches MELODI for the test referential with a fast engine.
func runMelodi(t *testing.T, srv *meloditest.Server, dir string, attempts int) (*fetch.Engine, error) {
	t.Helper()
	cfg := inseeConfig(t, srv.MelodiURL).WithDefaults()
	cfg.CacheDir = dir
	cfg.MelodiPageSize = 2000
	cfg.Datasets = faultDatasets
	h, err := cfg.INSEEHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, dir, fetch.Options{
		StallTimeout: time.Second,
		Retry:        fetch.Retry{Attempts: attempts, Base: 5 * time.Millisecond, Max: 50 * time.Millisecond},
	})
	return e, New(cfg, testRef(t), h).Fetch(context.Background(), e)
}

// TestFaultsSurvived injects every kind of transient fault into a MELODI
// refresh: it completes, and decodes to the same figures as a clean run.
func TestFaultsSurvived(t *testing.T) {
	ref := testRef(t)
	clean := meloditest.New(meloditest.Options{Ref: ref})
	defer clean.Close()
	cleanDir := t.TempDir()
	if _, err := runMelodi(t, clean, cleanDir, 6); err != nil {
		t.Fatal(err)
	}
	want := figureDigest(t, storeConfig(t, cleanDir))

	srv := meloditest.New(meloditest.Options{Ref: ref, Delay: 3 * time.Second})
	defer srv.Close()
	// Interleaved so that no request meets more faults than it has retries.
	for _, f := range []meloditest.Fault{
		meloditest.Fault429, meloditest.Fault500, meloditest.FaultTruncate, meloditest.FaultInvalidJSON,
		meloditest.FaultStall, meloditest.FaultSlow, meloditest.Fault429, meloditest.Fault429,
		meloditest.Fault500, meloditest.FaultTruncate, meloditest.FaultInvalidJSON,
	} {
		srv.Inject(f, 1)
	}
	dir := t.TempDir()
	e, err := runMelodi(t, srv, dir, 12)
	if err != nil {
		t.Fatalf("refresh with faults: %v", err)
	}
	if got := figureDigest(t, storeConfig(t, dir)); got != want {
		t.Errorf("figures after faults: %s, want %s", got, want)
	}
	if st := e.Stats(); st.Retries < 11 {
		t.Errorf("%d retries, want ≥ 11 (one per fault)", st.Retries)
	}
	if n := countTempFiles(t, dir); n != 0 {
		t.Errorf("%d temporary files left, want 0", n)
	}
}

// faultDatasets keep the fault tests short: a series, a breakdown that
// spans pages, secret values and rates.
var faultDatasets = []string{"DS_POPULATIONS_HISTORIQUES", "DS_RP_POPULATION_PRINC", "DS_FILOSOFI_CC", "DS_RP_EMPLOI_LR_PRINC"}

func storeConfig(t *testing.T, dir string) fetch.Config {
	cfg := inseeConfig(t, "http://unused.invalid")
	cfg.CacheDir = dir
	cfg.MelodiPageSize = 2000
	cfg.Datasets = faultDatasets
	return cfg
}

// TestFaultsClearErrors: what cannot be survived ends in an error that
// names the request and the cause.
func TestFaultsClearErrors(t *testing.T) {
	ref := testRef(t)
	tests := []struct {
		name   string
		fault  meloditest.Fault
		n      int
		want   error
		detail string
	}{
		{"403 stops the run", meloditest.Fault403, 1, fetch.ErrForbidden, "403 Forbidden"},
		{"500 storm", meloditest.Fault500, 100, fetch.ErrServer, "giving up after 3 attempts"},
		{"429 storm", meloditest.Fault429, 100, fetch.ErrRateLimited, "429 Too Many Requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := meloditest.New(meloditest.Options{Ref: ref})
			defer srv.Close()
			srv.Inject(tt.fault, tt.n)
			_, err := runMelodi(t, srv, t.TempDir(), 3)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if msg := err.Error(); !strings.Contains(msg, "GET "+srv.MelodiURL+"/catalog/all") || !strings.Contains(msg, tt.detail) {
				t.Errorf("error %q does not name the request and %q", msg, tt.detail)
			}
		})
	}
}

// TestFailedDatasetDoesNotStopOthers: a dataset MELODI no longer knows
// (500 with its plain-text message) fails alone: the error names it, and
// every other dataset is fetched.
func TestFailedDatasetDoesNotStopOthers(t *testing.T) {
	ref := testRef(t)
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	dir := t.TempDir()
	cfg := inseeConfig(t, srv.MelodiURL).WithDefaults()
	cfg.CacheDir = dir
	cfg.Retries = 2
	cfg.Datasets = []string{"DS_POPULATIONS_REFERENCE", "DS_FILOSOFI_CC"}
	h, _ := cfg.INSEEHost(context.Background())
	m := New(cfg, ref, h)
	m.datasets[0] = &dataset{ID: "DS_NEXISTEPAS", Measure: indicator.PopLegale}
	e := newTestEngine(t, dir, fetch.Options{Retry: fetch.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
	err := m.Fetch(context.Background(), e)
	if got := fetch.FailedDatasets(err); len(got) != 1 || got[0] != "DS_NEXISTEPAS" || !fetch.OnlyDatasets(err) {
		t.Fatalf("Fetch: %v (failed %q), want DS_NEXISTEPAS alone", err, got)
	}
	// The catalogue, and the range and file of Filosofi, are cached.
	if got := countEntries(t, dir); got != 3 {
		t.Errorf("%d cache entries, want 3", got)
	}
}
