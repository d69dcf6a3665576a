package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"territoires/preview"
)

func TestRunBuild(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "site.toml")
	os.WriteFile(cfg, []byte("[territories]\ndepartements = [\"2A\"]\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"build", "-config", cfg}, &stdout, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "built ") || !strings.Contains(log, " pages: ") {
		t.Errorf("no summary line in %q", log)
	}
	if strings.Contains(log, "\r") {
		t.Errorf("progress bar drawn when not on a terminal: %q", log)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "commune", "2A004", "index.html")); err != nil {
		t.Errorf("Ajaccio page not built: %v", err)
	}
}

func TestRunConfigError(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "site.toml")
	os.WriteFile(cfg, []byte("title = \"x\"\nworkerz = 2\n"), 0o644)
	err := run(context.Background(), []string{"build", "-config", cfg}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `site.toml:2: unknown key "workerz"`) {
		t.Errorf("error = %v, want it to name workerz and line 2", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("a failed configuration published a site")
	}
}

func TestRunUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"deploy", "-config", "site.toml"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unknown command deploy") {
		t.Errorf("error = %v, want unknown command", err)
	}
}

func TestPreviewHandler(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "commune", "01001"), 0o755)
	os.WriteFile(filepath.Join(dir, "commune", "01001", "index.html"), []byte("<h1>L'Abergement</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "404.html"), []byte("introuvable"), 0o644)
	srv := httptest.NewServer(preview.Handler(dir))
	defer srv.Close()

	for _, tt := range []struct {
		path, body string
		status     int
	}{
		{"/commune/01001/", "<h1>L'Abergement</h1>", 200},
		{"/commune/99999/", "introuvable", 404},
	} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || string(body) != tt.body {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'self'; frame-ancestors 'none'" {
			t.Errorf("GET %s: CSP = %q", tt.path, got)
		}
	}
}
