package fetch_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"territoires/fetch"
	_ "territoires/fetch/ddl"
	_ "territoires/fetch/melodi"
	"territoires/fetch/melodi/meloditest"
	"territoires/geo"
)

// A client of the engine: one Host per API, shared by every worker, and
// Fetch for each request. The second Fetch is answered by the cache.
func ExampleEngine_Fetch() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"observations":[]}`)
	}))
	defer api.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	cache, err := fetch.OpenCache(dir)
	if err != nil {
		log.Fatal(err)
	}
	e, err := fetch.NewEngine(fetch.Options{Cache: cache, Workers: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	lim, _ := fetch.NewLimiter(30, 1, time.Minute) // INSEE: 30 calls a minute
	insee := &fetch.Host{Name: "insee", Limiter: lim}

	req := fetch.Request{URL: api.URL + "/melodi/data/DS_POPULATIONS_REFERENCE?GEO=DEP", Vintage: "2025-12-29"}
	for range 2 {
		ent, err := e.Fetch(context.Background(), insee, req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := ent.Open()
		b, _ := io.ReadAll(body)
		body.Close()
		fmt.Println(ent.Origin == fetch.FromCache, ent.Status, string(b))
	}
	fmt.Printf("%+v\n", e.Stats())
	// Output:
	// false 200 {"observations":[]}
	// true 200 {"observations":[]}
	// {Calls:1 CacheHits:1 NotModified:0 Retries:0 Failures:0 Bytes:19}
}

// What `fetch --plan` prints: the calls a refresh needs, how many the
// cache answers, and the time they take at the quota (29 calls a minute:
// INSEE's 30 less the margin of one).
func ExampleRefresh_plan() {
	f, _ := os.Open("testdata/ref69.tsv")
	ref, err := geo.Parse(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	cfg := fetch.Defaults()
	cfg.Sources = []string{"insee"}
	cfg.CacheDir = dir
	getenv := func(k string) string { // os.Getenv in main
		return map[string]string{fetch.EnvMelodiURL: srv.MelodiURL}[k]
	}
	if err := cfg.ApplyEnv(getenv); err != nil {
		log.Fatal(err)
	}
	sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Plan: true, Out: os.Stdout})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("calls made:", sum.Stats.Calls)
	// Output:
	// melodi  ~33 calls, 0 cached, ~33 to make, 1m8s at the quota
	//         no catalogue cached: one file per dataset assumed
	//         16 datasets: 16 by file, 0 by pages; 1 catalogue + 16 ranges
	// answers over 2 GiB are refused (max_body)
	// calls made: 0
}
