package urssaf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"territoires/fetch"
	"territoires/geo"
	"territoires/indicator"
)

func init() {
	fetch.Register(fetch.Provider{Name: "urssaf", API: "urssaf", New: func(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (fetch.Source, error) {
		if ref == nil {
			return nil, errors.New("urssaf: no territory referential")
		}
		return NewClient(cfg.URSSAFURL, ref, h)
	}})
}

// Client downloads the Urssaf open-data datasets (an OpenDataSoft
// Explore API v2.1 portal, open.urssaf.fr, no key) through the engine and
// decodes them into figures. It is the "urssaf" Source of a refresh.
//
// Each dataset costs two calls per refresh: its metadata, asked
// conditionally (If-None-Match / If-Modified-Since), whose modification
// date is the vintage; and, only when that date changed, one streamed CSV
// export of the whole dataset (the records endpoint is capped at 10,000
// rows; the commune × APE export has about 1.2 million). The export is
// validated (well-formed CSV, at least as many rows as the metadata's
// records_count) before the engine commits it to the cache, so a body cut
// in the middle is retried and never cached.
//
// The portal's quota is not published: the client's RateHint reads
// X-RateLimit-Remaining and X-RateLimit-Reset on every answer and the
// reset_time of a 429's body, and the engine pauses the whole host until
// then.
type Client struct {
	base string
	geo  Geo
	host *fetch.Host

	// Datasets are the datasets refreshed and decoded; NewClient sets
	// all of them (CommuneAPE and SeriesDatasets).
	Datasets []string
	// Breakdowns are the sector breakdowns kept from the commune export
	// (nil: grand secteur and NA17).
	Breakdowns []Breakdown
	// SectorYears is how many of the latest years keep sector breakdowns
	// (see CommuneOptions); the all-sector total always has every
	// year. 0 means every year: some 15 million figures and several hundred
	// MB for France, which is why NewClient sets 1.
	SectorYears int
	// CheckTolerance is the relative difference between a région's
	// commune sum and the regional series above which Figures logs a
	// warning; every comparison is in the report whatever its size.
	CheckTolerance float64
	// Logger receives the report of Figures: unknown commune codes and the
	// région checks. nil: the engine's logger.
	Logger *slog.Logger
	// Now is the clock of RateHint; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	report Report
}

// Report is what the last decode found, for the build log.
type Report struct {
	Communes CommuneReport
	Checks   []RegionCheck
	Series   map[string][]string // dataset → territory codes the referential does not know
	Vintages map[string]string   // dataset → vintage decoded
	Skipped  map[string]int      // dataset → values refused by indicator.CheckValue
}

// NewClient returns a client for the portal at base (for instance
// DefaultURSSAFURL) that resolves territories with g and calls through h.
// It sets h.RateHint.
func NewClient(base string, g Geo, h *fetch.Host) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("urssaf: base URL %q is not an http(s) URL", base)
	}
	if g == nil || h == nil {
		return nil, errors.New("urssaf: a referential and a host are required")
	}
	c := &Client{
		base:           strings.TrimSuffix(base, "/"),
		geo:            g,
		host:           h,
		Datasets:       append([]string{CommuneAPE}, SeriesDatasets()...),
		SectorYears:    1,
		CheckTolerance: 0.02,
	}
	h.RateHint = c.rateHint
	return c, nil
}

// Name is the source's name in plans and logs.
func (c *Client) Name() string { return "urssaf" }

// Dataset is a dataset's metadata: what the refresh needs of it.
type Dataset struct {
	ID       string
	Modified time.Time // metas.default.modified (else data_processed)
	Records  int       // metas.default.records_count; -1 if absent
	Fields   []string  // fields[].name
}

// Years returns the years of the wide commune export found in the field
// names (nombre_d_etablissements_YYYY, effectifs_salaries_YYYY).
func (d Dataset) Years() []int { return urssafYears(d.Fields) }

// Vintage is the edition of the data: the modification date, to the second.
func (d Dataset) Vintage() string {
	if d.Modified.IsZero() {
		return ""
	}
	return d.Modified.UTC().Format(time.RFC3339)
}

func (c *Client) datasetURL(id string) string {
	return c.base + "/catalog/datasets/" + url.PathEscape(id)
}

