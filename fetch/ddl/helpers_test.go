package ddl

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"territoires/fetch"
	"territoires/indicator"
	"testing"
	"time"

	"territoires/geo"
)

var (
	ref69     *geo.Referential
	ref69Err  error
	ref69Once sync.Once
)

// testRef returns the test referential: France, région 84, département 69,
// its EPCIs and communes, and Lyon's arrondissements.
func testRef(t testing.TB) *geo.Referential {
	t.Helper()
	ref69Once.Do(func() {
		f, err := os.Open("../testdata/ref69.tsv")
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

// inseeConfig is a configuration for tests against a fake server: a high
// quota over a short window, and small retry waits.
func inseeConfig(t testing.TB, ddlURL string) fetch.Config {
	cfg := fetch.Defaults()
	cfg.DDLURL = ddlURL
	cfg.Sources = []string{"insee"}
	cfg.Quota, cfg.Margin, cfg.Window = 1000, 1, fetch.Duration(time.Second)
	cfg.CacheDir = t.TempDir()
	return cfg
}

// newTestEngine returns an engine with fast retries on a fresh cache.
func newTestEngine(t testing.TB, dir string, opts fetch.Options) *fetch.Engine {
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

func newTestHost(t testing.TB, name string, quota int) *fetch.Host {
	t.Helper()
	lim, err := fetch.NewLimiter(quota, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return &fetch.Host{Name: name, Limiter: lim}
}

// countEntries counts the cache entries (metadata files) under dir.
func countEntries(t testing.TB, dir string) int {
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

// lockedBuffer is a bytes.Buffer safe for a child process's two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

type figID struct{ territory, measure string }

// storeFigures reads every figure with an empty Dim, by territory and
// measure (the latest period wins).
func storeFigures(t *testing.T, cfg fetch.Config, ref *geo.Referential) map[figID]indicator.Figure {
	t.Helper()
	st, err := fetch.OpenStore(cfg, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	figs := map[figID]indicator.Figure{}
	for f, err := range st.Figures(context.Background()) {
		if err != nil {
			t.Fatalf("Figures: %v", err)
		}
		if f.Dim != "" {
			continue
		}
		id := figID{f.Territory, f.Measure}
		if old, ok := figs[id]; !ok || f.Period >= old.Period {
			figs[id] = f
		}
	}
	return figs
}

// countTempFiles counts the cache's temporary files under dir.
func countTempFiles(t *testing.T, dir string) int {
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
