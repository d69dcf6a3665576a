package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"territoires/builder"
	"territoires/config"
	"territoires/preview"
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	stopBrowser()
	stopSite()
	os.Exit(code)
}

// inCI reports whether the tests run under CI, where a missing browser or
// npm is a failure and not a reason to skip.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// unavailable skips the test, or fails it under CI, when a tool it needs
// cannot be had.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("%s (CI=%s: a missing tool fails the test here instead of skipping it)", msg, os.Getenv("CI"))
	}
	t.Skip(msg)
}

// The site under test: the départements du Rhône (69) and Paris (75),
// their communes, EPCI, régions and France, built once per test binary and
// served on loopback (Paris: to compare Lyon with it).
var site struct {
	once sync.Once
	url  string // "http://127.0.0.1:PORT/"
	dir  string // holds site.toml and public/
	srv  *httptest.Server
	err  error
}

const siteTOML = "base_url = \"http://%s/\"\n[territories]\ndepartements = [\"69\", \"75\"]\n"

// siteURL returns the root URL of the test site, building and serving it on
// first use.
func siteURL(t *testing.T) string {
	t.Helper()
	site.once.Do(func() { site.err = startSite() })
	if site.err != nil {
		t.Fatalf("test site: %v", site.err)
	}
	return site.url
}

func startSite() error {
	dir, err := os.MkdirTemp("", "territoires-e2e-")
	if err != nil {
		return err
	}
	site.dir = dir
	// The port is needed before the build: it is in base_url.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cfg, err := config.Parse(filepath.Join(dir, "site.toml"), fmt.Sprintf(siteTOML, ln.Addr()), os.Getenv)
	if err != nil {
		ln.Close()
		return err
	}
	// The first build on a machine installs ECharts with npm: allow for it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	sum, err := builder.Build(ctx, builder.Options{Site: cfg, Zones: siteZones()})
	if err != nil {
		ln.Close()
		return fmt.Errorf("build: %w", err)
	}
	fmt.Fprintf(os.Stderr, "e2e: built %d pages in %.1fs into %s\n", sum.Pages, time.Since(start).Seconds(), cfg.Path(cfg.Output))
	mux := http.NewServeMux()
	mux.Handle("/", preview.Handler(cfg.Path(cfg.Output)))
	mux.Handle("/_e2e/", http.StripPrefix("/_e2e", probeHandler()))
	site.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	site.srv.Start()
	site.url = site.srv.URL + "/"
	return nil
}

func stopSite() {
	if site.srv != nil {
		site.srv.Close()
	}
	if site.dir != "" {
		os.RemoveAll(site.dir)
	}
}

// probeHandler serves pages that break the rules on purpose, under the
// same headers, so that a test can check that the checks see what they
// must see.
func probeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe/", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range preview.Headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>probe</title>
<script src="/_e2e/probe.js"></script></head>
<body><p>probe</p><script>document.title = "inline script ran";</script></body></html>`)
	})
	mux.HandleFunc("/probe.js", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range preview.Headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, "console.error('probe: console error');\nsetTimeout(function () { throw new Error('probe: uncaught'); }, 0);\n")
	})
	return mux
}

// artifactsDir returns the folder for screenshots: $TERRITOIRES_ARTIFACTS,
// or testdata/out (git-ignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TERRITOIRES_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// saveArtifact writes b under the artifacts folder and logs where.
func saveArtifact(t *testing.T, name string, b []byte) {
	t.Helper()
	path := filepath.Join(artifactsDir(t), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("saved %s (%d KB)", abs, len(b)>>10)
}

// npmPath returns npm, or skips (fails under CI) when it is missing.
func npmPath(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable(t, "npm is needed to install axe-core (e2e/package.json) and was not found: install Node.js and npm")
	}
	return npm
}