func (c *Client) metaRequest(id string) fetch.Request {
	return fetch.Request{
		URL:        c.datasetURL(id),
		Key:        "urssaf metadata " + id,
		Header:     http.Header{"Accept": {"application/json"}},
		Revalidate: true,
		Validate: func(_ int, body io.Reader) error {
			_, err := decodeUrssafDataset(id, body)
			return err
		},
	}
}

// exportRequest asks for the whole dataset as CSV, for the vintage of d.
// The portal's defaults (";" and a byte-order mark) are kept: the decoder
// reads them, and they are what the portal documents.
func (c *Client) exportRequest(d Dataset) fetch.Request {
	return fetch.Request{
		URL:        c.datasetURL(d.ID) + "/exports/csv",
		Key:        "urssaf export csv " + d.ID,
		Header:     http.Header{"Accept": {"text/csv"}},
		Vintage:    d.Vintage(),
		Revalidate: d.Vintage() == "", // no date: let the server say
		Validate:   validateUrssafCSV(d.Records),
	}
}

// decodeUrssafDataset reads a dataset's metadata answer (Explore v2.1,
// or v2.0's {"dataset": {...}} envelope).
func decodeUrssafDataset(id string, r io.Reader) (Dataset, error) {
	type body struct {
		DatasetID string `json:"dataset_id"`
		Fields    []struct {
			Name string `json:"name"`
		} `json:"fields"`
		Metas struct {
			Default struct {
				Modified      string `json:"modified"`
				DataProcessed string `json:"data_processed"`
				RecordsCount  *int   `json:"records_count"`
			} `json:"default"`
		} `json:"metas"`
	}
	var b struct {
		body
		Dataset *body `json:"dataset"`
	}
	if err := json.NewDecoder(r).Decode(&b); err != nil {
		return Dataset{}, fmt.Errorf("%w: metadata of %s: %w", ErrFormat, id, err)
	}
	m := b.body
	if m.DatasetID == "" && b.Dataset != nil {
		m = *b.Dataset
	}
	if m.DatasetID != "" && m.DatasetID != id {
		return Dataset{}, fmt.Errorf("%w: metadata of %s describes %s", ErrFormat, id, m.DatasetID)
	}
	d := Dataset{ID: id, Records: -1}
	for _, f := range m.Fields {
		d.Fields = append(d.Fields, f.Name)
	}
	if len(d.Fields) == 0 {
		return d, fmt.Errorf("%w: metadata of %s has no fields", ErrFormat, id)
	}
	for _, s := range []string{m.Metas.Default.Modified, m.Metas.Default.DataProcessed} {
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return d, fmt.Errorf("%w: metadata of %s: modification date %q: %w", ErrFormat, id, s, err)
		}
		d.Modified = t
		break
	}
	if n := m.Metas.Default.RecordsCount; n != nil {
		d.Records = *n
	}
	return d, nil
}

// validateUrssafCSV checks an export before it is cached: well-formed CSV
// (a body cut mid-line has a short last record or an open quote) with at
// least minRows data rows (a body cut at a line end has fewer rows than
// the metadata announced). minRows < 0 skips the count.
func validateUrssafCSV(minRows int) func(int, io.Reader) error {
	return func(_ int, body io.Reader) error {
		cr := newUrssafReader(body)
		if _, err := readUrssafHeader(cr); err != nil {
			return err
		}
		rows := 0
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			rows++
		}
		if rows < minRows {
			return fmt.Errorf("%w: %d rows, the metadata announces %d", ErrFormat, rows, minRows)
		}
		return nil
	}
}

// rateHint is the host's RateHint: how long every worker must wait before
// the next call, from the portal's quota headers and 429 body.
func (c *Client) rateHint(status int, h http.Header, body []byte) time.Duration {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	if status == http.StatusTooManyRequests {
		var b struct {
			ResetTime string `json:"reset_time"`
		}
		if json.Unmarshal(body, &b) == nil && b.ResetTime != "" {
			if t, err := time.Parse(time.RFC3339, b.ResetTime); err == nil {
				return max(t.Sub(now), 0)
			}
		}
		return urssafUntilEpoch(h.Get("X-RateLimit-Reset"), now)
	}
	if rem := strings.TrimSpace(h.Get("X-RateLimit-Remaining")); rem == "0" {
		return urssafUntilEpoch(h.Get("X-RateLimit-Reset"), now)
	}
	return 0
}

