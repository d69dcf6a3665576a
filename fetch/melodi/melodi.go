package melodi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"territoires/fetch"
	"time"

	"territoires/geo"
	"territoires/indicator"
)

// Melodi is the client of INSEE's MELODI API, the default INSEE source.
//
// Facts (INSEE's melodi R package and its recorded answers):
//   - GET {base}/data/{dataset}?GEO=COM-44109&maxResult=N&page=K; no
//     authentication; the INSEE gateway's quota, 30 calls a minute per IP
//     address, shared with Données Locales; HTTP 429 beyond.
//   - GEO selects one territory (COM-44109, DEP-69, REG-84, EPCI-200046977,
//     FRANCE-F), a whole level (GEO=DEP), or every commune of a parent
//     (GEO=DEP-69*COM, the * sent as %2A). Other dimensions are plain
//     parameters (SEX=F&AGE=Y20T64).
//   - maxResult goes up to 100,000 observations a page; totalCount=TRUE adds
//     paging.count; paging has next and isLast.
//   - Answers carry GEO with the geography vintage as a prefix
//     ("2025-COM-44109"), the value under the first key of "measures"
//     (OBS_VALUE_NIVEAU for levels, other names elsewhere), and optional
//     attributes: CONF_STATUS (C: confidential, a secret value) and
//     OBS_STATUS (O, M: missing).
//   - GET {base}/catalog/all lists every dataset with its "modified" date and
//     "temporal" period range; it decides the vintage of each dataset, so
//     vintages are never hard-coded. GET {base}/file/{dataset}/{product}
//     downloads a whole dataset as a zip of CSV (not used: paged queries by
//     level already cost a few dozen calls).
//
// A full refresh asks every dataset once per level (FRANCE, REG, DEP, EPCI,
// COM, ARM), page by page, or, with melodi_geo = "parent", the communes
// département by département (DEP-xx*COM). Against inseetest with the COG
// 2026 referential and 100,000 observations a page, France costs 80 calls
// by level (2 min 46 s at 29 a minute) and 1,027 by parent; the real
// datasets have more breakdowns than the fake, hence more pages, but stay
// far below the 500-call target by level. Income figures (Filosofi) come
// from INSEE for every level and are never summed. The catalogue is asked
// once a day (its vintage is the date), each dataset again only when the
// catalogue's "modified" date changes.
type Melodi struct {
	base     string
	host     *fetch.Host
	ref      *geo.Referential
	pageSize int
	byParent bool
	datasets []*melodiDataset
	now      func() time.Time
}

func init() {
	fetch.Register(fetch.Provider{Name: "melodi", API: "insee", New: func(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (fetch.Source, error) {
		return NewMelodi(cfg, ref, h), nil
	}})
}

// NewMelodi returns the MELODI source for cfg (already defaulted and
// validated) and ref, calling through h.
func NewMelodi(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) *Melodi {
	m := &Melodi{
		base:     strings.TrimSuffix(cfg.MelodiURL, "/"),
		host:     h,
		ref:      ref,
		pageSize: cfg.MelodiPageSize,
		byParent: cfg.MelodiGeo == "parent",
		now:      time.Now,
	}
	for i := range melodiDatasets {
		if len(cfg.Datasets) == 0 || slices.Contains(cfg.Datasets, melodiDatasets[i].ID) {
			m.datasets = append(m.datasets, &melodiDatasets[i])
		}
	}
	return m
}

// Name implements Source.
func (m *Melodi) Name() string { return "melodi" }

// catalogRequest asks for the catalogue once a day: its vintage is the day,
// so a restart the same day spends no call on it, and the next day asks
// again with If-None-Match / If-Modified-Since.
func (m *Melodi) catalogRequest() fetch.Request {
	return fetch.Request{
		URL:     m.base + "/catalog/all",
		Key:     "melodi/catalog/all",
		Header:  http.Header{"Accept": {"application/json"}},
		Vintage: m.now().UTC().Format(time.DateOnly),
		Validate: func(_ int, r io.Reader) error {
			_, err := decodeCatalog(r)
			return err
		},
	}
}

// catalogInfo is what the catalogue says of one dataset.
type catalogInfo struct {
	Modified string // "2025-06-24T09:30:31"
	Latest   string // latest period: "2022"
}

// decodeCatalog reads GET /catalog/all, an array of datasets, keeping the
// identifier, modification date and latest period of each.
func decodeCatalog(r io.Reader) (map[string]catalogInfo, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '['); err != nil {
		return nil, fmt.Errorf("melodi catalog: %w", err)
	}
	out := map[string]catalogInfo{}
	for dec.More() {
		var d struct {
			Identifier string `json:"identifier"`
			Modified   string `json:"modified"`
			Temporal   struct {
				EndPeriod string `json:"endPeriod"`
			} `json:"temporal"`
		}
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("melodi catalog: %w", err)
		}
		if d.Identifier == "" {
			continue
		}
		latest := d.Temporal.EndPeriod
		if len(latest) >= 4 {
			latest = latest[:4]
		}
		out[d.Identifier] = catalogInfo{Modified: d.Modified, Latest: latest}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return nil, fmt.Errorf("melodi catalog: %w", err)
	}
	return out, nil
}

