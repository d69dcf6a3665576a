package ddl

import (
	"context"
	"errors"
	"territoires/fetch"
	"testing"
	"time"

	"territoires/fetch/ddl/ddltest"
)

// TestQuotaAgainstFake runs the DDL client (one call per territory and
// cube: plenty of calls) against the fake gateway, which enforces the quota
// with 429s over a sliding window, for two windows. The window is 5 s
// instead of 60 s so that the test takes seconds; the limiter does not
// depend on the window's length. Calls are spaced by window/49 = 102 ms:
// the margin of one call absorbs up to that much jitter between the
// client's clock and the server's (2 s at INSEE's 30 a minute).
//
// It checks that the server never saw more calls than the quota in any
// window, never had to refuse one, and that the pool kept above 95 % of the
// quota. The rate check is on what the server saw over the whole run, not
// on how fast anything was.
func TestQuotaAgainstFake(t *testing.T) {
	// The margin is what absorbs the scheduling delays of a loaded machine
	// between the client's send and the fake's arrival: 4 % of a 10 s
	// window is 0.4 s, enough under "go test ./..." on 2 busy cores, while
	// the pool still sustains 96 % of the quota.
	const (
		quota  = 100
		margin = 4
		window = 10 * time.Second
		run    = 2 * window
	)
	ref := testRef(t)
	srv := ddltest.New(ddltest.Options{Ref: ref, Quota: quota, Window: window})
	defer srv.Close()

	cfg := inseeConfig(t, srv.DDLURL)
	cfg.Source = "ddl"
	h, err := cfg.WithDefaults().INSEEHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.Limiter, _ = fetch.NewLimiter(quota, margin, window)
	d, err := NewDDL(cfg.WithDefaults(), ref, h)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, cfg.CacheDir, fetch.Options{Workers: 8, Budget: fetch.Budget{Duration: run}})
	if err := d.Fetch(context.Background(), e); !errors.Is(err, fetch.ErrBudget) {
		t.Fatalf("Fetch under a budget of %v: %v, want fetch.ErrBudget", run, err)
	}

	st := srv.Stats()
	if st.MaxInWindow > quota {
		t.Errorf("the server saw %d calls in one %v window, want ≤ %d", st.MaxInWindow, window, quota)
	}
	if st.Rejected != 0 {
		t.Errorf("the server refused %d calls over the quota, want 0", st.Rejected)
	}
	arr := srv.Arrivals()
	if len(arr) < 2 {
		t.Fatalf("%d calls, want many", len(arr))
	}
	perWindow := float64(len(arr)-1) / arr[len(arr)-1].Sub(arr[0]).Seconds() * window.Seconds()
	t.Logf("%d calls in %v: %.1f calls per %v window for a quota of %d (%.1f %%)",
		len(arr), arr[len(arr)-1].Sub(arr[0]).Round(time.Millisecond), perWindow, window, quota, 100*perWindow/quota)
	if perWindow < 0.95*quota {
		t.Errorf("sustained %.1f calls per window, want ≥ 95 %% of the quota (%d)", perWindow, quota)
	}
	if got, want := e.Stats().Calls, int64(len(arr)); got != want {
		t.Errorf("engine counted %d calls, the server saw %d", got, want)
	}
}
