package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshot reads every file under root.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestBuildRefusesOutputs runs `territoires build` with each output of
// issue 14 that deleted what it should not have: each stops, names the
// problem, and deletes nothing.
func TestBuildRefusesOutputs(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "projet")
	other := filepath.Join(root, "dossier")
	for name, data := range map[string]string{
		"projet/.cache/fetch/melodi/a.json": "{}",
		"projet/tpl/layout.html":            "x",
		"dossier/notes.txt":                 "mes notes",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	cfg := filepath.Join(project, "site.toml")
	for _, tt := range []struct{ output, extra, want string }{
		{other, "", `output folder ` + other + ` holds "notes.txt"`},
		{"../projet", "", "holds the site's own folder " + project},
		{"../..", "", "holds the site's own folder " + project},
		{".cache", "", "holds the fetch cache " + filepath.Join(project, ".cache/fetch")},
		{"tpl/public", "templates = \"tpl\"\n", "lies inside the templates folder " + filepath.Join(project, "tpl")},
	} {
		src := tt.extra + "output = \"" + tt.output + "\"\n[territories]\ndepartements = [\"975\"]\n"
		os.WriteFile(cfg, []byte(src), 0o644)
		before := snapshot(t, root)
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"build", "-config", cfg}, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("output = %q: error = %v, want %q", tt.output, err, tt.want)
		}
		after := snapshot(t, root)
		for name, data := range before {
			if after[name] != data {
				t.Errorf("output = %q: %s was changed or deleted", tt.output, name)
			}
		}
		if len(after) != len(before) {
			t.Errorf("output = %q: %d files, had %d", tt.output, len(after), len(before))
		}
	}
}