// readCatalog decodes a cached catalogue.
func readCatalog(ent *fetch.Entry) (map[string]catalogInfo, error) {
	f, err := ent.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeCatalog(fetch.BufReader(f))
}

// melodiQuery is one paged query: one dataset for one level or parent.
type melodiQuery struct {
	ds      *melodiDataset
	geo     string // "COM", "DEP-69*COM"
	kind    geo.Kind
	period  string // TIME_PERIOD filter, or ""
	vintage string // Request.Vintage: dataset and modification date
	label   string // Figure.Vintage: "DS_FILOSOFI_CC 2021"
}

// queries lists the queries of a refresh, upper levels first: they are few,
// cheap and the most viewed. cat may be nil (no catalogue yet): the
// queries then carry no period nor vintage, which is enough to count them.
func (m *Melodi) queries(cat map[string]catalogInfo) []melodiQuery {
	type level struct {
		obj  string
		kind geo.Kind
	}
	levels := []level{
		{"FRANCE", geo.France}, {"REG", geo.Region}, {"DEP", geo.Departement},
		{"EPCI", geo.EPCI}, {"COM", geo.Commune}, {"ARM", geo.Arrondissement},
	}
	var qs []melodiQuery
	for _, l := range levels {
		for _, ds := range m.datasets {
			info, ok := cat[ds.ID]
			if cat != nil && !ok {
				continue // not in the catalogue: reported by the plan
			}
			q := melodiQuery{ds: ds, geo: l.obj, kind: l.kind, vintage: ds.ID + " " + info.Modified, label: ds.ID}
			if ds.Latest {
				q.period = info.Latest
			}
			if info.Latest != "" {
				q.label += " " + info.Latest
			}
			if l.kind == geo.Commune && m.byParent {
				for _, d := range m.parents() {
					q.geo = "DEP-" + d.Code + "*COM"
					qs = append(qs, q)
				}
				continue
			}
			qs = append(qs, q)
		}
	}
	return qs
}

// parents are the départements and overseas collectivities that hold
// communes, for GEO=DEP-xx*COM.
func (m *Melodi) parents() []*geo.Territory {
	var ps []*geo.Territory
	for _, t := range m.ref.All {
		if (t.Kind == geo.Departement || t.Kind == geo.Collectivite) && len(t.Children) > 0 {
			ps = append(ps, t)
		}
	}
	return ps
}

// pageRequest is the request of one page of a query. Its cache key does not
// depend on the base URL, so a mirror reuses the cache. If seen is not nil,
// validating a downloaded page records its paging there, which spares
// decoding it a second time.
func (m *Melodi) pageRequest(q melodiQuery, page int, seen ...*pageSeen) fetch.Request {
	v := url.Values{}
	v.Set("GEO", q.geo)
	for k, p := range q.ds.Params {
		v.Set(k, p)
	}
	if q.period != "" {
		v.Set("TIME_PERIOD", q.period)
	}
	v.Set("maxResult", strconv.Itoa(m.pageSize))
	v.Set("page", strconv.Itoa(page))
	v.Set("totalCount", "TRUE")
	path := "/data/" + q.ds.ID + "?" + v.Encode()
	return fetch.Request{
		URL:     m.base + path,
		Key:     "melodi" + path,
		Header:  http.Header{"Accept": {"application/json"}},
		Vintage: q.vintage,
		Validate: func(_ int, r io.Reader) error {
			p, n, err := decodeMelodi(r, nil)
			if err == nil && len(seen) > 0 {
				*seen[0] = pageSeen{paging: p, n: n, ok: true}
			}
			return err
		},
	}
}

// pageSeen is the paging of a page validated on download.
type pageSeen struct {
	paging melodiPaging
	n      int
	ok     bool
}