// urssafUntilEpoch is the time from now until an X-RateLimit-Reset value (Unix
// seconds); 0 if absent or past.
func urssafUntilEpoch(v string, now time.Time) time.Duration {
	sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return max(time.Unix(sec, 0).Sub(now), 0)
}

// Dataset fetches a dataset's metadata, conditionally: a 304 keeps the
// cached copy. It costs one call.
func (c *Client) Dataset(ctx context.Context, e *fetch.Engine, id string) (Dataset, error) {
	ent, err := e.Fetch(ctx, c.host, c.metaRequest(id))
	if err != nil {
		return Dataset{}, fmt.Errorf("urssaf: metadata of %s: %w", id, err)
	}
	return readUrssafDataset(id, ent)
}

func readUrssafDataset(id string, ent *fetch.Entry) (Dataset, error) {
	f, err := ent.Open()
	if err != nil {
		return Dataset{}, err
	}
	defer f.Close()
	return decodeUrssafDataset(id, f)
}

// Plan counts the calls of a refresh without making any: one metadata call
// per dataset (always made: it is how a change is seen) and one export per
// dataset whose cached export is not of the cached metadata's vintage. A
// dataset modified since the last run costs one export more than planned,
// hence Estimated.
func (c *Client) Plan(ctx context.Context, e *fetch.Engine) (fetch.Plan, error) {
	p := fetch.Plan{Source: c.Name(), Calls: 2 * len(c.Datasets), Estimated: true, Host: c.host}
	for _, id := range c.Datasets {
		ent, err := e.Lookup(c.host, c.metaRequest(id))
		if err != nil {
			return p, fmt.Errorf("urssaf: plan %s: %w", id, err)
		}
		if ent == nil {
			continue
		}
		d, err := readUrssafDataset(id, ent)
		if err != nil {
			continue // damaged: it will be fetched again
		}
		if ok, err := e.Cached(c.host, c.exportRequest(d)); err == nil && ok {
			p.Cached++
		}
	}
	p.Notes = append(p.Notes,
		fmt.Sprintf("%d datasets: metadata asked each run (a 304 when unchanged), export only when the modification date changed", len(c.Datasets)))
	return p, nil
}

// Fetch refreshes every dataset: metadata, then the export if the
// modification date changed. Datasets are independent: one that fails is
// reported in the returned error once the others are done. fetch.ErrBudget and
// cancellation stop the run.
func (c *Client) Fetch(ctx context.Context, e *fetch.Engine) error {
	var (
		mu   sync.Mutex
		errs []error
	)
	err := e.Run(ctx, func(yield func(fetch.Job) bool) {
		for _, id := range c.Datasets {
			job := func(ctx context.Context) error {
				err := c.fetchDataset(ctx, e, id)
				if err == nil || errors.Is(err, fetch.ErrBudget) || ctx.Err() != nil ||
					errors.Is(err, fetch.ErrUnauthorized) || errors.Is(err, fetch.ErrForbidden) {
					return err
				}
				// One failure is one failure: a DatasetError lets fetch
				// name the dataset and build go on with its last good figures.
				mu.Lock()
				errs = append(errs, &fetch.DatasetError{Source: "urssaf", Dataset: id, Err: err})
				mu.Unlock()
				return nil
			}
			if !yield(job) {
				return
			}
		}
	})
	if err != nil {
		return fmt.Errorf("urssaf: %w", err)
	}
	return errors.Join(errs...)
}

func (c *Client) fetchDataset(ctx context.Context, e *fetch.Engine, id string) error {
	d, err := c.Dataset(ctx, e, id)
	if err != nil {
		return err
	}
	if _, err := e.Fetch(ctx, c.host, c.exportRequest(d)); err != nil {
		return fmt.Errorf("urssaf: export of %s: %w", id, err)
	}
	return nil
}

