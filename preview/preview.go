// Package preview serves a built site like a static host should: index.html
// for folders, 404.html with status 404 for what does not exist, and the
// headers the site asks its hosts to send, above all a strict
// Content-Security-Policy. `territoires serve` and the browser tests use it.
package preview

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// Headers are sent with every answer (see also the _headers file the build
// writes for hosts that read one).
var Headers = map[string]string{
	"Content-Security-Policy": "default-src 'self'",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

// Handler serves the folder dir.
func Handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range Headers {
			w.Header().Set(k, v)
		}
		name := filepath.Join(dir, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
		if _, err := os.Stat(name); errors.Is(err, os.ErrNotExist) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			if f, err := os.Open(filepath.Join(dir, "404.html")); err == nil {
				defer f.Close()
				io.Copy(w, f)
			}
			return
		}
		files.ServeHTTP(w, r)
	})
}
