package urssaf

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"territoires/fetch"
	"territoires/fetch/urssaf/urssaftest"
	"territoires/geo"
	"territoires/indicator"
)

// urssafEnv is a fake portal, an engine with its own cache, and a client.
type urssafEnv struct {
	srv   *urssaftest.Server
	e     *fetch.Engine
	c     *Client
	cache string
	logs  *urssafLogBuffer
}

type urssafLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *urssafLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *urssafLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newUrssafEnv(t *testing.T, opts urssaftest.Options, datasets ...string) *urssafEnv {
	t.Helper()
	srv := urssaftest.NewServer(opts)
	t.Cleanup(srv.Close)
	env := &urssafEnv{srv: srv, cache: t.TempDir(), logs: &urssafLogBuffer{}}
	cache, err := fetch.OpenCache(env.cache)
	if err != nil {
		t.Fatal(err)
	}
	env.e, err = fetch.NewEngine(fetch.Options{
		Cache:        cache,
		Workers:      3,
		Retry:        fetch.Retry{Attempts: 4, Base: 20 * time.Millisecond, Max: 10 * time.Second},
		StallTimeout: 10 * time.Second,
		Client:       srv.Client(),
		Logger:       slog.New(slog.NewTextHandler(env.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.e.Close() })
	lim, err := fetch.NewLimiter(1000, 0, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := srv.Data()
	env.c, err = NewClient(srv.URL, urssaftest.NewGeo(d.Communes, d.Retired), &fetch.Host{Name: "urssaf", Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	env.c.SectorYears = 0
	if len(datasets) > 0 {
		env.c.Datasets = datasets
	}
	return env
}

func (env *urssafEnv) fetch(t *testing.T) {
	t.Helper()
	if err := env.c.Fetch(context.Background(), env.e); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
}

type urssafKey struct {
	territory, measure, dim, period string
}

// figures collects the client's figures, failing on any error.
func (env *urssafEnv) figures(t *testing.T) map[urssafKey]indicator.Figure {
	t.Helper()
	out := map[urssafKey]indicator.Figure{}
	for f, err := range env.c.Figures(context.Background(), env.e) {
		if err != nil {
			t.Fatalf("Figures: %v", err)
		}
		out[urssafKey{f.Territory, f.Measure, f.Dim, f.Period}] = f
	}
	return out
}

// urssafExpected sums the fake's rows independently of the decoder: every
// territory a row counts in, for the all-sector total. Unknown codes count
// nowhere; a total is present when one of its cells is.
func urssafExpected(d urssaftest.Data) map[urssafKey]float64 {
	want := map[urssafKey]float64{}
	for r := range d.CommuneRows() {
		if d.Unknown != "" && r.Code == d.Unknown {
			continue
		}
		c := r.Commune
		var ids []string
		if c.IsArrondissement() {
			ids = append(ids, geo.Arrondissement.Slug()+"/"+c.Code, "commune/"+c.Parent)
		} else {
			ids = append(ids, "commune/"+c.Code)
		}
		if c.EPCI != "" {
			ids = append(ids, "epci/"+c.EPCI)
		}
		if c.Collectivite {
			ids = append(ids, geo.Collectivite.Slug()+"/"+c.Departement, "france/FR")
		} else {
			ids = append(ids, "departement/"+c.Departement, "region/"+c.Region, "france/FR")
		}
		for i, y := range d.Years {
			for _, m := range []struct {
				measure string
				v       float64
			}{{indicator.EtabUrssaf, r.Etab[i]}, {indicator.EffectifsSal, r.Eff[i]}} {
				if math.IsNaN(m.v) {
					continue
				}
				for _, id := range ids {
					want[urssafKey{id, m.measure, "", strconv.Itoa(y)}] += m.v
				}
			}
		}
	}
	return want
}

func checkUrssafTotals(t *testing.T, got map[urssafKey]indicator.Figure, want map[urssafKey]float64) {
	t.Helper()
	for k, w := range want {
		f, ok := got[k]
		if !ok || f.Status != indicator.Present || math.Abs(f.Value-w) > 1e-6 {
			t.Errorf("%v = %v (%v, found %v), want %v", k, f.Value, f.Status, ok, w)
		}
	}
	for k, f := range got {
		if k.dim != "" || f.Status != indicator.Present || (f.Measure != indicator.EtabUrssaf && f.Measure != indicator.EffectifsSal) {
			continue
		}
		if _, ok := want[k]; !ok {
			t.Errorf("%v = %v present, want nothing", k, f.Value)
		}
	}
}

func TestUrssafFullExport(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{Data: urssaftest.Data{Unknown: "99999"}})
	env.fetch(t)
	got := env.figures(t)
	want := urssafExpected(env.srv.Data())
	last := strconv.Itoa(env.srv.Data().Years[len(env.srv.Data().Years)-1])

	// Rungis, its EPCI, its département, its région and France.
	for _, id := range []string{"commune/94065", "epci/200054781", "departement/94", "region/11", "france/FR"} {
		t.Run(id, func(t *testing.T) {
			k := urssafKey{id, indicator.EffectifsSal, "", last}
			if f := got[k]; f.Status != indicator.Present || f.Value != want[k] || f.Value == 0 {
				t.Errorf("%v = %v %v, want %v", k, f.Value, f.Status, want[k])
			}
			if f := got[k]; f.Source != Source || f.Theme != indicator.Emploi || f.Vintage != "2025-06-30" {
				t.Errorf("%v: source, theme, vintage = %q, %q, %q", k, f.Source, f.Theme, f.Vintage)
			}
		})
	}
	// Paris, Lyon and Marseille are the sums of their arrondissements,
	// which keep their own figures.
	d := env.srv.Data()
	for _, city := range []string{"75056", "69123", "13055"} {
		t.Run("arrondissements of "+city, func(t *testing.T) {
			sum, n := 0.0, 0
			for _, c := range d.Communes {
				if c.Parent != city {
					continue
				}
				f, ok := got[urssafKey{"arrondissement-municipal/" + c.Code, indicator.EtabUrssaf, "", last}]
				if ok && f.Status == indicator.Present {
					sum += f.Value
					n++
				}
			}
			f := got[urssafKey{"commune/" + city, indicator.EtabUrssaf, "", last}]
			if n < 9 || f.Status != indicator.Present || f.Value != sum {
				t.Errorf("commune/%s = %v (%v), sum of %d arrondissements = %v", city, f.Value, f.Status, n, sum)
			}
		})
	}
	// Every total, everywhere.
	checkUrssafTotals(t, got, want)

	// Sectors add up to the total.
	for _, prefix := range []string{"GS=", "NA17="} {
		sum := 0.0
		for k, f := range got {
			if k.territory == "france/FR" && k.measure == indicator.EffectifsSal && k.period == last && strings.HasPrefix(k.dim, prefix) {
				sum += f.Value
			}
		}
		if k := (urssafKey{"france/FR", indicator.EffectifsSal, "", last}); sum != got[k].Value {
			t.Errorf("France %s sectors sum to %v, total %v", prefix, sum, got[k].Value)
		}
	}

	rep := env.c.Report()
	if len(rep.Communes.Remapped) != 1 || rep.Communes.Remapped[0].Code != "74011" {
		t.Errorf("Remapped = %v, want 74011 → 74010", rep.Communes.Remapped)
	}
	if len(rep.Communes.Unmapped) != 1 || rep.Communes.Unmapped[0].Code != "99999" {
		t.Errorf("Unmapped = %v, want 99999", rep.Communes.Unmapped)
	}
	if !strings.Contains(env.logs.String(), "unknown commune code") || !strings.Contains(env.logs.String(), "99999") {
		t.Errorf("the log does not report the unknown code 99999:\n%s", env.logs)
	}
	// The fake's regional series match the communes: checked, no difference.
	if len(rep.Checks) == 0 {
		t.Fatal("no région check")
	}
	for _, ch := range rep.Checks {
		if ch.Diff() != 0 {
			t.Errorf("check %v: difference %v, want none", ch, ch.Diff())
		}
	}
	// Series are there too.
	for _, k := range []urssafKey{
		{"region/84", indicator.EffSalTrim, "", last + "-T4"},
		{"france/FR", indicator.DPAE, "CONTRAT=CDI", last + "-T1"},
		{"departement/74", indicator.AEActifs, "", last + "-T2"},
		{"france/FR", indicator.AEImmat, "SECTEUR=COMMERCE", last + "-T3"},
		{"france/FR", indicator.ProcCollectives, "NATURE=SAUV", last + "-T1"},
		{"region/84", indicator.EffSalTrim, "NA28I=GZ", last + "-T4"},
		{"region/84", indicator.DPAE, "DUREE=MOINS_D_UN_MOIS", last + "-T4"},
		{"departement/69", indicator.SalariesPartEmp, "CATEGORIE=2", "2018"},
		{"region/84", indicator.SalariesPartEmp, "", "2018"},
	} {
		if f, ok := got[k]; !ok || f.Status != indicator.Present {
			t.Errorf("%v missing or not present: %+v", k, f)
		}
	}
	if f := got[urssafKey{"france/FR", indicator.ProcCollectives, "SA=CVS", last + "-T4"}]; f.Status != indicator.NotPublished {
		t.Errorf("procedures CVS of the last quarter: %v, want not published", f.Status)
	}
}

func TestUrssafRegionDifferencesReported(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{Data: urssaftest.Data{RegionSkew: map[string]float64{"84": 1.1}}})
	env.fetch(t)
	env.figures(t)
	bad := 0
	for _, ch := range env.c.Report().Checks {
		switch {
		case ch.Region == "region/84" && math.Abs(ch.RelDiff()+0.1/1.1) > 1e-3:
			t.Errorf("%v: relative difference %v, want %v", ch, ch.RelDiff(), -0.1/1.1)
		case ch.Region == "region/84":
			bad++
		case ch.Diff() != 0:
			t.Errorf("%v: difference in a région that has none", ch)
		}
	}
	if bad != len(env.srv.Data().Years) {
		t.Errorf("%d checks for région 84, want one a year", bad)
	}
	logs := env.logs.String()
	if !strings.Contains(logs, "differs from the regional series") || !strings.Contains(logs, "region=region/84") {
		t.Errorf("the log does not report région 84:\n%s", logs)
	}
}

func TestUrssafNotModifiedNotDownloaded(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{})
	env.fetch(t)
	env.fetch(t)
	for _, id := range urssaftest.Datasets() {
		if got := env.srv.Calls(urssaftest.Export, id); got != 1 {
			t.Errorf("%s: %d exports after two refreshes, want 1", id, got)
		}
		if got := env.srv.Calls(urssaftest.Metadata, id); got != 2 {
			t.Errorf("%s: %d metadata calls, want 2", id, got)
		}
	}
	notModified := 0
	for _, r := range env.srv.Requests() {
		if r.Endpoint == urssaftest.Metadata && r.Status == http.StatusNotModified {
			notModified++
		}
	}
	if notModified != len(urssaftest.Datasets()) {
		t.Errorf("%d metadata answers 304, want %d", notModified, len(urssaftest.Datasets()))
	}

	// A new version of one dataset: only that one is downloaded again.
	before := env.figures(t)
	env.srv.Touch(urssaftest.CommuneAPE, time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC))
	env.fetch(t)
	for _, id := range urssaftest.Datasets() {
		want := 1
		if id == urssaftest.CommuneAPE {
			want = 2
		}
		if got := env.srv.Calls(urssaftest.Export, id); got != want {
			t.Errorf("%s: %d exports after a change, want %d", id, got, want)
		}
	}
	after := env.figures(t)
	k := urssafKey{"france/FR", indicator.EffectifsSal, "", "2024"}
	if after[k].Vintage != "2025-12-01" || after[k].Value == before[k].Value {
		t.Errorf("after the change, %v = %v (vintage %s), before %v", k, after[k].Value, after[k].Vintage, before[k].Value)
	}
	checkUrssafTotals(t, after, urssafExpected(env.srv.Data()))
}

func TestUrssafRateLimitWaitedOut(t *testing.T) {
	const reset = 1200 * time.Millisecond
	t.Run("one dataset", func(t *testing.T) {
		env := newUrssafEnv(t, urssaftest.Options{}, CommuneAPE)
		env.srv.Inject(urssaftest.Fault{Kind: urssaftest.RateLimited, Path: "/exports/csv", Reset: reset})
		env.fetch(t)
		reqs := env.srv.Requests()
		var limited []urssaftest.Request
		var at429 time.Time
		for _, r := range reqs {
			if r.Status == http.StatusTooManyRequests {
				limited = append(limited, r)
				at429 = r.At
			}
		}
		if len(limited) != 1 {
			t.Fatalf("%d answers 429, want 1 (the client must wait, not hammer): %v", len(limited), reqs)
		}
		next := reqs[slices.IndexFunc(reqs, func(r urssaftest.Request) bool { return r.At.After(at429) })]
		if gap := next.At.Sub(at429); gap < reset-50*time.Millisecond {
			t.Errorf("retried %v after the 429, want ≥ %v (reset_time)", gap, reset)
		}
		if next.Status != http.StatusOK || env.srv.Calls(urssaftest.Export, CommuneAPE) != 2 {
			t.Errorf("retry: status %d, %d exports", next.Status, env.srv.Calls(urssaftest.Export, CommuneAPE))
		}
	})
	t.Run("all datasets", func(t *testing.T) {
		env := newUrssafEnv(t, urssaftest.Options{})
		env.srv.Inject(urssaftest.Fault{Kind: urssaftest.RateLimited, Reset: reset})
		start := time.Now()
		env.fetch(t)
		n := 0
		for _, r := range env.srv.Requests() {
			if r.Status == http.StatusTooManyRequests {
				n++
			}
		}
		// Only the calls already on the wire when the first 429 came
		// back may meet the limit: the whole host pauses.
		if n < 1 || n > 3 {
			t.Errorf("%d answers 429, want 1 to 3 (workers)", n)
		}
		if time.Since(start) < reset {
			t.Errorf("refresh took %v, shorter than the reset time", time.Since(start))
		}
		for _, id := range urssaftest.Datasets() {
			if ent, err := env.e.Lookup(env.c.host, fetch.Request{Key: "urssaf export csv " + id}); ent == nil || err != nil {
				t.Errorf("%s not cached: %v", id, err)
			}
		}
	})
}

func TestUrssafRateHint(t *testing.T) {
	now := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	c := &Client{Now: func() time.Time { return now }}
	epoch := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   time.Duration
	}{
		{"quota left", 200, http.Header{"X-Ratelimit-Remaining": {"41"}, "X-Ratelimit-Reset": {epoch(time.Hour)}}, "", 0},
		{"no headers", 200, http.Header{}, "", 0},
		{"quota spent", 200, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {epoch(90 * time.Second)}}, "", 90 * time.Second},
		{"429 reset_time", 429, http.Header{"X-Ratelimit-Reset": {epoch(time.Hour)}},
			`{"errorcode": 10005, "reset_time": "2025-07-01T12:00:01.500000+00:00", "limit_time_unit": "day", "call_limit": 1000, "error": "You have exceeded the requests limit for anonymous users."}`,
			1500 * time.Millisecond},
		{"429 without body", 429, http.Header{"X-Ratelimit-Reset": {epoch(30 * time.Second)}}, "", 30 * time.Second},
		{"429 reset past", 429, http.Header{}, `{"reset_time": "2025-07-01T11:00:00Z"}`, 0},
	}
	for _, tt := range tests {
		if got := c.rateHint(tt.status, tt.header, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: rateHint = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// noUrssafTempFiles fails if a temporary file of the cache is left.
func noUrssafTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") { // the cache's temporary files
			t.Errorf("temporary file left in the cache: %s", path)
		}
		return err
	})
}