// pageInfo reads how many observations a cached page holds and whether
// another page follows.
func (m *Melodi) pageInfo(ent *fetch.Entry, page int) (count int, more bool, err error) {
	f, err := ent.Open()
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	p, n, err := decodeMelodi(fetch.BufReader(f), nil)
	if err != nil {
		return 0, false, fmt.Errorf("decode %s: %w", ent.URL, err)
	}
	return pagingCount(p, n), m.more(p, n, page), nil
}

func pagingCount(p melodiPaging, n int) int {
	if p.Count != nil {
		return *p.Count
	}
	return -1
}

// more says whether a page is followed by another: not if the server says
// it is the last, nor if it is not full, nor if the count is reached.
func (m *Melodi) more(p melodiPaging, n, page int) bool {
	switch {
	case p.IsLast, n < m.pageSize:
		return false
	case p.Count != nil:
		return page*m.pageSize < *p.Count
	default:
		return true
	}
}

// Plan implements Source: it reads the cached catalogue and pages, and
// estimates the pages it has not seen.
func (m *Melodi) Plan(ctx context.Context, e *fetch.Engine) (fetch.Plan, error) {
	plan := fetch.Plan{Source: m.Name(), Host: m.host}
	catReq := m.catalogRequest()
	plan.Calls++
	if ok, err := e.Cached(m.host, catReq); err != nil {
		return plan, err
	} else if ok {
		plan.Cached++
	}
	var cat map[string]catalogInfo
	if ent, err := e.Lookup(m.host, catReq); err != nil {
		return plan, err
	} else if ent != nil {
		if cat, err = readCatalog(ent); err != nil {
			return plan, err
		}
		if ent.Vintage != catReq.Vintage {
			plan.Notes = append(plan.Notes, fmt.Sprintf("counted from the catalogue of %s: today's may bring new vintages", ent.Vintage))
		}
		for _, ds := range m.datasets {
			if _, ok := cat[ds.ID]; !ok {
				plan.Notes = append(plan.Notes, fmt.Sprintf("dataset %s is not in the MELODI catalogue: skipped", ds.ID))
			}
		}
	} else {
		plan.Estimated = true
		plan.Notes = append(plan.Notes, "no catalogue cached: page counts are estimates")
	}
	counts := m.kindCounts()
	for _, q := range m.queries(cat) {
		if err := ctx.Err(); err != nil {
			return plan, err
		}
		pages, cached, estimated, err := m.planQuery(e, q, cat == nil, counts)
		if err != nil {
			return plan, err
		}
		plan.Calls += pages
		plan.Cached += cached
		plan.Estimated = plan.Estimated || estimated
	}
	return plan, nil
}

// planQuery counts the pages of one query and how many are cached: exact
// once the first page (which carries the count) is cached, estimated from
// the referential before.
func (m *Melodi) planQuery(e *fetch.Engine, q melodiQuery, noCatalog bool, counts map[geo.Kind]int) (pages, cached int, estimated bool, err error) {
	count := -1
	if !noCatalog {
		for page := 1; ; page++ {
			req := m.pageRequest(q, page)
			if ok, err := e.Cached(m.host, req); err != nil || !ok {
				break
			}
			ent, err := e.Lookup(m.host, req)
			if err != nil || ent == nil {
				break
			}
			n, more, err := m.pageInfo(ent, page)
			if err != nil {
				break
			}
			cached++
			if n >= 0 {
				count = n
			}
			if !more {
				return cached, cached, false, nil
			}
		}
	}
	if count >= 0 {
		return max((count+m.pageSize-1)/m.pageSize, cached+1), cached, false, nil
	}
	n := counts[q.kind]
	if strings.Contains(q.geo, "*") {
		n = max(n/max(len(m.parents()), 1), 1)
	}
	est := max((n*q.ds.PerGeo+m.pageSize-1)/m.pageSize, 1)
	return max(est, cached+1), cached, true, nil
}

func (m *Melodi) kindCounts() map[geo.Kind]int {
	c := map[geo.Kind]int{}
	for _, t := range m.ref.All {
		c[t.Kind]++
	}
	return c
}

// Fetch implements Source: the catalogue, then every query page by page,
// on the engine's workers.
func (m *Melodi) Fetch(ctx context.Context, e *fetch.Engine) error {
	ent, err := e.Fetch(ctx, m.host, m.catalogRequest())
	if err != nil {
		return fmt.Errorf("melodi: catalog: %w", err)
	}
	cat, err := readCatalog(ent)
	if err != nil {
		return fmt.Errorf("melodi: %w", err)
	}
	var failed fetch.FailureLog
	jobs := func(yield func(fetch.Job) bool) {
		for _, q := range m.queries(cat) {
			job := func(ctx context.Context) error {
				err := m.fetchQuery(ctx, e, q)
				if err == nil || errors.Is(err, fetch.ErrBudget) || errors.Is(err, fetch.ErrUnauthorized) ||
					errors.Is(err, fetch.ErrForbidden) || ctx.Err() != nil {
					return err
				}
				failed.Add(err) // one failed query does not stop the others
				return nil
			}
			if !yield(job) {
				return
			}
		}
	}
	if err := e.Run(ctx, jobs); err != nil {
		return fmt.Errorf("melodi: %w", err)
	}
	return failed.Err("melodi")
}

