package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputMayNotOverlapOwnFolders(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "projet")
	for _, d := range []string{"tpl", "res", ".cache/fetch"} {
		if err := os.MkdirAll(filepath.Join(project, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(project, filepath.Join(root, "lien")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(project, "site.toml")
	tests := []struct {
		name, toml string
		want       []string // each must appear in the error
	}{
		{"the project itself", `output = "../projet"`, []string{"site.toml:1:", `"../projet"`, "holds the site's own folder " + project}},
		{"the project's parent", "title = \"t\"\noutput = \"../..\"", []string{"site.toml:2:", `"../.."`, "holds the site's own folder " + project}},
		{"the project through a link", `output = "../lien"`, []string{`"../lien"`, "holds the site's own folder " + project}},
		{"the fetch cache", `output = ".cache"`, []string{`".cache"`, "holds the fetch cache " + filepath.Join(project, ".cache/fetch")}},
		{"inside the fetch cache", `output = ".cache/fetch/site"`, []string{"lies inside the fetch cache"}},
		{"a moved cache", "output = \"public\"\n[fetch]\ncache_dir = \"public/cache\"\n", []string{"site.toml:1:", "holds the fetch cache " + filepath.Join(project, "public/cache")}},
		{"inside the templates", "templates = \"tpl\"\noutput = \"tpl/out\"\n", []string{"site.toml:2:", "lies inside the templates folder " + filepath.Join(project, "tpl")}},
		{"holding the assets", "assets = \"public/res\"\noutput = \"public\"\n", []string{"holds the assets folder " + filepath.Join(project, "public/res")}},
		{"the file system root", `output = "/"`, []string{"site.toml:1: output:"}},
	}
	for _, tt := range tests {
		_, err := Parse(file, tt.toml, noenv)
		if err == nil {
			t.Errorf("%s: Parse(%q) succeeded, want an error", tt.name, tt.toml)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), strings.Replace(w, "site.toml", file, 1)) {
				t.Errorf("%s: error = %v, want it to contain %q", tt.name, err, w)
			}
		}
	}
	for _, ok := range []string{`output = "public"`, `output = "../elsewhere"`, "templates = \"tpl\"\noutput = \"out\"\n"} {
		if _, err := Parse(file, ok, noenv); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
}

func TestWithin(t *testing.T) {
	for _, tt := range []struct {
		p, dir string
		want   bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/a", "/a/b", false},
		{"/ab", "/a", false}, {"/a/../c", "/a", false}, {"/a/..b", "/a", true},
	} {
		if got := within(filepath.Clean(tt.p), tt.dir); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.p, tt.dir, got, tt.want)
		}
	}
}
