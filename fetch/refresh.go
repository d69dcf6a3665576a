package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/errgroup"

	"territoires/geo"
	"territoires/indicator"
)

// RefreshOptions tune Refresh.
type RefreshOptions struct {
	// Plan prints the plan and makes no call (fetch --plan).
	Plan bool
	// Out receives the plan and the summary, for people; nil discards them.
	Out io.Writer
	// Logger receives progress and retries; nil discards them.
	Logger *slog.Logger
	// ProgressEvery is the interval of progress lines in the log: 10 s.
	ProgressEvery time.Duration
	// Client makes every call (tests, proxies); nil: http.DefaultClient.
	// With OAuth2 credentials, it also fetches the tokens.
	Client *http.Client
}

// Summary is the outcome of a refresh.
type Summary struct {
	Plans    []Plan        // per source, before the run
	Stats    Stats         // calls, cache hits... of the run
	Stopped  bool          // the budget stopped the run: start it again to resume
	Duration time.Duration // wall time of the run
	// Failed lists the datasets whose refresh failed: their last good
	// figures stay in the cache.
	Failed []string
}

// Refresh plans, or runs, the refresh of every configured source: the INSEE
// source chosen by cfg.Source (MELODI by default) and URSSAF when its client
// is built in. It writes the plan to opts.Out, then fills the cache at
// cfg.CacheDir. A run stopped by the budget returns a Summary with Stopped
// set and a nil error: the cache is valid and the next run resumes. A
// request that fails for good is reported in the error once the others are
// done; missing or refused credentials (401, 403) stop everything at once.
func Refresh(ctx context.Context, cfg Config, ref *geo.Referential, opts RefreshOptions) (Summary, error) {
	start := time.Now()
	var sum Summary
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	cache, err := OpenCache(cfg.CacheDir)
	if err != nil {
		return sum, fmt.Errorf("refresh: %w", err)
	}
	eopts := cfg.engineOptions(cache)
	eopts.Logger = log
	eopts.Client = opts.Client
	if opts.Client != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, opts.Client)
	}
	e, err := NewEngine(eopts)
	if err != nil {
		return sum, fmt.Errorf("refresh: %w", err)
	}
	defer e.Close()
	sources, err := buildSources(ctx, cfg, ref, log)
	if err != nil {
		return sum, fmt.Errorf("refresh: %w", err)
	}

	for _, s := range sources {
		p, err := s.Plan(ctx, e)
		if err != nil {
			return sum, fmt.Errorf("refresh: plan %s: %w", s.Name(), err)
		}
		sum.Plans = append(sum.Plans, p)
		writePlan(out, p)
	}
	fmt.Fprintf(out, "answers over %s are refused (max_body)\n", Size(e.MaxBody()))
	if opts.Plan {
		sum.Duration = time.Since(start)
		return sum, nil
	}

	stop := progress(ctx, e, log, orDefault(opts.ProgressEvery, 10*time.Second))
	// Sources on different hosts run side by side; each host's limiter
	// keeps its own quota.
	g, gctx := errgroup.WithContext(ctx)
	var failures []error
	var stopped atomic.Bool
	errs := make([]error, len(sources))
	for i, s := range sources {
		g.Go(func() error {
			err := s.Fetch(gctx, e)
			switch {
			case err == nil:
			case errors.Is(err, ErrBudget):
				stopped.Store(true)
			case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrForbidden), gctx.Err() != nil:
				return err
			default:
				errs[i] = err
			}
			return nil
		})
	}
	err = g.Wait()
	stop()
	sum.Stopped = stopped.Load()
	sum.Stats = e.Stats()
	sum.Duration = time.Since(start)
	for _, e := range errs {
		if e != nil {
			failures = append(failures, e)
		}
	}
	fmt.Fprintf(out, "fetch: %d calls, %d cache hits, %d not modified, %d retries, %d failed, %.1f MB in %s\n",
		sum.Stats.Calls, sum.Stats.CacheHits, sum.Stats.NotModified, sum.Stats.Retries, sum.Stats.Failures,
		float64(sum.Stats.Bytes)/1e6, sum.Duration.Round(time.Second))
	if sum.Stopped {
		fmt.Fprintln(out, "fetch: budget reached; the cache is valid, run fetch again to resume")
	}
	if err != nil {
		return sum, fmt.Errorf("refresh: %w", err)
	}
	if len(failures) > 0 {
		err := errors.Join(failures...)
		if sum.Failed = FailedDatasets(err); len(sum.Failed) > 0 {
			fmt.Fprintf(out, "fetch: %d datasets failed: %s; their last good figures stay in the cache\n",
				len(sum.Failed), strings.Join(sum.Failed, ", "))
		}
		return sum, fmt.Errorf("refresh: %w", err)
	}
	return sum, nil
}

