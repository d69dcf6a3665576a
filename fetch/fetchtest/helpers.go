package fetchtest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"territoires/fetch"
	"territoires/geo"
	"territoires/indicator"
)

// Helpers shared by the tests of the INSEE clients (fetch/melodi,
// fetch/ddl), which would otherwise each keep a copy.

var (
	ref69     *geo.Referential
	ref69Err  error
	ref69Once sync.Once
)

// Ref69 returns the test referential of fetch/testdata/ref69.tsv (France,
// région 84, département 69, its EPCIs and communes, Lyon's
// arrondissements), read from path once per test binary.
func Ref69(t testing.TB, path string) *geo.Referential {
	t.Helper()
	ref69Once.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			ref69Err = err
			return
		}
		defer f.Close()
		ref69, ref69Err = geo.Parse(f)
	})
	if ref69Err != nil {
		t.Fatalf("load test referential: %v", ref69Err)
	}
	return ref69
}

// INSEEConfig is a configuration for tests against a fake server: a high
// quota over a short window, and a cache of its own. The caller sets the
// API's URL.
func INSEEConfig(t testing.TB) fetch.Config {
	cfg := fetch.Defaults()
	cfg.Sources = []string{"insee"}
	cfg.Quota, cfg.Margin, cfg.Window = 1000, 1, fetch.Duration(time.Second)
	cfg.CacheDir = t.TempDir()
	return cfg
}

// Engine returns an engine with fast retries on the cache in dir (a fresh
// one when dir is empty), closed when the test ends.
func Engine(t testing.TB, dir string, opts fetch.Options) *fetch.Engine {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	c, err := fetch.OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Cache = c
	if opts.Retry == (fetch.Retry{}) {
		opts.Retry = fetch.Retry{Attempts: 6, Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}
	}
	e, err := fetch.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// Host returns a host with quota calls per second.
func Host(t testing.TB, name string, quota int) *fetch.Host {
	t.Helper()
	lim, err := fetch.NewLimiter(quota, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return &fetch.Host{Name: name, Limiter: lim}
}

// CountEntries counts the cache entries (metadata files) under dir.
func CountEntries(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "provenance" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") && !strings.HasPrefix(d.Name(), ".tmp-") {
			n++
		}
		return nil
	})
	return n
}

// CountTempFiles counts the cache's temporary files under dir.
func CountTempFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			n++
		}
		return nil
	})
	return n
}

// LockedBuffer is a strings.Builder safe for a child process's two pipes.
type LockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// FigID names a figure by territory and measure.
type FigID struct{ Territory, Measure string }

// StoreFigures reads every cached figure with an empty Dim, by territory
// and measure (the latest period wins).
func StoreFigures(t testing.TB, cfg fetch.Config, ref *geo.Referential) map[FigID]indicator.Figure {
	t.Helper()
	st, err := fetch.OpenStore(cfg, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	figs := map[FigID]indicator.Figure{}
	for f, err := range st.Figures(context.Background()) {
		if err != nil {
			t.Fatalf("Figures: %v", err)
		}
		if f.Dim != "" {
			continue
		}
		id := FigID{f.Territory, f.Measure}
		if old, ok := figs[id]; !ok || f.Period >= old.Period {
			figs[id] = f
		}
	}
	return figs
}