func urssafExportSize(t *testing.T, d urssaftest.Data) int {
	t.Helper()
	var n urssafCountWriter
	if _, err := d.WriteCommuneCSV(&n, true); err != nil {
		t.Fatal(err)
	}
	return int(n)
}

type urssafCountWriter int64

func (c *urssafCountWriter) Write(p []byte) (int, error) {
	*c += urssafCountWriter(len(p))
	return len(p), nil
}

func TestUrssafCutBodyRetriedNeverHalfCached(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{}, CommuneAPE)
	size := urssafExportSize(t, env.srv.Data())
	env.srv.Inject(urssaftest.Fault{Kind: urssaftest.Cut, Path: "/exports/csv", After: size / 2})
	env.fetch(t)
	if got := env.srv.Calls(urssaftest.Export, CommuneAPE); got != 2 {
		t.Errorf("%d exports, want 2 (one cut, one whole)", got)
	}
	if env.e.Stats().Retries < 1 {
		t.Errorf("no retry counted")
	}
	old := env.srv.Data()
	checkUrssafTotals(t, env.figures(t), urssafExpected(old))
	noUrssafTempFiles(t, env.cache)

	// A new version whose every download is cut: the refresh fails, the
	// cache keeps the previous, whole version.
	env.srv.Touch(CommuneAPE, time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC))
	env.srv.Inject(urssaftest.Fault{Kind: urssaftest.Cut, Path: "/exports/csv", After: size / 3, Count: 100})
	err := env.c.Fetch(context.Background(), env.e)
	if !errors.Is(err, fetch.ErrTruncated) {
		t.Fatalf("Fetch error = %v, want %v", err, fetch.ErrTruncated)
	}
	got := env.figures(t)
	checkUrssafTotals(t, got, urssafExpected(old))
	if v := got[urssafKey{"france/FR", indicator.EffectifsSal, "", "2024"}].Vintage; v != "2025-06-30" {
		t.Errorf("vintage after a failed refresh = %q, want the old 2025-06-30", v)
	}
	noUrssafTempFiles(t, env.cache)
}

