package fetch

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The parsers of what a server or a cache file says, fuzzed: none may
// panic, loop, or accept what could make the engine misbehave. Seeds are
// below and in testdata/fuzz; run one with
// go test ./fetch -run '^$' -fuzz FuzzRetryAfter -fuzztime 30s.

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "7", "-1", "0", "soon", "99999999999999999999", "9223372036",
		"Mon, 05 Jan 2026 10:00:30 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", " 12 ", "1.5", "+3"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := retryAfter(v, now); d < 0 || d > maxRetryAfter {
			t.Errorf("retryAfter(%q) = %v, want 0 to %v", v, d, maxRetryAfter)
		}
	})
}

// FuzzCacheMeta writes arbitrary metadata where a cache entry's belongs:
// Lookup must not panic, and an entry it accepts names a regular file of
// the entry's directory whose content has the stored digest.
func FuzzCacheMeta(f *testing.F) {
	const sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // "abc"
	c := &Cache{Dir: f.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	dir, meta := c.paths("h", "k")
	name := strings.TrimSuffix(filepath.Base(meta), ".json")
	good := `{"key":"k","url":"http://x/","status":200,"size":3,"sha256":"` + sha + `","body":"` + name + `-` + sha[:16] + `.body"}`
	for _, s := range []string{good, "", "{", "null", "[]", `{"key":"k"}`,
		strings.Replace(good, name+"-", "../../", 1), strings.Replace(good, `"size":3`, `"size":-3`, 1),
		strings.Replace(good, `"status":200`, `"status":1e300`, 1), strings.Replace(good, sha, "../../../etc", 1)} {
		f.Add([]byte(s))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+sha[:16]+".body"), []byte("abc"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(meta, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ent, err := c.Lookup("h", "k")
		if err != nil || ent == nil {
			return
		}
		if ent.Body != filepath.Base(ent.Body) || !strings.HasPrefix(ent.Body, name+"-") || ent.Size != 3 || ent.SHA256 != sha {
			t.Errorf("Lookup accepted %q: body %q, size %d, sha256 %q", b, ent.Body, ent.Size, ent.SHA256)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"2GiB", "500 MB", "1.5KiB", "0", "", ".", "1e9", "99999999999999999999TiB", "NaN", "Inf", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := parseSize(s); err == nil && (n < 0 || n >= 1<<62) {
			t.Errorf("parseSize(%q) = %d, want 0 to 2^62", s, n)
		}
	})
}

func FuzzDuration(f *testing.F) {
	for _, s := range []string{"60s", "60", "1m30s", "", "-5s", "1e3", "9999999999h", "0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Duration
		if err := d.UnmarshalText([]byte(s)); err == nil && strings.TrimSpace(s) != "0" {
			if _, nerr := time.ParseDuration(strings.TrimSpace(s)); nerr != nil {
				t.Errorf("UnmarshalText(%q) accepted what time.ParseDuration refuses", s)
			}
		}
	})
}
