package melodi

import (
	"context"
	"os"
	"strings"
	"territoires/fetch"
	"testing"

	"territoires/fetch/melodi/meloditest"
	"territoires/geo"
)

// TestFullFranceCalls measures the calls of a full refresh of France with
// each client against the fake, at an unlimited quota. It takes a minute
// or two and several hundred MB, so it runs only when
// TERRITOIRES_FULL_FRANCE=1.
func TestFullFranceCalls(t *testing.T) {
	if os.Getenv("TERRITOIRES_FULL_FRANCE") == "" {
		t.Skip("set TERRITOIRES_FULL_FRANCE=1 to measure a full refresh of France")
	}
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	for _, mode := range []string{"level", "parent"} {
		cfg := inseeConfig(t, srv.MelodiURL)
		cfg.MelodiGeo = mode
		cfg.Workers = 2
		var out strings.Builder
		before := srv.Stats().Calls
		sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Out: &out})
		if err != nil {
			t.Fatalf("melodi %s: %v", mode, err)
		}
		again, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Plan: true, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("melodi by %s: %d calls made (server saw %d); plan before %d (estimated %v), plan after %d calls, %d cached\n%s",
			mode, sum.Stats.Calls, srv.Stats().Calls-before, sum.Plans[0].Calls, sum.Plans[0].Estimated, again.Plans[0].Calls, again.Plans[0].Cached, out.String())
		if mode == "level" && sum.Stats.Calls > 500 {
			t.Errorf("melodi by level: %d calls, want ≤ 500", sum.Stats.Calls)
		}
	}
	cfg := inseeConfig(t, srv.MelodiURL)
	cfg.Source = "ddl"
	var out strings.Builder
	sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Plan: true, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Quota, cfg.Margin, cfg.Window = 30, 1, 60e9
	sum2, _ := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Plan: true, Out: &out})
	t.Logf("ddl: %d calls, %s at 29 a minute\n%s", sum.Plans[0].Calls, sum2.Plans[0].Duration(), out.String())
}
