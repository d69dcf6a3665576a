package builder

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"territoires/preview"
)

// TestServedHeaders serves a built site with the preview server: what
// `territoires serve` sends is what the build's _headers asks hosts to send.
func TestServedHeaders(t *testing.T) {
	site := tinySite(t, "Servi")
	mustBuild(t, site)
	out := site.Path(site.Output)
	css, _ := filepath.Glob(filepath.Join(out, "assets", "site.*.css"))
	if len(css) != 1 {
		t.Fatalf("assets/site.*.css: %v", css)
	}
	srv := httptest.NewServer(preview.Handler(out))
	defer srv.Close()
	notFound, _ := os.ReadFile(filepath.Join(out, "404.html"))

	for _, tt := range []struct {
		path       string
		status     int
		csp, cache string
		bodyIs404  bool
	}{
		{"/commune/97501/", 200, "default-src 'self'; frame-ancestors 'none'", "", false},
		{"/embed/", 200, "default-src 'self'; frame-ancestors *", "", false},
		{"/assets/" + filepath.Base(css[0]), 200, "default-src 'self'; frame-ancestors 'none'", "public, max-age=31536000, immutable", false},
		{"/commune/", 404, "default-src 'self'; frame-ancestors 'none'", "", true},
		{"/commune/00000/", 404, "default-src 'self'; frame-ancestors 'none'", "", true},
	} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if got := strings.Join(resp.Header.Values("Content-Security-Policy"), " | "); got != tt.csp {
			t.Errorf("GET %s: Content-Security-Policy = %q, want %q", tt.path, got, tt.csp)
		}
		if got := resp.Header.Get("Cache-Control"); got != tt.cache {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tt.path, got, tt.cache)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q", tt.path, got)
		}
		if tt.bodyIs404 != (string(body) == string(notFound)) {
			t.Errorf("GET %s: body is 404.html: %v, want %v", tt.path, !tt.bodyIs404, tt.bodyIs404)
		}
	}
}
