package fetch

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheKnowsItself damages a cached entry in every way a disk, a
// killed tool or a hostile hand could: the entry is reported (a warning
// naming it), counts as missing, and is fetched again; no file outside the
// cache is read or removed.
func TestCacheKnowsItself(t *testing.T) {
	const body = `{"observations":[1,2,3]}`
	outside := filepath.Join(t.TempDir(), "outside.body")
	if err := os.WriteFile(outside, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	editMeta := func(field string, value any) func(t *testing.T, meta, body string) {
		return func(t *testing.T, meta, _ string) {
			var m map[string]any
			b, _ := os.ReadFile(meta)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m[field] = value
			b, _ = json.Marshal(m)
			if err := os.WriteFile(meta, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeBody := func(content string) func(t *testing.T, meta, body string) {
		return func(t *testing.T, _, body string) {
			if err := os.WriteFile(body, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		damage  func(t *testing.T, meta, body string)
		problem string // in the warning
	}{
		{"same size, altered", writeBody(strings.Replace(body, "1", "9", 1)), "sha256"},
		{"truncated", writeBody(body[:10]), "truncated"},
		{"empty body", writeBody(""), "truncated"},
		{"body missing", func(t *testing.T, _, body string) { os.Remove(body) }, "no such file"},
		{"empty metadata", func(t *testing.T, meta, _ string) { os.WriteFile(meta, nil, 0o644) }, "empty metadata"},
		{"broken metadata", func(t *testing.T, meta, _ string) { os.WriteFile(meta, []byte(`{"key":`), 0o644) }, "does not decode"},
		{"body ../", editMeta("body", "../../../"+filepath.Base(outside)), "want"},
		{"body absolute", editMeta("body", outside), "want"},
		{"size 0", editMeta("size", 0), "0 bytes"},
		{"another key", editMeta("key", "GET elsewhere"), "another request"},
		{"bad digest", editMeta("sha256", "../../x"), "hexadecimal"},
		{"symlink out", func(t *testing.T, _, body string) {
			os.Remove(body)
			if err := os.Symlink(outside, body); err != nil {
				t.Skip("no symbolic links here:", err)
			}
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(body)}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			dir := t.TempDir()
			log, warnings := logBuffer()
			e := newTestEngine(t, dir, Options{Logger: log})
			h := newTestHost(t, "test", 1000)
			req := Request{URL: srv.URL + "/x", Vintage: "1"}
			ent, err := e.Fetch(context.Background(), h, req)
			if err != nil {
				t.Fatal(err)
			}
			_, meta := e.Cache().paths(h.Name, req.key())
			tt.damage(t, meta, filepath.Join(filepath.Dir(meta), ent.Body))

			// A new run: nothing remembered from the first.
			e2 := newTestEngine(t, dir, Options{Logger: log})
			if got, err := e2.Lookup(h, req); got != nil || err != nil {
				t.Errorf("Lookup of the damaged entry = %v, %v, want nil, nil", got, err)
			}
			if w := warnings.String(); !strings.Contains(w, "WARN") || !strings.Contains(w, meta) || !strings.Contains(w, tt.problem) {
				t.Errorf("warnings %q, want one naming %s and %q", w, meta, tt.problem)
			}
			if cached, _ := e2.Cached(h, req); cached {
				t.Errorf("Cached = true, want false: a plan must count the call")
			}
			ent, err = e2.Fetch(context.Background(), h, req)
			if err != nil || ent.Origin != FromNetwork || readBody(t, ent) != body {
				t.Fatalf("Fetch after the damage: %v, %v, want the body from the network", ent, err)
			}
			if got := s.count(); got != 2 {
				t.Errorf("%d calls, want 2", got)
			}
			if ent, _ := e2.Lookup(h, req); ent == nil || readBody(t, ent) != body {
				t.Errorf("the entry was not repaired")
			}
			if b, err := os.ReadFile(outside); err != nil || string(b) != body {
				t.Errorf("the file outside the cache was touched: %q, %v", b, err)
			}
		})
	}
}

// TestCacheVerifiesOncePerProcess: a verified body is not hashed again
// while it keeps its size and modification time; a change is noticed.
func TestCacheVerifiesOncePerProcess(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	ent, err := c.Put("h", "k", Meta{URL: "http://x/", Status: 200}, strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ent.dir, ent.Body)
	if _, ok := c.checked.Load(path); !ok {
		t.Errorf("a body just written is not recorded as verified")
	}
	c2 := &Cache{Dir: dir}
	if got, _ := c2.Lookup("h", "k"); got == nil {
		t.Fatal("Lookup of a sound entry = nil")
	}
	if _, ok := c2.checked.Load(path); !ok {
		t.Errorf("a body verified by Lookup is not recorded")
	}
	os.WriteFile(path, []byte("abd"), 0o644) // same size
	later := time.Now().Add(time.Hour)       // a new mtime, whatever the file system's resolution
	os.Chtimes(path, later, later)
	if got, _ := c2.Lookup("h", "k"); got != nil {
		t.Errorf("Lookup after an alteration = %v, want nil", got)
	}
}

// BenchmarkLookup measures what verifying a 64 MiB body costs: the first
// Lookup of a process hashes it (cold), later ones only stat it (warm).
func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	c := &Cache{Dir: dir}
	body := strings.Repeat("0123456789abcdef", 4<<20) // 64 MiB
	if _, err := c.Put("h", "k", Meta{Status: 200}, strings.NewReader(body)); err != nil {
		b.Fatal(err)
	}
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if ent, _ := (&Cache{Dir: dir}).Lookup("h", "k"); ent == nil {
				b.Fatal("no entry")
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			if ent, _ := c.Lookup("h", "k"); ent == nil {
				b.Fatal("no entry")
			}
		}
	})
}