func TestUrssafShortBodyFailsValidation(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{}, CommuneAPE)
	var body bytes.Buffer
	if _, err := env.srv.Data().WriteCommuneCSV(&body, true); err != nil {
		t.Fatal(err)
	}
	half := body.Len() / 2
	lineEnd := bytes.LastIndex(body.Bytes()[:half], []byte("\r\n")) + 2
	// A body ending mid-line (a short last record), then one ending at a
	// line end (whole records, fewer than records_count).
	for _, after := range []int{half, lineEnd} {
		env.srv.Inject(urssaftest.Fault{Kind: urssaftest.Truncate, Path: "/exports/csv", After: after})
	}
	env.fetch(t)
	if got := env.srv.Calls(urssaftest.Export, CommuneAPE); got != 3 {
		t.Errorf("%d exports, want 3 (two short, one whole)", got)
	}
	checkUrssafTotals(t, env.figures(t), urssafExpected(env.srv.Data()))
	noUrssafTempFiles(t, env.cache)
	if !strings.Contains(env.logs.String(), fetch.ErrInvalidBody.Error()) {
		t.Errorf("the retries are not logged as invalid bodies:\n%s", env.logs)
	}
}

func TestUrssafServerErrorsRetried(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{}, RegionNA38)
	env.srv.Inject(urssaftest.Fault{Kind: urssaftest.ServerError, Count: 2})
	env.srv.Inject(urssaftest.Fault{Kind: urssaftest.Stall, Path: "/exports/csv", After: 100, Delay: 50 * time.Millisecond})
	env.fetch(t)
	if got := env.figures(t); len(got) == 0 {
		t.Errorf("no figures after retried 500s")
	}
}

