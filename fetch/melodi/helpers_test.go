package melodi

import (
	"strconv"
	"testing"

	"territoires/fetch"
	"territoires/fetch/fetchtest"
	"territoires/geo"
	"territoires/indicator"
)

// The helpers shared with the other INSEE client live in fetch/fetchtest;
// these names keep the tests short.

func testRef(t testing.TB) *geo.Referential { return fetchtest.Ref69(t, "../testdata/ref69.tsv") }

// inseeConfig is a configuration for tests against a fake server.
func inseeConfig(t testing.TB, melodiURL string) fetch.Config {
	cfg := fetchtest.INSEEConfig(t)
	cfg.MelodiURL = melodiURL
	return cfg
}

func newTestEngine(t testing.TB, dir string, opts fetch.Options) *fetch.Engine {
	return fetchtest.Engine(t, dir, opts)
}

func newTestHost(t testing.TB, name string, quota int) *fetch.Host {
	return fetchtest.Host(t, name, quota)
}

func countEntries(t testing.TB, dir string) int   { return fetchtest.CountEntries(t, dir) }
func countTempFiles(t *testing.T, dir string) int { return fetchtest.CountTempFiles(t, dir) }
func itoa(n int) string                           { return strconv.Itoa(n) }
func ftoa(f float64) string                       { return strconv.FormatFloat(f, 'f', 1, 64) }

type lockedBuffer = fetchtest.LockedBuffer

type figID struct{ territory, measure string }

func storeFigures(t *testing.T, cfg fetch.Config, ref *geo.Referential) map[figID]indicator.Figure {
	figs := map[figID]indicator.Figure{}
	for id, f := range fetchtest.StoreFigures(t, cfg, ref) {
		figs[figID{id.Territory, id.Measure}] = f
	}
	return figs
}
