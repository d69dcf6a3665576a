package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// securityHeaders are sent with every file of the preview, as a CDN should:
// the site runs under a strict Content-Security-Policy.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

// previewHandler serves the folder dir like a static host: index.html for
// folders, 404.html for what does not exist.
func previewHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
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

func serve(ctx context.Context, dir, addr string, log io.Writer) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("serve: %s is not built yet: run `go run . build` first", dir)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{Handler: previewHandler(dir), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(log, "serving %s on http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