func TestUrssafPlan(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{})
	ctx := context.Background()
	p, err := env.c.Plan(ctx, env.e)
	if err != nil {
		t.Fatal(err)
	}
	n := len(urssaftest.Datasets())
	if p.Calls != 2*n || p.Cached != 0 || p.Missing() != 2*n || !p.Estimated {
		t.Errorf("Plan before = %+v, want %d calls, 0 cached", p, 2*n)
	}
	env.fetch(t)
	calls := len(env.srv.Requests())
	if p, err = env.c.Plan(ctx, env.e); err != nil || p.Cached != n || p.Missing() != n {
		t.Errorf("Plan after = %+v, %v; want %d cached, %d missing (the metadata checks)", p, err, n, n)
	}
	if got := len(env.srv.Requests()); got != calls {
		t.Errorf("Plan made %d calls", got-calls)
	}
}

func TestUrssafDamagedCacheEntry(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{})
	env.fetch(t)
	ent, err := env.e.Lookup(env.c.host, fetch.Request{Key: "urssaf export csv " + ProcCollectives})
	if err != nil || ent == nil {
		t.Fatalf("Lookup: %v, %v", ent, err)
	}
	bf, err := ent.Open()
	if err != nil {
		t.Fatal(err)
	}
	path := bf.Name()
	bf.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Same size, a number turned into letters: the raw count of the first
	// Sauvegarde row (nature_de_procedure;annee;trimestre;dernier_jour;brut).
	i := bytes.Index(b, []byte("\nSauvegarde;")) + 1
	for range 4 {
		i += bytes.IndexByte(b[i:], ';') + 1
	}
	copy(b[i:], "xx")
	if _, err := env.e.Cache().Put(env.c.host.Name, ent.Key, ent.Meta, bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	var errs []error
	n := 0
	for f, err := range env.c.Figures(context.Background(), env.e) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if f.Measure == indicator.EffectifsSal {
			n++
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrFormat) || !strings.Contains(errs[0].Error(), ProcCollectives) {
		t.Errorf("errors = %v, want one %v naming %s", errs, ErrFormat, ProcCollectives)
	}
	if n == 0 {
		t.Errorf("the other datasets gave no figure")
	}
}

