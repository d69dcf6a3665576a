// Package preview serves a built site like a static host should: index.html
// for folders, 404.html with status 404 for what does not exist, no folder
// listings, and the headers of the _headers file the build writes (a strict
// Content-Security-Policy, embeds that other sites may frame, assets cached
// for ever). `territoires serve` and the browser tests use it.
package preview

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// Headers are sent with every answer when the folder has no _headers file;
// they are those the build's _headers sends with pages.
var Headers = map[string]string{
	"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

// Handler serves the folder dir. Each request opens the folder anew (an
// os.Root, which keeps symbolic links from leading outside it), so that a
// build that switches the folder is served at once.
func Handler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			http.Error(w, "site not built", http.StatusServiceUnavailable)
			return
		}
		defer root.Close()
		upath := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") && upath != "/" {
			upath += "/" // a folder: "/embed/" must match the rule "/embed/*"
		}
		if src, err := root.ReadFile("_headers"); err == nil {
			apply(parseRules(string(src)), w.Header(), upath)
		} else {
			for k, v := range Headers {
				w.Header().Set(k, v)
			}
		}
		name := strings.TrimPrefix(upath, "/")
		if name == "" {
			name = "."
		}
		if hidden(name) {
			notFound(w, r, root)
			return
		}
		fi, err := root.Stat(name)
		if err != nil {
			notFound(w, r, root)
			return
		}
		if fi.IsDir() {
			if !strings.HasSuffix(r.URL.Path, "/") {
				target := upath + "/"
				if upath == "/" {
					target = "/"
				}
				if r.URL.RawQuery != "" {
					target += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, target, http.StatusMovedPermanently)
				return
			}
			name = path.Join(name, "index.html")
			if fi, err = root.Stat(name); err != nil || fi.IsDir() {
				notFound(w, r, root) // never a listing
				return
			}
		}
		f, err := root.Open(name)
		if err != nil {
			notFound(w, r, root)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
	})
}

// hidden reports the files a host does not serve: _headers and dot files.
func hidden(name string) bool {
	if name == "_headers" || name == "_redirects" {
		return true
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

// notFound answers 404 with the site's 404.html.
func notFound(w http.ResponseWriter, r *http.Request, root *os.Root) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Del("Cache-Control") // what does not exist may appear
	w.WriteHeader(http.StatusNotFound)
	if r.Method == http.MethodHead {
		return
	}
	f, err := root.Open("404.html")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return
		}
		io.WriteString(w, "404 page not found\n")
		return
	}
	defer f.Close()
	io.Copy(w, f)
}