// fetchQuery fetches the pages of one query in order.
func (m *Melodi) fetchQuery(ctx context.Context, e *fetch.Engine, q melodiQuery) error {
	for page := 1; ; page++ {
		var seen pageSeen
		ent, err := e.Fetch(ctx, m.host, m.pageRequest(q, page, &seen))
		if err != nil {
			return err
		}
		more := m.more(seen.paging, seen.n, page)
		if ent.Origin != fetch.FromNetwork || !seen.ok {
			if _, more, err = m.pageInfo(ent, page); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
	}
}

// Figures implements Source: it decodes every cached page, in query order,
// without any call.
func (m *Melodi) Figures(ctx context.Context, e *fetch.Engine) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		ent, err := e.Lookup(m.host, m.catalogRequest())
		if err != nil || ent == nil {
			if err == nil {
				err = errors.New("melodi: no catalogue in the cache: run fetch first")
			}
			yield(indicator.Figure{}, err)
			return
		}
		cat, err := readCatalog(ent)
		if err != nil {
			yield(indicator.Figure{}, err)
			return
		}
		for _, q := range m.queries(cat) {
			if ctx.Err() != nil {
				yield(indicator.Figure{}, ctx.Err())
				return
			}
			if !m.queryFigures(e, q, yield) {
				return
			}
		}
	}
}

// queryFigures yields the figures of the cached pages of one query; false
// means the consumer stopped.
func (m *Melodi) queryFigures(e *fetch.Engine, q melodiQuery, yield func(indicator.Figure, error) bool) bool {
	var rates *rateAcc
	if q.ds.Rates {
		rates = newRateAcc()
	}
	for page := 1; ; page++ {
		ent, err := e.Lookup(m.host, m.pageRequest(q, page))
		if err != nil {
			return yield(indicator.Figure{}, err)
		}
		if ent == nil {
			break
		}
		more, ok := m.pageFigures(ent, q, page, rates, yield)
		if !ok {
			return false
		}
		if !more {
			break
		}
	}
	if rates != nil {
		for f := range rates.figures(q) {
			if !yield(f, nil) {
				return false
			}
		}
	}
	return true
}

// pageFigures decodes one cached page.
func (m *Melodi) pageFigures(ent *fetch.Entry, q melodiQuery, page int, rates *rateAcc, yield func(indicator.Figure, error) bool) (more, ok bool) {
	f, err := ent.Open()
	if err != nil {
		return false, yield(indicator.Figure{}, err)
	}
	defer f.Close()
	stopped := errors.New("stopped")
	p, n, err := decodeMelodi(fetch.BufReader(f), func(obs melodiObs) error {
		fig, keep := m.figure(q, obs)
		if !keep {
			return nil
		}
		if rates != nil {
			rates.add(fig)
			return nil
		}
		if !yield(fig, nil) {
			return stopped
		}
		return nil
	})
	if err == stopped {
		return false, false
	}
	if err != nil {
		return false, yield(indicator.Figure{}, fmt.Errorf("melodi: decode %s: %w", ent.URL, err))
	}
	return m.more(p, n, page), true
}

