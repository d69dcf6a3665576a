package fetch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// headerRecorder is a server that records the headers of every request
// it gets and answers a small JSON body.
type headerRecorder struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	h.mu.Unlock()
	io.WriteString(w, `{"ok":true}`)
}

func (h *headerRecorder) headers() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen
}

// TestCredentialsStayWithTheirHost: the API key header and the OAuth2
// bearer token reach the configured host, redirects on that host
// included, and never another host: not through a 302, not through a URL
// that points elsewhere (a next-page link in a hostile answer).
func TestCredentialsStayWithTheirHost(t *testing.T) {
	const apiKey, bearer = "key-s3cr3t", "tok-s3cr3t"
	other := &headerRecorder{}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()

	own := &headerRecorder{}
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/stolen", http.StatusFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/here", http.StatusMovedPermanently)
	})
	mux.Handle("/here", own)
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+bearer+`","token_type":"Bearer","expires_in":3600}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	apiKeyHost := func(t *testing.T) *Host {
		h := newTestHost(t, "insee", 1000)
		h.Header = http.Header{}
		h.Header.Set("X-INSEE-Api-Key-Integration", apiKey)
		return h
	}
	oauthHost := func(t *testing.T) *Host {
		h := newTestHost(t, "insee", 1000)
		cc := clientcredentials.Config{ClientID: "id", ClientSecret: "secret", TokenURL: srv.URL + "/token"}
		h.Client = cc.Client(context.Background())
		return h
	}
	tests := []struct {
		name    string
		host    func(*testing.T) *Host
		origins []string
		path    string // on srv, or a full URL
		header  string
		want    string
	}{
		{"API key, 302 to another host", apiKeyHost, nil, "/away", "X-Insee-Api-Key-Integration", apiKey},
		{"bearer, 302 to another host", oauthHost, nil, "/away", "Authorization", "Bearer " + bearer},
		{"API key, 302 to another host, origins set", apiKeyHost, []string{srv.URL + "/melodi"}, "/away", "X-Insee-Api-Key-Integration", apiKey},
		{"bearer, link to another host", oauthHost, []string{srv.URL + "/melodi"}, otherSrv.URL + "/page2", "Authorization", "Bearer " + bearer},
		{"API key, link to another host", apiKeyHost, []string{srv.URL + "/melodi"}, otherSrv.URL + "/page2", "X-Insee-Api-Key-Integration", apiKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.host(t)
			h.Origins = tt.origins
			e := newTestEngine(t, "", Options{})
			url := tt.path
			if strings.HasPrefix(url, "/") {
				url = srv.URL + url
			}
			before := len(other.headers())
			if _, err := e.Fetch(context.Background(), h, Request{URL: url}); err != nil {
				t.Fatal(err)
			}
			got := other.headers()
			if len(got) != before+1 {
				t.Fatalf("the other host got %d requests, want 1", len(got)-before)
			}
			for k, vs := range got[len(got)-1] {
				for _, v := range vs {
					if strings.Contains(v, "s3cr3t") {
						t.Errorf("the other host got %s: %s", k, v)
					}
				}
			}
			// The same host, through a redirect on it, still gets them.
			before = len(own.headers())
			if _, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/moved"}); err != nil {
				t.Fatal(err)
			}
			if got := own.headers(); len(got) != before+1 || got[len(got)-1].Get(tt.header) != tt.want {
				t.Errorf("the configured host got %s = %q, want %q", tt.header, got[len(got)-1].Get(tt.header), tt.want)
			}
		})
	}
}

// TestOrigin: one origin per scheme, host and port.
func TestOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"https://api.insee.fr/melodi", "https://API.insee.fr:443/donnees-locales", true},
		{"https://api.insee.fr/melodi", "http://api.insee.fr/melodi", false},
		{"https://api.insee.fr", "https://api.insee.fr.evil.test", false},
		{"https://api.insee.fr", "https://api.insee.fr:8443", false},
		{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080/y", true},
		{"http://[::1]/x", "http://[::1]:80/y", true},
	}
	for _, tt := range tests {
		a, b := mustParse(t, tt.a), mustParse(t, tt.b)
		if got := origin(a) == origin(b); got != tt.same {
			t.Errorf("origin(%q) == origin(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// trickleStep sends the headers, then one byte every interval for 3 s (a
// JSON body of spaces and a 0): a body that never stalls byte-wise. It
// ends, so that a client that does not cut it gets it whole.
func trickleStep(interval time.Duration) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		defer io.WriteString(w, "0")
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(interval):
			case <-r.Context().Done():
				return
			}
		}
	}
}

// TestTrickleIsCut: a body that trickles a byte at a time never stops
// bringing bytes, yet brings less than 16 KiB per stall timeout: it is cut
// and retried, and given up when it keeps trickling.
func TestTrickleIsCut(t *testing.T) {
	const body = `{"a":1}`
	tests := []struct {
		name  string
		steps []func(http.ResponseWriter, *http.Request)
		want  error // nil: the body is fetched
		calls int
	}{
		{"retried", []func(http.ResponseWriter, *http.Request){trickleStep(20 * time.Millisecond), okStep(body)}, nil, 2},
		{"given up", []func(http.ResponseWriter, *http.Request){trickleStep(20 * time.Millisecond)}, ErrStalled, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stepServer{steps: tt.steps}
			srv := httptest.NewServer(s)
			defer srv.Close()
			e := newTestEngine(t, "", Options{
				StallTimeout: 200 * time.Millisecond,
				Retry:        Retry{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond},
			})
			ent, err := e.Fetch(context.Background(), newTestHost(t, "test", 1000), Request{URL: srv.URL + "/x"})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := readBody(t, ent); got != body {
					t.Errorf("body %q, want %q", got, body)
				}
			} else if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), srv.URL+"/x") || !strings.Contains(err.Error(), "less than 16 KiB of body in 200ms") {
				t.Errorf("Fetch: %v, want %v naming the request and the rule", err, tt.want)
			}
			if got := s.count(); got != tt.calls {
				t.Errorf("%d calls, want %d", got, tt.calls)
			}
			if n := countTempFiles(t, e.Cache().Dir); n != 0 {
				t.Errorf("%d temporary files left, want 0", n)
			}
		})
	}
}

// TestBudgetEndsCallInFlight: with a stall timeout too long to help, the
// run's time budget ends a trickling call; nothing is cached, and the
// error is ErrBudget, which ends a run cleanly.
func TestBudgetEndsCallInFlight(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){trickleStep(20 * time.Millisecond)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := t.TempDir()
	e := newTestEngine(t, dir, Options{StallTimeout: time.Hour, Budget: Budget{Duration: 300 * time.Millisecond}})
	h := newTestHost(t, "test", 1000)
	_, err := e.Fetch(context.Background(), h, Request{URL: srv.URL + "/x"})
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("Fetch: %v, want ErrBudget", err)
	}
	if st := h.Stats(); st.Calls != 1 || st.Failures != 0 {
		t.Errorf("stats %+v, want 1 call and no failure", st)
	}
	if n, m := countEntries(t, dir), countTempFiles(t, dir); n != 0 || m != 0 {
		t.Errorf("%d entries and %d temporary files, want none", n, m)
	}
}

// TestMaxBody: an answer over the limit is refused while it streams,
// whether or not it announces its length, is not retried nor cached, and
// the error names the request and the limit.
func TestMaxBody(t *testing.T) {
	const limit = 64 << 10
	big := strings.Repeat("x", limit+1)
	tests := []struct {
		name string
		step func(http.ResponseWriter, *http.Request)
		ok   bool
	}{
		{"at the limit", statusStep(200, big[:limit]), true},
		{"announced", statusStep(200, big), false},
		{"streamed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			for range 40 { // 40 × 16 KiB, without Content-Length
				io.WriteString(w, big[:16<<10])
				w.(http.Flusher).Flush()
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){tt.step}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			dir := t.TempDir()
			e := newTestEngine(t, dir, Options{MaxBody: limit})
			ent, err := e.Fetch(context.Background(), newTestHost(t, "test", 1000), Request{URL: srv.URL + "/big"})
			if tt.ok {
				if err != nil || ent.Size != limit {
					t.Fatalf("Fetch: %v, want a body of %d bytes", err, limit)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), srv.URL+"/big") ||
				!strings.Contains(err.Error(), "64 KiB") || !strings.Contains(err.Error(), "max_body") {
				t.Errorf("Fetch: %v, want ErrTooLarge naming the request, 64 KiB and max_body", err)
			}
			if got := s.count(); got != 1 {
				t.Errorf("%d calls, want 1 (no retry)", got)
			}
			if n, m := countEntries(t, dir), countTempFiles(t, dir); n != 0 || m != 0 {
				t.Errorf("%d entries and %d temporary files, want none", n, m)
			}
		})
	}
	if e := newTestEngine(t, "", Options{}); e.MaxBody() != DefaultMaxBody || Size(e.MaxBody()).String() != "2 GiB" {
		t.Errorf("default MaxBody %d (%v), want 2 GiB", e.MaxBody(), Size(e.MaxBody()))
	}
}

// TestEmptyAnswerNotCached: an empty 200 is a damaged answer, retried.
func TestEmptyAnswerNotCached(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){statusStep(200, ""), okStep(`{}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{})
	ent, err := e.Fetch(context.Background(), newTestHost(t, "test", 1000), Request{URL: srv.URL + "/x"})
	if err != nil || readBody(t, ent) != `{}` || s.count() != 2 {
		t.Errorf("Fetch: %v after %d calls, want {} after 2", err, s.count())
	}
}