// writePlan prints one plan line and its notes.
func writePlan(w io.Writer, p Plan) {
	approx := ""
	if p.Estimated {
		approx = "~"
	}
	fmt.Fprintf(w, "%-7s %s%d calls, %d cached, %s%d to make, %s at the quota\n",
		p.Source, approx, p.Calls, p.Cached, approx, p.Missing(), p.Duration().Round(time.Second))
	for _, n := range p.Notes {
		fmt.Fprintf(w, "        %s\n", n)
	}
}

// progress logs the engine's counters every interval until stopped.
func progress(ctx context.Context, e *Engine, log *slog.Logger, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s := e.Stats()
				log.Info("fetch progress", "calls", s.Calls, "cache_hits", s.CacheHits, "retries", s.Retries, "failed", s.Failures, "mb", s.Bytes/1e6)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// buildSources returns the configured sources.
func buildSources(ctx context.Context, cfg Config, ref *geo.Referential, log *slog.Logger) ([]Source, error) {
	var sources []Source
	add := func(name string, host func() (*Host, error)) error {
		p, ok := provider(name)
		if !ok {
			log.Warn("the client of " + name + " is not built in: skipped")
			return nil
		}
		h, err := host()
		if err != nil {
			return err
		}
		s, err := p.New(cfg, ref, h)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sources = append(sources, s)
		return nil
	}
	if slices.Contains(cfg.Sources, "insee") {
		// One host, so one limiter: MELODI (or DDL) and the Métadonnées API
		// spend the same INSEE quota.
		var insee *Host
		inseeHost := func() (h *Host, err error) {
			if insee == nil {
				insee, err = cfg.inseeHost(ctx)
			}
			return insee, err
		}
		if err := add(cfg.Source, inseeHost); err != nil {
			return nil, err
		}
		if err := add("metadonnees", inseeHost); err != nil {
			return nil, err
		}
	}
	if slices.Contains(cfg.Sources, "urssaf") {
		if err := add("urssaf", cfg.urssafHost); err != nil {
			return nil, err
		}
	}
	return sources, nil
}

// Store reads the figures of the cache, without any call: the builder's
// data source.
type Store struct {
	e       *Engine
	sources []Source
}

// OpenStore opens the cache of cfg for reading. What the sources report
// while decoding (URSSAF's check of the région totals, unknown commune
// codes) goes to log; nil discards it.
func OpenStore(cfg Config, ref *geo.Referential, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cache, err := OpenCache(cfg.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	opts := cfg.engineOptions(cache)
	opts.Logger = log
	e, err := NewEngine(opts)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Credentials are not needed to read the cache.
	cfg.creds = nil
	sources, err := buildSources(context.Background(), cfg, ref, log)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{e: e, sources: sources}, nil
}

// Figures streams every cached figure, source by source. An entry that
// does not decode yields an error and the stream goes on; a missing entry
// yields nothing. Figures keeps one cached answer in memory at a time.
func (s *Store) Figures(ctx context.Context) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		for _, src := range s.sources {
			for f, err := range src.Figures(ctx, s.e) {
				if !yield(f, err) {
					return
				}
			}
		}
	}
}

// Close releases the store.
func (s *Store) Close() error { return s.e.Close() }
