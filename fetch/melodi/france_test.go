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
// each client against the fake, at an unlimited quota: MELODI by file (the
// default, at most 40 calls) and by pages. It takes a minute
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
	paged := meloditest.New(meloditest.Options{Ref: ref, NoFile: Datasets()})
	defer paged.Close()
	for _, mode := range []struct {
		name string
		srv  *meloditest.Server
	}{{"file", srv}, {"pages by level", paged}} {
		cfg := inseeConfig(t, mode.srv.MelodiURL)
		cfg.Workers = 2
		var out strings.Builder
		before := mode.srv.Stats().Calls
		sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Out: &out})
		if err != nil {
			t.Fatalf("melodi by %s: %v", mode.name, err)
		}
		again, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Plan: true, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("melodi by %s: %d calls made (server saw %d); plan before %d (estimated %v), plan after %d calls, %d cached\n%s",
			mode.name, sum.Stats.Calls, mode.srv.Stats().Calls-before, sum.Plans[0].Calls, sum.Plans[0].Estimated, again.Plans[0].Calls, again.Plans[0].Cached, out.String())
		if mode.srv == srv && sum.Stats.Calls > 40 {
			t.Errorf("melodi by file: %d calls, want ≤ 40", sum.Stats.Calls)
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
