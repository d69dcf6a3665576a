package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckNesting(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	tests := []struct {
		name, src string
		line      int // 0: accepted
	}{
		{"site", "title = \"a [b] {c}\" # [[[\n[territories]\ndepartements = [\"69\"]\n", 0},
		{"nested at the limit", "x = " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), 0},
		{"arrays too deep", "title = \"t\"\nx = " + deep, 2},
		{"inline tables too deep", "x = " + strings.Repeat("{a = ", MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), 1},
		{"a dotted key too long", "\n\n" + strings.Repeat("a.", MaxDepth) + "a = 1", 3},
		{"a header too long", "[" + strings.Repeat("a.", MaxDepth) + "a]\n", 1},
		{"array of tables header", "[[a.b]]\nx = 1\n[[a.b]]\n", 0},
		{"brackets in strings", "x = \"" + deep + "\"\ny = '" + deep + "'\nz = \"\"\"\n" + deep + "\n\"\"\"\n", 0},
		{"brackets in comments", "# " + deep + "\n", 0},
		{"after a multi-line string", "z = '''\n\n'''\nx = " + deep, 4},
		{"escaped quote", `x = "\"[[[" ` + "\ny = " + deep, 2},
		{"multi-line array", "x = [\n  [1],\n  [2],\n]\n", 0},
		{"decimal numbers", "x = [1.5, 2.5]\n", 0},
	}
	for _, tt := range tests {
		line, err := checkNesting(tt.src)
		if (err != nil) != (tt.line != 0) || line != tt.line {
			t.Errorf("%s: checkNesting = %d, %v; want line %d", tt.name, line, err, tt.line)
		}
	}
}

func TestParseLimits(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"deep arrays", "title = \"t\"\nx = " + strings.Repeat("[", 1_000_000), "site.toml:2: nested deeper than 32 levels"},
		{"too big", strings.Repeat("# filler\n", MaxSize/9+1), fmt.Sprintf("site.toml: %d bytes, more than the 1048576", (MaxSize/9+1)*9)},
	} {
		_, err := Parse("site.toml", tt.src, noenv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// manyTables is a site.toml of n unknown tables.
func manyTables(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[t%d]\n", i)
	}
	return b.String()
}

func TestManyUnknownTables(t *testing.T) {
	_, err := Parse("site.toml", manyTables(20000), noenv)
	if err == nil {
		t.Fatal("20,000 unknown tables accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, `site.toml:1: unknown key "t0"`) || !strings.Contains(msg, "and 19990 more unknown keys") {
		t.Errorf("error = %.300s, want the first keys with their lines and a count of the others", msg)
	}
	if n := strings.Count(msg, "\n"); n > 11 {
		t.Errorf("error has %d lines, want at most 11", n)
	}
}

// BenchmarkParseManyTables measures a site.toml of 20,000 tables (it was
// quadratic: 24 s).
func BenchmarkParseManyTables(b *testing.B) {
	src := manyTables(20000)
	for b.Loop() {
		Parse("site.toml", src, noenv)
	}
}

func TestLoadContext(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.toml")
	os.WriteFile(big, []byte(strings.Repeat("#\n", MaxSize)), 0o644)
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), big+": 2097152 bytes, more than the 1048576") {
		t.Errorf("Load(big) error = %v, want it to name the file and its size", err)
	}
	ok := filepath.Join(dir, "site.toml")
	os.WriteFile(ok, []byte("title = \"t\"\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadContext(ctx, ok); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), ok) {
		t.Errorf("LoadContext(cancelled) error = %v, want context.Canceled naming the file", err)
	}

	// A signal during a decoding that never ends: the load returns.
	release := make(chan struct{})
	defer close(release)
	parse = func(file, src string, getenv func(string) string) (*Site, error) {
		<-release
		return nil, nil
	}
	defer func() { parse = Parse }()
	ctx, cancel = context.WithCancel(context.Background())
	go cancel()
	if _, err := LoadContext(ctx, ok); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadContext(cancelled while decoding) error = %v, want context.Canceled", err)
	}
	parse = Parse
	if _, err := LoadContext(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("LoadContext(folder) error = %v", err)
	}
}
