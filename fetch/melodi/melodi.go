package melodi

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"territoires/fetch"
	"territoires/geo"
	"territoires/indicator"
)

// Melodi is the client of INSEE's MELODI API, the default INSEE source.
//
// Facts (INSEE's melodi R package and its recorded answers, API-FACTS.md):
//   - no authentication; the INSEE gateway's quota, 30 calls a minute per IP
//     address, shared with Données Locales; HTTP 429 beyond. An unknown
//     dataset answers 500 with a plain-text French message.
//   - GET {base}/catalog/all lists every dataset with its "modified" date,
//     its "temporal" period range and its products; the CSV product is a
//     zip of {name}_data.csv and {name}_metadata.csv, downloaded from
//     GET {base}/file/{dataset}/{product}.
//   - GET {base}/range/{dataset} lists every dimension (and attribute) with
//     its codes.
//   - GET {base}/data/{dataset}?GEO=COM&maxResult=N&page=K pages through
//     observations; a dimension filter is a parameter, repeated for several
//     codes (ACTIVITY=I551&ACTIVITY=I553).
//
// A refresh asks the catalogue (once a day), then for each dataset its
// range and its file: 1 + 2 × datasets calls for France, every territory
// at every level. Datasets without a CSV product are asked page by page,
// level by level. Each dataset is refreshed again only when the
// catalogue's "modified" date changes; one that fails does not stop the
// others, and keeps its last good figures.
type Melodi struct {
	base     string
	host     *fetch.Host
	ref      *geo.Referential
	pageSize int
	byParent bool
	datasets []*dataset
	now      func() time.Time
}

func init() {
	fetch.Register(fetch.Provider{Name: "melodi", API: "insee", New: func(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (fetch.Source, error) {
		return New(cfg, ref, h), nil
	}})
}

// New returns the MELODI source for cfg (already defaulted and validated)
// and ref, calling through h.
func New(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) *Melodi {
	m := &Melodi{
		base:     strings.TrimSuffix(cfg.MelodiURL, "/"),
		host:     h,
		ref:      ref,
		pageSize: cfg.MelodiPageSize,
		byParent: cfg.MelodiGeo == "parent",
		now:      time.Now,
	}
	for i := range datasets {
		if len(cfg.Datasets) == 0 || slices.Contains(cfg.Datasets, datasets[i].ID) {
			m.datasets = append(m.datasets, &datasets[i])
		}
	}
	return m
}

// Name implements fetch.Source.
func (m *Melodi) Name() string { return "melodi" }

// Plan implements fetch.Source: the catalogue, then each dataset's range
// and file (or pages), with what the cache already holds and what the
// cached reports say the descriptions lack.
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
	} else {
		plan.Estimated = true
		plan.Notes = append(plan.Notes, "no catalogue cached: one file per dataset assumed")
	}
	dir := e.Cache().Dir
	files, paged := 0, 0
	for _, ds := range m.datasets {
		if err := ctx.Err(); err != nil {
			return plan, err
		}
		info, ok := cat[ds.ID]
		if cat != nil && !ok {
			plan.Notes = append(plan.Notes, ds.ID+": not in the MELODI catalogue: it will fail")
			continue
		}
		plan.Calls++ // range
		rreq := m.rangeRequest(ds, info)
		if ok, _ := e.Cached(m.host, rreq); ok && cat != nil {
			plan.Cached++
			if ent, _ := e.Lookup(m.host, rreq); ent != nil {
				if notes, _, err := m.compareRange(ds, ent); err == nil {
					plan.Notes = append(plan.Notes, notes...)
				}
			}
		}
		if cat == nil || info.Product != "" {
			files++
			plan.Calls++
			if ok, _ := e.Cached(m.host, m.fileRequest(ds, info)); ok && cat != nil {
				plan.Cached++
			}
		} else {
			pages, cached := m.planPages(e, ds, info, m.rangeDims(e, ds, info))
			paged++
			plan.Calls += pages
			plan.Cached += cached
			plan.Estimated = true
		}
		if r, ok, _ := fetch.LoadReport(dir, m.Name(), ds.ID); ok {
			for _, n := range r.Notes {
				if !slices.Contains(plan.Notes, n) {
					plan.Notes = append(plan.Notes, n)
				}
			}
			if r.Stale() {
				plan.Notes = append(plan.Notes, fmt.Sprintf("%s: last refresh failed (%s); the cache holds %s", ds.ID, r.Failed, r.Vintage))
			}
		}
	}
	plan.Notes = append(plan.Notes, fmt.Sprintf("%d datasets: %d by file, %d by pages; 1 catalogue + %d ranges", len(m.datasets), files, paged, files+paged))
	return plan, nil
}