// TestHostileValidators: an ETag that is not a valid header value (from
// a tampered metadata file) is not sent, so revalidation still works.
func TestHostileValidators(t *testing.T) {
	s := &stepServer{steps: []func(http.ResponseWriter, *http.Request){okStep(`{"a":1}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newTestEngine(t, "", Options{})
	h := newTestHost(t, "test", 1000)
	req := Request{URL: srv.URL + "/x", Vintage: "1"}
	ent, err := e.Fetch(context.Background(), h, req)
	if err != nil {
		t.Fatal(err)
	}
	m := ent.Meta
	m.ETag = "\"v1\"\r\nX-Injected: 1"
	if _, err := e.Cache().Put(h.Name, req.key(), m, strings.NewReader(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	req.Vintage = "2"
	if _, err := e.Fetch(context.Background(), h, req); err != nil {
		t.Fatalf("revalidation with a hostile ETag: %v", err)
	}
	if got := s.seen[len(s.seen)-1].Header; got.Get("X-Injected") != "" || got.Get("If-None-Match") != "" {
		t.Errorf("request headers %v, want no If-None-Match and no injected header", got)
	}
}

// logBuffer captures warnings.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestTokenRequestStaysWithItsHost: the token endpoint cannot redirect the
// client secret to another host.
func TestTokenRequestStaysWithItsHost(t *testing.T) {
	other := &headerRecorder{}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	token := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer token.Close()
	api := httptest.NewServer(&headerRecorder{})
	defer api.Close()

	cfg := Defaults()
	env := map[string]string{EnvClientID: "id", EnvClientSecret: "s3cr3t", EnvTokenURL: token.URL, EnvMelodiURL: api.URL}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	h, err := cfg.inseeHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, "", Options{Retry: Retry{Attempts: 1}})
	if _, err := e.Fetch(context.Background(), h, Request{URL: api.URL + "/x"}); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("Fetch with a redirecting token endpoint: %v, want an error saying it redirects to another host", err)
	}
	if n := len(other.headers()); n != 0 {
		t.Errorf("the other host got %d token requests, want 0", n)
	}
}