// cachedExport opens the cached export of a dataset, whatever its vintage,
// with the metadata it was fetched for. ok is false when nothing is cached.
func (c *Client) cachedExport(e *fetch.Engine, id string) (f *os.File, d Dataset, ok bool, err error) {
	meta, err := e.Lookup(c.host, c.metaRequest(id))
	if err != nil {
		return nil, d, false, err
	}
	if meta != nil {
		if d, err = readUrssafDataset(id, meta); err != nil {
			return nil, d, false, err
		}
	}
	d.ID = id
	ent, err := e.Lookup(c.host, fetch.Request{Key: "urssaf export csv " + id})
	if err != nil || ent == nil {
		return nil, d, false, err
	}
	// The metadata may be newer than the export if the last run stopped
	// between the two: the vintage is the export's.
	if ent.Vintage != d.Vintage() {
		d.Modified, _ = time.Parse(time.RFC3339, ent.Vintage)
	}
	f, err = ent.Open()
	if err != nil {
		return nil, d, false, err
	}
	return f, d, true, nil
}

// urssafFigureVintage is the Figure.Vintage of a dataset: its modification date.
func urssafFigureVintage(d Dataset) string {
	if d.Modified.IsZero() {
		return ""
	}
	return d.Modified.UTC().Format(time.DateOnly)
}

// Employment decodes the cached commune × APE export, without any call.
// It returns (nil, nil) when the export is not cached.
func (c *Client) Employment(ctx context.Context, e *fetch.Engine) (*Employment, error) {
	f, d, ok, err := c.cachedExport(e, CommuneAPE)
	if err != nil || !ok {
		return nil, err
	}
	defer f.Close()
	emp, err := DecodeCommunes(urssafReaderWithContext(ctx, f), c.geo, CommuneOptions{
		Breakdowns: c.Breakdowns, SectorYears: c.SectorYears, Vintage: urssafFigureVintage(d),
	})
	if err != nil {
		return nil, fmt.Errorf("urssaf: cached %s: %w", CommuneAPE, err)
	}
	return emp, nil
}

// Series decodes the cached export of a series dataset, without any call.
// It returns (nil, nil) when the export is not cached.
func (c *Client) Series(ctx context.Context, e *fetch.Engine, id string) (*Series, error) {
	f, d, ok, err := c.cachedExport(e, id)
	if err != nil || !ok {
		return nil, err
	}
	defer f.Close()
	s, err := DecodeSeries(urssafReaderWithContext(ctx, f), id, c.geo, urssafFigureVintage(d))
	if err != nil {
		return nil, fmt.Errorf("urssaf: cached %s: %w", id, err)
	}
	return s, nil
}

// Report returns what the last Figures found: unknown codes, région checks.
func (c *Client) Report() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.report
}

// Figures decodes every cached dataset, without any call: the commune
// export (communes, arrondissements, EPCI, départements, régions, France;
// sector breakdowns for the last SectorYears years) then the series. It
// compares the région totals with the regional series and logs the
// differences and the commune codes it could not place. A dataset that
// does not decode yields an error and the others follow.
func (c *Client) Figures(ctx context.Context, e *fetch.Engine) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		log := c.Logger
		if log == nil {
			log = e.Logger()
		}
		rep := Report{Series: map[string][]string{}, Vintages: map[string]string{}, Skipped: map[string]int{}}
		defer func() {
			c.mu.Lock()
			c.report = rep
			c.mu.Unlock()
		}()
		var emp *Employment
		for _, id := range c.Datasets {
			if ctx.Err() != nil {
				yield(indicator.Figure{}, ctx.Err())
				return
			}
			if id == CommuneAPE {
				var err error
				emp, err = c.Employment(ctx, e)
				if err != nil {
					if !yield(indicator.Figure{}, err) {
						return
					}
					continue
				}
				if emp == nil {
					continue
				}
				rep.Communes = emp.Report()
				rep.Skipped[id] = rep.Communes.SkippedCount
				rep.Vintages[id] = emp.Vintage()
				logUrssafCommunes(log, rep.Communes)
				for f := range emp.Figures() {
					if !yield(f, nil) {
						return
					}
				}
				continue
			}
			s, err := c.Series(ctx, e, id)
			if err != nil {
				if !yield(indicator.Figure{}, err) {
					return
				}
				continue
			}
			if s == nil {
				continue
			}
			if len(s.Unmapped) > 0 {
				rep.Series[id] = s.Unmapped
				log.Warn("urssaf: territory codes unknown to the referential", "dataset", id, "codes", s.Unmapped)
			}
			if len(s.Figures) > 0 {
				rep.Vintages[id] = s.Figures[0].Vintage
			}
			rep.Skipped[id] = s.SkippedCount
			logSeries(log, s)
			if id == RegionNA38 && emp != nil {
				rep.Checks = CheckRegions(emp, s)
				logUrssafChecks(log, rep.Checks, c.CheckTolerance)
			}
			for _, f := range s.Figures {
				if !yield(f, nil) {
					return
				}
			}
		}
	}
}