// Fetch implements fetch.Source: the catalogue, then every dataset on the
// engine's workers. A dataset that fails is reported (a *fetch.DatasetError
// in the joined error) and the others go on; the budget and refused
// credentials stop the run.
func (m *Melodi) Fetch(ctx context.Context, e *fetch.Engine) error {
	ent, err := e.Fetch(ctx, m.host, m.catalogRequest())
	if err != nil {
		return fmt.Errorf("melodi: catalog: %w", err)
	}
	cat, err := readCatalog(ent)
	if err != nil {
		return fmt.Errorf("melodi: %w", err)
	}
	errs := make([]error, len(m.datasets))
	jobs := func(yield func(fetch.Job) bool) {
		for i, ds := range m.datasets {
			job := func(ctx context.Context) error {
				err := m.refresh(ctx, e, ds, cat)
				if err == nil || fatal(ctx, err) {
					return err
				}
				errs[i] = err // one dataset's failure does not stop the others
				return nil
			}
			if !yield(job) {
				return
			}
		}
	}
	runErr := e.Run(ctx, jobs)
	if runErr != nil {
		runErr = fmt.Errorf("melodi: %w", runErr)
	}
	return errors.Join(append([]error{runErr}, errs...)...)
}

// fatal says whether an error stops the whole run rather than one dataset.
func fatal(ctx context.Context, err error) bool {
	return errors.Is(err, fetch.ErrBudget) || errors.Is(err, fetch.ErrUnauthorized) ||
		errors.Is(err, fetch.ErrForbidden) || ctx.Err() != nil
}

// refresh refreshes one dataset: its range, its data, then its report.
func (m *Melodi) refresh(ctx context.Context, e *fetch.Engine, ds *dataset, cat map[string]catalogInfo) error {
	dir := e.Cache().Dir
	log := e.Logger()
	fail := func(err error) error {
		if fatal(ctx, err) {
			return err
		}
		r, _, _ := fetch.LoadReport(dir, m.Name(), ds.ID)
		r.Source, r.Dataset = m.Name(), ds.ID
		r.Failed, r.FailedAt = err.Error(), m.now().UTC()
		if serr := fetch.SaveReport(dir, r); serr != nil {
			err = errors.Join(err, serr)
		}
		log.Error("dataset failed; its last good figures stay", "dataset", ds.ID, "err", err)
		return &fetch.DatasetError{Source: m.Name(), Dataset: ds.ID, Err: err}
	}
	info, ok := cat[ds.ID]
	if !ok {
		return fail(errors.New("not in the MELODI catalogue"))
	}
	rent, err := e.Fetch(ctx, m.host, m.rangeRequest(ds, info))
	if err != nil {
		return fail(fmt.Errorf("range: %w", err))
	}
	notes, have, err := m.compareRange(ds, rent)
	if err != nil {
		return fail(fmt.Errorf("range: %w", err))
	}
	var keys []string
	fresh := rent.Origin != fetch.FromCache
	if info.Product != "" {
		req := m.fileRequest(ds, info)
		ent, err := e.Fetch(ctx, m.host, req)
		if err != nil {
			return fail(fmt.Errorf("file %s: %w", info.Product, err))
		}
		keys = []string{req.Key}
		fresh = fresh || ent.Origin != fetch.FromCache
	} else {
		var f bool
		if keys, f, err = m.fetchPages(ctx, e, ds, info, have); err != nil {
			return fail(err)
		}
		fresh = fresh || f
	}
	old, had, _ := fetch.LoadReport(dir, m.Name(), ds.ID)
	if had && !fresh && !old.Stale() && old.Modified == info.Modified && slices.Equal(old.Entries, keys) {
		return nil // nothing changed since the last report
	}
	r := fetch.Report{
		Source: m.Name(), Dataset: ds.ID, Modified: info.Modified, Latest: info.Latest,
		Refreshed: m.now().UTC(), Entries: keys,
	}
	mp := newMapper(ds, info.Latest, newGeoMapper(m.ref))
	r.Vintage = mp.label
	for _, err := range m.decode(e, ds, mp, keys, func(indicator.Figure) bool { return true }) {
		if err != nil {
			return fail(err)
		}
	}
	r.Read, r.Kept, r.Skipped = mp.t.Read, mp.t.Kept, mp.t.Skipped
	r.Notes = append(notes, mp.t.Notes(ds.ID)...)
	r.Notes = append(r.Notes, mp.t.Refused...)
	for _, n := range mp.t.Notes(ds.ID) {
		log.Warn(n)
	}
	for _, n := range mp.t.Refused {
		log.Warn("value refused: " + n)
	}
	if r.Read > 0 && r.Kept == 0 {
		return fail(fmt.Errorf("no figure from %s observations: skipped for %s%s", thousands(r.Read),
			strings.Join(mp.t.reasons(), ", "), notesSuffix(mp.t.Notes(ds.ID))))
	}
	if err := fetch.SaveReport(dir, r); err != nil {
		return fail(err)
	}
	log.Info("dataset refreshed", "dataset", ds.ID, "vintage", r.Vintage, "read", r.Read, "kept", r.Kept)
	return nil
}

