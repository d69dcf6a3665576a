package preview

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// headersFile is the _headers file the build writes (builder.hostHeaders;
// builder's TestServedHeaders checks the two agree through a real build).
const headersFile = `/*
  Content-Security-Policy: default-src 'self'; frame-ancestors 'none'
  X-Content-Type-Options: nosniff
  Referrer-Policy: strict-origin-when-cross-origin
/embed/*
  ! Content-Security-Policy
  Content-Security-Policy: default-src 'self'; frame-ancestors *
/assets/*
  Cache-Control: public, max-age=31536000, immutable
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

const (
	pageCSP  = "default-src 'self'; frame-ancestors 'none'"
	embedCSP = "default-src 'self'; frame-ancestors *"
	forever  = "public, max-age=31536000, immutable"
)

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"_headers":                        headersFile,
		"index.html":                      "<h1>France</h1>",
		"404.html":                        "introuvable",
		"commune/01001/index.html":        "<h1>L'Abergement</h1>",
		"embed/commune/01001.html":        "<p>embed</p>",
		"assets/site.0123abcd.css":        "body{}",
		"api/commune/departement-01.json": "{}\n",
		".public.manifest":                "secret-ish",
		"commune/.hidden/index.html":      "x",
		"departements/01/notes.txt":       "x",
	})
	if err := os.Symlink("/etc", filepath.Join(dir, "evil")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()

	tests := []struct {
		path, body string
		status     int
		csp, cache string
		location   string
	}{
		{"/", "<h1>France</h1>", 200, pageCSP, "", ""},
		{"/commune/01001/", "<h1>L'Abergement</h1>", 200, pageCSP, "", ""},
		{"/commune/01001", "", 301, pageCSP, "", "/commune/01001/"},
		{"/commune/99999/", "introuvable", 404, pageCSP, "", ""},
		{"/commune/", "introuvable", 404, pageCSP, "", ""}, // a folder without index.html: no listing
		{"/departements/01/", "introuvable", 404, pageCSP, "", ""},
		{"/embed/commune/01001.html", "<p>embed</p>", 200, embedCSP, "", ""},
		{"/embed/commune/99999.html", "introuvable", 404, embedCSP, "", ""},
		{"/assets/site.0123abcd.css", "body{}", 200, pageCSP, forever, ""},
		{"/assets/missing.css", "introuvable", 404, pageCSP, "", ""}, // not cached for ever
		{"/api/commune/departement-01.json", "{}\n", 200, pageCSP, "", ""},
		{"/_headers", "introuvable", 404, pageCSP, "", ""},
		{"/.public.manifest", "introuvable", 404, pageCSP, "", ""},
		{"/commune/.hidden/", "introuvable", 404, pageCSP, "", ""},
		{"/evil/passwd", "introuvable", 404, pageCSP, "", ""},
		{"/../../etc/passwd", "introuvable", 404, pageCSP, "", ""},
	}
	for _, tt := range tests {
		resp, body := get(t, srv.URL+tt.path)
		if resp.StatusCode != tt.status || (tt.status != 301 && body != tt.body) {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
		if got := resp.Header.Get("Location"); got != tt.location {
			t.Errorf("GET %s: Location = %q, want %q", tt.path, got, tt.location)
		}
		if got := resp.Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != tt.csp {
			t.Errorf("GET %s: Content-Security-Policy = %q, want %q", tt.path, got, tt.csp)
		}
		if got := resp.Header.Get("Cache-Control"); got != tt.cache {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tt.path, got, tt.cache)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("GET %s: %s = %q, want %q", tt.path, k, got, want)
			}
		}
		if tt.status == 404 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: 404 with Content-Type %q", tt.path, resp.Header.Get("Content-Type"))
		}
	}

	resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", resp.StatusCode)
	}
}

func TestHandlerWithoutHeadersFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "ok"})
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	resp, body := get(t, srv.URL+"/")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("GET / = %d %q", resp.StatusCode, body)
	}
	for k, want := range Headers {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if resp, body := get(t, srv.URL+"/nope"); resp.StatusCode != 404 || body != "404 page not found\n" {
		t.Errorf("GET /nope = %d %q", resp.StatusCode, body)
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"/*", "/", true}, {"/*", "/a/b", true}, {"/embed/*", "/embed/x.html", true},
		{"/embed/*", "/embeds", false}, {"/embed/*", "/commune/embed/x", false},
		{"/a/*/c", "/a/b/b/c", true}, {"/a/*/c", "/a/b/d", false}, {"/exact", "/exact", true}, {"/exact", "/exact/", false},
	} {
		if got := match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestApplyJoinsAndDrops(t *testing.T) {
	rules := parseRules("/*\n  X-A: 1\n  X-B: 1\n# comment\n/a/*\n  X-A: 2\n  ! X-B\n  X-B: 2\n")
	h := http.Header{}
	apply(rules, h, "/a/x")
	if h.Get("X-A") != "1, 2" || h.Get("X-B") != "2" {
		t.Errorf("headers = %v, want X-A joined and X-B replaced", h)
	}
}