func logUrssafCommunes(log *slog.Logger, r CommuneReport) {
	logSkipped(log, CommuneAPE, r.Skipped, r.SkippedCount)
	log.Info("urssaf: commune export decoded", "rows", r.Rows, "years", fmt.Sprint(r.Years),
		"communes", r.Communes, "arrondissements", r.Arrond, "retired_codes", len(r.Remapped))
	for _, m := range r.Remapped {
		log.Info("urssaf: retired commune code counted in the current commune", "code", m.Code, "current", m.Current, "rows", m.Rows)
	}
	for _, c := range r.Doubled {
		log.Warn("urssaf: commune published both whole and by arrondissement; both were added", "commune", c)
	}
	if len(r.Unmapped) > 0 {
		log.Warn("urssaf: commune codes unknown to the referential, left out of every total",
			"codes", len(r.Unmapped), "rows", r.UnmappedRows())
		for _, u := range r.Unmapped {
			log.Warn("urssaf: unknown commune code", "code", u.Code, "name", u.Name, "rows", u.Rows)
		}
	}
}

// logSkipped logs the values refused, one warning each (the first
// maxSkipped), and their count.
func logSkipped(log *slog.Logger, dataset string, skipped []Skipped, n int) {
	for _, s := range skipped {
		log.Warn("urssaf: value refused, figure not published", "dataset", s.Dataset, "territory", s.Territory,
			"column", s.Column, "value", s.Value, "line", s.Line, "reason", s.Reason)
	}
	if n > 0 {
		log.Warn("urssaf: values refused", "dataset", dataset, "skipped", n)
	}
}

func logSeries(log *slog.Logger, s *Series) {
	logSkipped(log, s.Dataset, s.Skipped, s.SkippedCount)
	if len(s.MissingColumns) > 0 {
		log.Warn("urssaf: breakdown columns absent from the export, breakdown not published",
			"dataset", s.Dataset, "columns", s.MissingColumns)
	}
	if s.SubtotalRows > 0 {
		log.Info("urssaf: subtotal rows found; each figure uses one level of rows, never a subtotal and its details",
			"dataset", s.Dataset, "rows", s.SubtotalRows, "mismatches", s.SubtotalMismatches)
	}
	if s.SubtotalMismatches > 0 {
		log.Warn("urssaf: subtotal rows differ from the sum of their details", "dataset", s.Dataset,
			"figures", s.SubtotalMismatches, "first", s.Mismatch)
	}
}

func logUrssafChecks(log *slog.Logger, checks []RegionCheck, tol float64) {
	off := 0
	for _, ch := range checks {
		if math.Abs(ch.RelDiff()) > tol {
			off++
			log.Warn("urssaf: région total from communes differs from the regional series",
				"region", ch.Region, "year", ch.Year, "communes", ch.Communes, "series", ch.Series,
				"diff", ch.Diff(), "percent", math.Round(10000*ch.RelDiff())/100)
		}
	}
	worst, ok := worstUrssafCheck(checks)
	if !ok {
		log.Warn("urssaf: no région and year to compare between the commune export and the regional series")
		return
	}
	log.Info("urssaf: région totals checked against the regional series", "comparisons", len(checks),
		"beyond_tolerance", off, "tolerance_percent", 100*tol, "worst", worst.String())
}

// urssafReaderWithContext stops reading when ctx ends, so that a long decode
// obeys cancellation.
func urssafReaderWithContext(ctx context.Context, r io.Reader) io.Reader {
	return &urssafCtxReader{ctx: ctx, r: r}
}

type urssafCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *urssafCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