// Figures implements fetch.Source: it decodes, without any call, the data
// the reports of the last good refreshes point at, dataset by dataset.
func (m *Melodi) Figures(ctx context.Context, e *fetch.Engine) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		dir := e.Cache().Dir
		g := newGeoMapper(m.ref)
		for _, ds := range m.datasets {
			if ctx.Err() != nil {
				yield(indicator.Figure{}, ctx.Err())
				return
			}
			r, ok, err := fetch.LoadReport(dir, m.Name(), ds.ID)
			if err != nil {
				if !yield(indicator.Figure{}, err) {
					return
				}
				continue
			}
			if !ok || len(r.Entries) == 0 {
				continue // never refreshed: the provenance page says so
			}
			mp := newMapper(ds, r.Latest, g)
			stopped := false
			for f, err := range m.decode(e, ds, mp, r.Entries, nil) {
				if err != nil {
					err = &fetch.DatasetError{Source: m.Name(), Dataset: ds.ID, Err: err}
				}
				if !yield(f, err) {
					stopped = true
					break
				}
			}
			if stopped {
				return
			}
		}
	}
}

// decode yields the figures of a dataset's cached entries. If keep is not
// nil, figures are passed to it instead of yielded (counting only).
func (m *Melodi) decode(e *fetch.Engine, ds *dataset, mp *mapper, keys []string, keep func(indicator.Figure) bool) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		var rates *rateAcc
		if ds.Rates {
			rates = newRateAcc()
		}
		emit := yield
		if keep != nil {
			emit = func(f indicator.Figure, err error) bool {
				if err != nil {
					return yield(f, err)
				}
				return keep(f)
			}
		}
		stop := errors.New("stopped")
		for _, key := range keys {
			ent, err := e.Lookup(m.host, fetch.Request{Key: key})
			if err != nil || ent == nil {
				if err == nil {
					err = fmt.Errorf("%s: not in the cache", key)
				}
				emit(indicator.Figure{}, err)
				return
			}
			err = m.decodeEntry(ent, func(o *obs) error {
				f, ok := mp.figure(o)
				switch {
				case !ok:
				case rates != nil:
					rates.add(f)
				case !emit(f, nil):
					return stop
				}
				return nil
			})
			if err == stop {
				return
			}
			if err != nil {
				emit(indicator.Figure{}, fmt.Errorf("decode %s: %w", key, err))
				return
			}
		}
		if rates != nil {
			for f := range rates.figures(ds, mp) {
				if !emit(f, nil) {
					return
				}
			}
		}
	}
}

// decodeEntry decodes one cached file product or page.
func (m *Melodi) decodeEntry(ent *fetch.Entry, fn func(*obs) error) error {
	f, err := ent.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasPrefix(ent.Key, "melodi/file/") {
		_, err = decodeFile(f, ent.Size, fn)
		return err
	}
	_, _, err = decodeData(fetch.BufReader(f), fn)
	return err
}

var jsonAccept = http.Header{"Accept": {"application/json"}}

// notesSuffix appends notes to an error message.
func notesSuffix(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}
