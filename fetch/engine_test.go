package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stepServer is a handler that answers each call with the next step, then with
// the last step forever, and counts calls.
type stepServer struct {
	mu    sync.Mutex
	steps []func(w http.ResponseWriter, r *http.Request)
	calls int
	seen  []*http.Request
}

func (s *stepServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := min(s.calls, len(s.steps)-1)
	s.calls++
	s.seen = append(s.seen, r.Clone(context.Background()))
	step := s.steps[i]
	s.mu.Unlock()
	step(w, r)
}

func (s *stepServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func okStep(body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 05 Jan 2026 10:00:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, body)
	}
}

func statusStep(code int, body string, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func truncatedStep(body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
}

func stalledStep(body string, d time.Duration) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body[:len(body)/2])
		w.(http.Flusher).Flush()
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, body[len(body)/2:])
	}
}

func validJSONBody(_ int, r io.Reader) error {
	var v any
	return json.NewDecoder(r).Decode(&v)
}

func readBody(t *testing.T, ent *Entry) string {
	t.Helper()
	f, err := ent.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCache follows pkgsite's TestCache: once answered, a request is served
// by the cache even with the server gone.
func TestCache(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{"a":1}`)}}
	srv := httptest.NewServer(s)
	dir := t.TempDir()
	e := newTestEngine(t, dir, Options{})
	h := newTestHost(t, "test", 1000)
	req := Request{URL: srv.URL + "/x", Vintage: "2023", Validate: validJSONBody}

	ent, err := e.Fetch(context.Background(), h, req)
	if err != nil {
		t.Fatal(err)
	}
	if ent.Origin != FromNetwork || readBody(t, ent) != `{"a":1}` {
		t.Fatalf("first Fetch: origin %d body %q, want network and {\"a\":1}", ent.Origin, readBody(t, ent))
	}
	srv.Close()

	e2 := newTestEngine(t, dir, Options{}) // a new run on the same cache
	ent, err = e2.Fetch(context.Background(), h, req)
	if err != nil {
		t.Fatalf("Fetch with the server closed: %v", err)
	}
	if ent.Origin != FromCache || readBody(t, ent) != `{"a":1}` {
		t.Errorf("cached Fetch: origin %d body %q, want cache and {\"a\":1}", ent.Origin, readBody(t, ent))
	}
	if got := s.count(); got != 1 {
		t.Errorf("server calls = %d, want 1", got)
	}
	if st := e2.Stats(); st.Calls != 0 || st.CacheHits != 1 {
		t.Errorf("stats = %+v, want 0 calls and 1 cache hit", st)
	}
}

// TestVintageAndRevalidate: a new vintage refetches with a conditional
// request; a 304 keeps the body.
func TestVintageAndRevalidate(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{"a":1}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{})
	h := newTestHost(t, "test", 1000)
	ctx := context.Background()
	req := Request{URL: srv.URL + "/x", Vintage: "2023"}
	if _, err := e.Fetch(ctx, h, req); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		vintage    string
		revalidate bool
		origin     Origin
		calls      int
	}{
		{"same vintage", "2023", false, FromCache, 1},
		{"revalidate", "2023", true, FromNotModified, 2},
		{"new vintage", "2024", false, FromNotModified, 3},
		{"new vintage recorded", "2024", false, FromCache, 3},
	}
	for _, tt := range tests {
		req.Vintage, req.Revalidate = tt.vintage, tt.revalidate
		ent, err := e.Fetch(ctx, h, req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ent.Origin != tt.origin || s.count() != tt.calls || readBody(t, ent) != `{"a":1}` {
			t.Errorf("%s: origin %d, calls %d, want origin %d, calls %d", tt.name, ent.Origin, s.count(), tt.origin, tt.calls)
		}
	}
	if got := s.seen[1].Header.Get("If-None-Match"); got != `"v1"` {
		t.Errorf("If-None-Match = %q, want \"v1\"", got)
	}
	if got := s.seen[1].Header.Get("If-Modified-Since"); got == "" {
		t.Errorf("If-Modified-Since is empty, want the cached Last-Modified")
	}
}

// TestFetchStops: 400, 401, 403 and a plain 404 are not retried, and the
// error names the request and wraps the sentinel.
func TestFetchStops(t *testing.T) {
	tests := []struct {
		code int
		want error
	}{
		{400, ErrBadRequest},
		{401, ErrUnauthorized},
		{403, ErrForbidden},
		{404, ErrNotFound},
		{418, ErrStatus},
	}
	for _, tt := range tests {
		s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){statusStep(tt.code, `{"message":"nope"}`)}}
		srv := httptest.NewServer(s)
		e := newTestEngine(t, "", Options{})
		url := srv.URL + "/donnees/geo-X@Y/COM-1.all"
		_, err := e.Fetch(context.Background(), newTestHost(t, "test", 1000), Request{URL: url})
		srv.Close()
		if !errors.Is(err, tt.want) {
			t.Errorf("status %d: error %v, want %v", tt.code, err, tt.want)
		}
		if err != nil && (!strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), strconv.Itoa(tt.code))) {
			t.Errorf("status %d: error %q does not name the request and status", tt.code, err)
		}
		if got := s.count(); got != 1 {
			t.Errorf("status %d: %d calls, want 1 (no retry)", tt.code, got)
		}
	}
}

// TestFetchRetries: every transient failure is retried and the answer kept.
func TestFetchRetries(t *testing.T) {
	const body = `{"observations":[1,2,3,4,5,6,7,8,9,10]}`
	tests := []struct {
		name string
		fail func(http.ResponseWriter, *http.Request)
	}{
		{"429 with Retry-After", statusStep(429, `{"message":"Too Many Requests"}`, "Retry-After", "0")},
		{"500", statusStep(500, "Le serveur a rencontré une erreur inattendue.")},
		{"502", statusStep(502, "bad gateway")},
		{"503", statusStep(503, "")},
		{"truncated body", truncatedStep(body)},
		{"invalid JSON", statusStep(200, `{"observations":[<html>`)},
		{"stalled body", stalledStep(body, 2*time.Second)},
		{"slow headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){tt.fail, tt.fail, okStep(body)}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			e := newTestEngine(t, "", Options{StallTimeout: 200 * time.Millisecond})
			h := newTestHost(t, "test", 1000)
			ent, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/x", Validate: validJSONBody})
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if got := readBody(t, ent); got != body {
				t.Errorf("body %q, want %q", got, body)
			}
			if st := h.Stats(); st.Calls != 3 || st.Retries != 2 {
				t.Errorf("stats %+v, want 3 calls and 2 retries", st)
			}
			if n := countTempFiles(t, e.Cache().Dir); n != 0 {
				t.Errorf("%d temporary files left in the cache, want 0", n)
			}
		})
	}
}

func countTempFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tmpPrefix) {
			n++
		}
		return nil
	})
	return n
}

func TestFetchGivesUp(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){statusStep(500, "boom")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{Retry: Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	_, err := e.Fetch(context.Background(), newTestHost(t, "test", 1000), Request{URL: srv.URL + "/x"})
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("error %v, want ErrServer after 3 attempts", err)
	}
	if got := s.count(); got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
}

// TestRateLimitPausesHost: a 429 pauses every worker of the host, for as
// long as Retry-After or the host's RateHint says.
func TestRateLimitPausesHost(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){
		statusStep(429, `{"error_code":"TooManyRequests","reset_time":"soon"}`), okStep(`{}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{Retry: Retry{Attempts: 3, Base: time.Millisecond, Max: time.Second}})
	h := newTestHost(t, "test", 1000)
	var hinted atomic.Int32
	h.RateHint = func(status int, _ http.Header, body []byte) time.Duration {
		if status == 429 && bytes.Contains(body, []byte("reset_time")) {
			hinted.Add(1)
			return 300 * time.Millisecond
		}
		return 0
	}
	start := time.Now()
	if _, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/x"}); err != nil {
		t.Fatal(err)
	}
	if hinted.Load() != 1 {
		t.Errorf("RateHint saw the 429 body %d times, want 1", hinted.Load())
	}
	// Another request on the same host, made now, waits for the pause too.
	if _, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/y"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("two calls after a 429 with a 300 ms hint took %v, want ≥ 300 ms", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{"Mon, 05 Jan 2026 10:00:30 GMT", 30 * time.Second},
		{"Mon, 05 Jan 2026 09:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestKeepStatus: DDL's 404 "Aucune cellule" is data: cached, not retried.
func TestKeepStatus(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){statusStep(404, `{"message":"Aucune cellule ne correspond a la requête"}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{})
	h := newTestHost(t, "insee", 1000)
	h.KeepStatus = ddlKeepStatus
	for range 2 {
		ent, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/x", Vintage: "POPLEG2021"})
		if err != nil {
			t.Fatal(err)
		}
		if ent.Status != 404 {
			t.Errorf("entry status %d, want 404", ent.Status)
		}
	}
	if got := s.count(); got != 1 {
		t.Errorf("%d calls, want 1", got)
	}
}

// TestBudgetCalls: a run stops cleanly after its calls, and the next run
// resumes without asking again what was answered.
func TestBudgetCalls(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := t.TempDir()
	reqs := func(yield func(Request) bool) {
		for i := range 10 {
			if !yield(Request{URL: fmt.Sprintf("%s/r%d", srv.URL, i)}) {
				return
			}
		}
	}
	fetched := 0
	var mu sync.Mutex
	handle := func(_ Request, _ *Entry, err error) error {
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			fetched++
		}
		return err
	}
	e := newTestEngine(t, dir, Options{Budget: Budget{Calls: 4}, Workers: 2})
	err := e.FetchAll(context.Background(), newTestHost(t, "test", 1000), reqs, handle)
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("FetchAll with a budget of 4 calls: %v, want ErrBudget", err)
	}
	if got := s.count(); got != 4 || fetched != 4 || countEntries(t, dir) != 4 {
		t.Errorf("server calls %d, fetched %d, entries %d, want 4 each", got, fetched, countEntries(t, dir))
	}
	e2 := newTestEngine(t, dir, Options{})
	if err := e2.FetchAll(context.Background(), newTestHost(t, "test", 1000), reqs, handle); err != nil {
		t.Fatal(err)
	}
	if got := s.count(); got != 10 {
		t.Errorf("server calls after resuming %d, want 10", got)
	}
}

func TestBudgetDuration(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{Budget: Budget{Duration: 300 * time.Millisecond}})
	h := newTestHost(t, "test", 10) // 9 calls a second: 3 fit in the budget
	reqs := func(yield func(Request) bool) {
		for i := range 100 {
			if !yield(Request{URL: fmt.Sprintf("%s/r%d", srv.URL, i)}) {
				return
			}
		}
	}
	err := e.FetchAll(context.Background(), h, reqs, func(_ Request, _ *Entry, err error) error { return err })
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("FetchAll: %v, want ErrBudget", err)
	}
	if got := s.count(); got < 1 || got > 4 {
		t.Errorf("%d calls within 300 ms at 9 a second, want 1 to 4", got)
	}
}

// TestCancel: cancelling stops waiting workers and in-flight calls.
func TestCancel(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){stalledStep(`{"a":"bbbbbbbb"}`, time.Hour)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{Workers: 3})
	ctx, cancel := context.WithCancel(context.Background())
	reqs := func(yield func(Request) bool) {
		for i := range 50 {
			if !yield(Request{URL: fmt.Sprintf("%s/r%d", srv.URL, i)}) {
				return
			}
		}
	}
	done := make(chan error)
	go func() {
		done <- e.FetchAll(ctx, newTestHost(t, "test", 1000), reqs, func(_ Request, _ *Entry, err error) error { return err })
	}()
	for s.count() < 3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("FetchAll after cancel: %v, want context.Canceled", err)
	}
	if n := countTempFiles(t, e.Cache().Dir); n != 0 {
		t.Errorf("%d temporary files left, want 0", n)
	}
}

// TestNoSecretInCache: credentials ride on headers and never reach disk.
func TestNoSecretInCache(t *testing.T) {
	const key = "s3cr3t-api-key"
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("X-INSEE-Api-Key-Integration"))
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	e := newTestEngine(t, dir, Options{})
	h := newTestHost(t, "insee", 1000)
	h.Header = http.Header{}
	h.Header.Set("X-INSEE-Api-Key-Integration", key)
	if _, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/x"}); err != nil {
		t.Fatal(err)
	}
	if got.Load() != key {
		t.Fatalf("server got key %q, want %q", got.Load(), key)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(key)) {
			t.Errorf("%s holds the API key", path)
		}
		return nil
	})
}

// TestCorruptEntry: a metadata file that does not decode, or a body of the
// wrong size, is no entry: the request is made again.
func TestCorruptEntry(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{"a":1}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := t.TempDir()
	log, warnings := logBuffer()
	e := newTestEngine(t, dir, Options{Logger: log})
	h := newTestHost(t, "test", 1000)
	req := Request{URL: srv.URL + "/x"}
	ent, err := e.Fetch(context.Background(), h, req)
	if err != nil {
		t.Fatal(err)
	}
	_, meta := e.Cache().paths("test", req.key())
	os.WriteFile(filepath.Join(filepath.Dir(meta), ent.Body), []byte("{"), 0o644)
	if ent, err = e.Fetch(context.Background(), h, req); err != nil || ent.Origin != FromNetwork {
		t.Errorf("Fetch over a damaged body: origin %v, err %v, want a new call", ent, err)
	}
	os.WriteFile(meta, []byte("{not json"), 0o644)
	if ent, err = e.Fetch(context.Background(), h, req); err != nil || ent.Origin != FromNetwork {
		t.Errorf("Fetch over damaged metadata: origin %v, err %v, want a new call", ent, err)
	}
	if n := strings.Count(warnings.String(), "damaged cache entry"); n != 2 {
		t.Errorf("%d warnings, want 2 (one per damage):\n%s", n, warnings)
	}
}

// TestOpenCacheCleansStaleTemp: temporary files of a run killed long ago
// are removed; those of a run in progress are not.
func TestOpenCacheCleansStaleTemp(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "insee", "ab")
	os.MkdirAll(sub, 0o755)
	stale, fresh := filepath.Join(sub, tmpPrefix+"1"), filepath.Join(sub, tmpPrefix+"2")
	os.WriteFile(stale, []byte("x"), 0o644)
	os.WriteFile(fresh, []byte("x"), 0o644)
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	if _, err := OpenCache(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file: %v, want removed", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file: %v, want kept", err)
	}
}