// figure maps one observation to a Figure; false skips it (unknown
// territory, measure or breakdown).
func (m *Melodi) figure(q melodiQuery, obs melodiObs) (indicator.Figure, bool) {
	ds := q.ds
	id, ok := m.territoryID(obs.Dims["GEO"])
	if !ok {
		return indicator.Figure{}, false
	}
	measure := ds.Measure
	if ds.MeasureDim != "" {
		if measure, ok = ds.Measures[obs.Dims[ds.MeasureDim]]; !ok {
			return indicator.Figure{}, false
		}
	}
	var dims []string
	for k, v := range obs.Dims {
		switch k {
		case "GEO", "FREQ", "TIME_PERIOD", ds.MeasureDim:
			continue
		}
		if _, fixed := ds.Params[k]; fixed || v == "_T" {
			continue
		}
		name, wanted := ds.Dims[k]
		if !wanted {
			return indicator.Figure{}, false // a breakdown we do not show
		}
		dims = append(dims, cmpOr(name, k)+"="+v)
	}
	slices.Sort(dims)
	fig := indicator.Figure{
		Territory: id,
		Theme:     ds.Theme,
		Measure:   measure,
		Dim:       strings.Join(dims, ";"),
		Period:    obs.Dims["TIME_PERIOD"],
		Value:     obs.Value,
		Status:    melodiStatus(obs),
		Source:    ds.Source,
		Vintage:   q.label,
	}
	if fig.Status != indicator.Present {
		fig.Value = 0
	}
	return fig, true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// melodiStatus reads SDMX attributes: CONF_STATUS C (confidential), D
// (secondary confidentiality) or N (not for publication) is a secret value;
// OBS_STATUS M or O, or no value, is not published.
func melodiStatus(obs melodiObs) indicator.Status {
	switch obs.Attrs["CONF_STATUS"] {
	case "C", "D", "N", "S":
		return indicator.Secret
	}
	switch obs.Attrs["OBS_STATUS"] {
	case "M", "O", "L":
		return indicator.NotPublished
	}
	if !obs.HasVal {
		return indicator.NotPublished
	}
	return indicator.Present
}

// territoryID maps a MELODI GEO value ("2025-COM-44109", "FRANCE-F") to a
// referential ID. Territories the referential does not know (a commune
// merged since the dataset's geography vintage) are skipped.
func (m *Melodi) territoryID(g string) (string, bool) {
	if len(g) > 5 && g[4] == '-' && isDigits(g[:4]) {
		g = g[5:] // geography vintage
	}
	obj, code, ok := strings.Cut(g, "-")
	if !ok {
		return "", false
	}
	var kinds []geo.Kind
	switch obj {
	case "FRANCE", "FE":
		if m.ref.France == nil {
			return "", false
		}
		return m.ref.France.ID(), true
	case "COM":
		kinds = []geo.Kind{geo.Commune, geo.Arrondissement}
	case "ARM":
		kinds = []geo.Kind{geo.Arrondissement}
	case "EPCI":
		kinds = []geo.Kind{geo.EPCI}
	case "DEP":
		kinds = []geo.Kind{geo.Departement, geo.Collectivite}
	case "REG":
		kinds = []geo.Kind{geo.Region, geo.Collectivite}
	}
	for _, k := range kinds {
		if t, ok := m.ref.Lookup(k, code); ok {
			return t.ID(), true
		}
	}
	return "", false
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// rateAcc turns census activity counts into rates for one query: the
// counts of a territory may straddle two pages, so rates are computed when
// the query's last page is read. It holds three numbers per territory.
type rateAcc struct {
	m map[string]*rateCounts
}

type rateCounts struct {
	vals   [3]float64
	seen   [3]bool
	secret bool
}

func newRateAcc() *rateAcc { return &rateAcc{m: map[string]*rateCounts{}} }

func (a *rateAcc) add(f indicator.Figure) {
	k := f.Territory + "|" + f.Period
	c := a.m[k]
	if c == nil {
		c = &rateCounts{}
		a.m[k] = c
	}
	i := map[string]int{rateEmployed: 0, rateUnemployed: 1, rateTotal: 2}[f.Measure]
	c.secret = c.secret || f.Status == indicator.Secret
	if f.Status == indicator.Present {
		c.vals[i], c.seen[i] = f.Value, true
	}
}

func (a *rateAcc) figures(q melodiQuery) iter.Seq[indicator.Figure] {
	return func(yield func(indicator.Figure) bool) {
		for _, k := range slices.Sorted(maps.Keys(a.m)) {
			c := a.m[k]
			id, period, _ := strings.Cut(k, "|")
			emp, unemp, total := c.vals[0], c.vals[1], c.vals[2]
			act := indicator.Figure{Territory: id, Theme: q.ds.Theme, Measure: indicator.TauxActivite, Period: period, Source: q.ds.Source, Vintage: q.label}
			cho := act
			cho.Measure = indicator.TauxChomage
			switch {
			case c.secret:
				act.Status, cho.Status = indicator.Secret, indicator.Secret
			case !c.seen[0] || !c.seen[1] || !c.seen[2] || total == 0 || emp+unemp == 0:
				act.Status, cho.Status = indicator.NotPublished, indicator.NotPublished
			default:
				act.Value = round1(100 * (emp + unemp) / total)
				cho.Value = round1(100 * unemp / (emp + unemp))
			}
			if !yield(act) || !yield(cho) {
				return
			}
		}
	}
}

func round1(x float64) float64 {
	return float64(int64(x*10+0.5)) / 10
}