func TestDecodeUrssafDataset(t *testing.T) {
	tests := []struct {
		name, body string
		want       Dataset
		err        bool
	}{
		{"v2.1", `{"dataset_id": "x", "fields": [{"name": "code_commune"}, {"name": "effectifs_salaries_2024"}], "metas": {"default": {"modified": "2025-06-30T08:15:00.123+00:00", "records_count": 12}}}`,
			Dataset{ID: "x", Modified: time.Date(2025, 6, 30, 8, 15, 0, 123e6, time.UTC), Records: 12, Fields: []string{"code_commune", "effectifs_salaries_2024"}}, false},
		{"v2.0 envelope, data_processed", `{"dataset": {"dataset_id": "x", "fields": [{"name": "a"}], "metas": {"default": {"data_processed": "2024-01-02T03:04:05Z"}}}}`,
			Dataset{ID: "x", Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Records: -1, Fields: []string{"a"}}, false},
		{"other dataset", `{"dataset_id": "y", "fields": [{"name": "a"}]}`, Dataset{}, true},
		{"no fields", `{"dataset_id": "x", "fields": []}`, Dataset{}, true},
		{"bad date", `{"dataset_id": "x", "fields": [{"name": "a"}], "metas": {"default": {"modified": "yesterday"}}}`, Dataset{}, true},
		{"not JSON", `<html>`, Dataset{}, true},
	}
	for _, tt := range tests {
		got, err := decodeUrssafDataset("x", strings.NewReader(tt.body))
		if (err != nil) != tt.err {
			t.Errorf("%s: error = %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if err == nil && (!got.Modified.Equal(tt.want.Modified) || got.Records != tt.want.Records || !slices.Equal(got.Fields, tt.want.Fields)) {
			t.Errorf("%s: decodeUrssafDataset = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	d := Dataset{Fields: []string{"code_commune", "nombre_d_etablissements_2006", "effectifs_salaries_2025"}}
	if got := d.Years(); !slices.Equal(got, []int{2006, 2025}) {
		t.Errorf("Years() = %v, want [2006 2025]", got)
	}
}

// TestUrssafRefresh runs the refresh entry point, as `go run . fetch`
// does, on the real referential and a fake portal that serves its
// communes, then reads the figures back through the Store.
func TestUrssafRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the referential")
	}
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	communes := urssaftest.CommunesOf(ref)
	data := urssaftest.Data{
		Communes: communes, Retired: urssaftest.RetiredOf(ref, communes, 3),
		Years: []int{2023, 2024}, RowsPerCommune: 2,
	}
	srv := urssaftest.NewServer(urssaftest.Options{Data: data})
	defer srv.Close()

	cfg := fetch.Defaults()
	cfg.Sources = []string{"urssaf"}
	cfg.CacheDir = t.TempDir()
	cfg.URSSAFQuota = 600
	env := map[string]string{fetch.EnvURSSAFURL: srv.URL}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Out: &out, Client: srv.Client()}); err != nil {
		t.Fatalf("Refresh: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "urssaf") {
		t.Errorf("the plan does not mention urssaf:\n%s", out.String())
	}
	if got := srv.Calls(urssaftest.Export, ""); got != len(urssaftest.Datasets()) {
		t.Errorf("%d exports, want %d", got, len(urssaftest.Datasets()))
	}

	store, err := fetch.OpenStore(cfg, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got := map[urssafKey]indicator.Figure{}
	for f, err := range store.Figures(context.Background()) {
		if err != nil {
			t.Fatalf("Store.Figures: %v", err)
		}
		if f.Dim == "" {
			got[urssafKey{f.Territory, f.Measure, f.Dim, f.Period}] = f
		}
	}
	checkUrssafTotals(t, got, urssafExpected(srv.Data()))
	for _, id := range []string{"commune/75056", "commune/69123", "commune/13055", "epci/200046977", "region/84", "france/FR"} {
		if f := got[urssafKey{id, indicator.EtabUrssaf, "", "2024"}]; f.Status != indicator.Present {
			t.Errorf("%s: %v", id, f.Status)
		}
	}

	// Home employees: départements as published, régions and France summed.
	wantPE := map[string]float64{}
	for r := range srv.Data().ParticuliersRows() {
		wantPE["departement/"+r.Departement] += r.Salaries
		wantPE["region/"+r.Region] += r.Salaries
		wantPE["france/FR"] += r.Salaries
	}
	for _, id := range []string{"departement/69", "departement/2A", "region/84", "region/94", "france/FR"} {
		if f := got[urssafKey{id, indicator.SalariesPartEmp, "", "2018"}]; f.Status != indicator.Present || f.Value != wantPE[id] {
			t.Errorf("%s: home employees %v (%v), want %v", id, f.Value, f.Status, wantPE[id])
		}
	}
	t.Logf("a full URSSAF refresh of France: %d calls (%d metadata, %d exports)",
		len(srv.Requests()), srv.Calls(urssaftest.Metadata, ""), srv.Calls(urssaftest.Export, ""))
	if n := len(srv.Requests()); n != 2*len(urssaftest.Datasets()) {
		t.Errorf("a full refresh made %d calls, want %d (metadata and export of each dataset)", n, 2*len(urssaftest.Datasets()))
	}

	// A second refresh downloads nothing.
	if _, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Client: srv.Client(), Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls(urssaftest.Export, ""); got != len(urssaftest.Datasets()) {
		t.Errorf("%d exports after a second refresh, want %d", got, len(urssaftest.Datasets()))
	}
}
