package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/sync/errgroup"
)

// Host is one API host: its limiter, its HTTP client and what is peculiar
// about its answers. Every worker that calls the host shares the Host, and
// so its Limiter. Use a *Host: it holds counters.
type Host struct {
	// Name names the host in the cache (a directory) and in logs: "insee".
	Name string
	// Limiter paces every call to the host. Required.
	Limiter *Limiter
	// Client makes the calls; nil means the engine's client. An OAuth2
	// client (golang.org/x/oauth2/clientcredentials Config.Client) carries
	// its credentials here.
	Client *http.Client
	// Header is added to every request: an API key goes here. It is never
	// logged nor cached, and never sent outside Origins.
	Header http.Header
	// Origins are the base URLs ("https://api.insee.fr/melodi": only the
	// scheme, host and port count) that may receive the host's credentials:
	// Header, and what Client adds (an OAuth2 bearer token). A request to
	// any other origin, a redirect included, leaves without them, through
	// the engine's plain client. Empty: the origin of each request's URL.
	Origins []string
	// RateHint, if set, sees every answer's status and headers, and the
	// start of the body of answers that are not kept (nil otherwise), and
	// returns how long the whole host must pause before its next call (0:
	// no pause). It serves APIs that announce their limits, like URSSAF's
	// X-RateLimit-Remaining / X-RateLimit-Reset headers and its 429 body's
	// reset_time. The longer of its answer and Retry-After wins.
	RateHint func(status int, h http.Header, body []byte) time.Duration
	// KeepStatus, if set, says whether an answer with a status other than
	// 2xx is data to cache rather than an error: INSEE DDL answers 404
	// "Aucune cellule ne correspond a la requête" for a zone where a cube
	// is not published. body is the start of the answer.
	KeepStatus func(status int, body []byte) bool

	stats counters
}

// Stats returns the host's counters.
func (h *Host) Stats() Stats { return h.stats.get() }

// Request is one GET request.
type Request struct {
	// URL is the full URL, query included. It must not carry credentials.
	URL string
	// Key identifies the request in the cache; "" means URL.
	Key string
	// Header holds per-request headers (Accept).
	Header http.Header
	// Vintage is the edition of the data asked for. A cached entry is reused
	// without a call only if its vintage is the same.
	Vintage string
	// Revalidate asks the server whether an entry cached for this vintage
	// changed (If-None-Match, If-Modified-Since); a 304 keeps it.
	Revalidate bool
	// Validate, if set, checks a downloaded body before it is cached;
	// an error counts as a damaged answer and the request is retried.
	Validate func(status int, body io.Reader) error
}

func (r Request) key() string {
	if r.Key != "" {
		return r.Key
	}
	return r.URL
}

// String names the request in errors and logs: "GET https://...".
func (r Request) String() string { return "GET " + redact(r.URL) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// Budget bounds a run. Zero fields mean no bound.
type Budget struct {
	Calls    int           // calls (attempts included) the run may make
	Duration time.Duration // time after which the run starts no new call
}

// Retry is the retry policy.
type Retry struct {
	Attempts int           // attempts per request, the first included
	Base     time.Duration // first backoff; doubles at each attempt
	Max      time.Duration // longest backoff and longest honoured Retry-After
}

// Options configure an Engine. Zero fields take the defaults shown.
type Options struct {
	Cache        *Cache        // nil: a temporary cache removed by Close
	Workers      int           // concurrent requests: 4
	Budget       Budget        // no bound
	Retry        Retry         // 6 attempts, 1 s doubling up to 2 min
	StallTimeout time.Duration // longest wait for the headers, then for each next 16 KiB of the body: 60 s
	MaxBody      int64         // largest body accepted, in bytes: DefaultMaxBody (2 GiB)
	Client       *http.Client  // a client keeping a connection per worker alive
	Logger       *slog.Logger  // discard; also the cache's logger if it has none
}

// Engine runs requests against Hosts, with the cache, the retry policy and
// the budget. It is safe for concurrent use.
type Engine struct {
	cache   *Cache
	tmpDir  string
	workers int
	budget  Budget
	retry   Retry
	stall   time.Duration
	maxBody int64
	client  *http.Client
	log     *slog.Logger

	start    time.Time
	deadline time.Time
	spent    atomic.Int64 // calls counted against the budget
	stats    counters
}

// NewEngine returns an engine. Close it to remove a temporary cache.
func NewEngine(opts Options) (*Engine, error) {
	e := &Engine{
		cache:   opts.Cache,
		workers: orDefault(opts.Workers, 4),
		budget:  opts.Budget,
		retry: Retry{
			Attempts: orDefault(opts.Retry.Attempts, 6),
			Base:     orDefault(opts.Retry.Base, time.Second),
			Max:      orDefault(opts.Retry.Max, 2*time.Minute),
		},
		stall:   orDefault(opts.StallTimeout, 60*time.Second),
		maxBody: orDefault(opts.MaxBody, DefaultMaxBody),
		client:  opts.Client,
		log:     opts.Logger,
		start:   time.Now(),
	}
	if e.client == nil {
		// http.DefaultTransport keeps 2 idle connections per host: the other
		// workers would open one per call, adding latency and jitter.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = e.workers
		e.client = &http.Client{Transport: t}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.budget.Duration > 0 {
		e.deadline = e.start.Add(e.budget.Duration)
	}
	if e.cache == nil {
		dir, err := os.MkdirTemp("", "territoires-fetch-")
		if err != nil {
			return nil, fmt.Errorf("new engine: %w", err)
		}
		e.cache, e.tmpDir = &Cache{Dir: dir}, dir
	}
	if e.cache.Logger == nil && opts.Logger != nil {
		e.cache.Logger = opts.Logger
	}
	return e, nil
}

// MaxBody is the largest answer body the engine accepts, in bytes: a
// plan can print it ("answers over 2 GiB are refused": Size(e.MaxBody())).
func (e *Engine) MaxBody() int64 { return e.maxBody }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Close removes the temporary cache, if the engine made one, and closes
// idle connections.
func (e *Engine) Close() error {
	e.client.CloseIdleConnections()
	if e.tmpDir == "" {
		return nil
	}
	return os.RemoveAll(e.tmpDir)
}

// Cache returns the engine's cache.
func (e *Engine) Cache() *Cache { return e.cache }

// Stats returns the counters of every host together.
func (e *Engine) Stats() Stats { return e.stats.get() }

// Logger returns the engine's logger, never nil: API packages log through it.
func (e *Engine) Logger() *slog.Logger { return e.log }

// Cached reports whether Fetch would answer req from the cache without a
// call. Plans use it.
func (e *Engine) Cached(h *Host, req Request) (bool, error) {
	ent, err := e.cache.Lookup(h.Name, req.key())
	return ent != nil && ent.Vintage == req.Vintage && !req.Revalidate, err
}

// Lookup returns the cached entry of req whatever its vintage, or nil.
// Decoders reading the cache offline use it.
func (e *Engine) Lookup(h *Host, req Request) (*Entry, error) {
	return e.cache.Lookup(h.Name, req.key())
}

// Fetch returns the answer to req: from the cache if it holds one for the
// request's vintage, otherwise from the host, retrying as the policy says.
// The returned Entry's body is on disk; open it with Entry.Open.
// Fetch does not serialise calls for the same key: callers do not ask for
// the same request twice at once.
func (e *Engine) Fetch(ctx context.Context, h *Host, req Request) (*Entry, error) {
	cached, err := e.cache.Lookup(h.Name, req.key())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req, err)
	}
	if cached != nil && cached.Vintage == req.Vintage && !req.Revalidate {
		h.stats.hits.Add(1)
		e.stats.hits.Add(1)
		cached.Origin = FromCache
		return cached, nil
	}
	for attempt := 1; ; attempt++ {
		if err := e.spend(ctx, h); err != nil {
			return nil, fmt.Errorf("%s: %w", req, err)
		}
		ent, wait, err := e.attempt(ctx, h, req, cached)
		if err == nil {
			return ent, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", req, context.Cause(ctx))
		}
		if errors.Is(err, ErrBudget) {
			return nil, fmt.Errorf("%s: %w", req, err)
		}
		if wait < 0 || attempt >= e.retry.Attempts {
			h.stats.failures.Add(1)
			e.stats.failures.Add(1)
			if wait >= 0 {
				return nil, fmt.Errorf("%s: giving up after %d attempts: %w", req, attempt, err)
			}
			return nil, fmt.Errorf("%s: %w", req, err)
		}
		wait = max(wait, e.backoff(attempt))
		e.log.Warn("retrying", "request", req.String(), "attempt", attempt, "wait", wait.Round(time.Millisecond), "err", err)
		h.stats.retries.Add(1)
		e.stats.retries.Add(1)
		if !e.deadline.IsZero() && time.Now().Add(wait).After(e.deadline) {
			return nil, fmt.Errorf("%s: %w", req, ErrBudget)
		}
		if err := sleepUntil(ctx, time.Now().Add(wait), time.Now); err != nil {
			return nil, fmt.Errorf("%s: %w", req, err)
		}
	}
}

// spend takes one call from the budget and waits for the host's limiter.
func (e *Engine) spend(ctx context.Context, h *Host) error {
	if e.budget.Calls > 0 && e.spent.Add(1) > int64(e.budget.Calls) {
		return ErrBudget
	}
	if err := h.Limiter.Wait(ctx, e.deadline); err != nil {
		return err
	}
	h.stats.calls.Add(1)
	e.stats.calls.Add(1)
	return nil
}

// Exhausted reports whether the budget is spent.
func (e *Engine) Exhausted() bool {
	return (e.budget.Calls > 0 && e.spent.Load() >= int64(e.budget.Calls)) ||
		(!e.deadline.IsZero() && !time.Now().Before(e.deadline))
}

// backoff is the exponential backoff with full jitter before attempt n+1.
func (e *Engine) backoff(n int) time.Duration {
	d := e.retry.Base << min(n-1, 20)
	if d <= 0 || d > e.retry.Max {
		d = e.retry.Max
	}
	return d/2 + rand.N(d/2+1)
}

const peekSize = 64 << 10

// attempt makes one call. On failure, wait is the least time to wait before
// the next attempt, or negative if the request must not be retried.
func (e *Engine) attempt(ctx context.Context, h *Host, req Request, cached *Entry) (_ *Entry, wait time.Duration, _ error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if !e.deadline.IsZero() {
		// The budget ends a call in flight too, not only the next one.
		var cancelDeadline context.CancelFunc
		actx, cancelDeadline = context.WithDeadlineCause(actx, e.deadline, ErrBudget)
		defer cancelDeadline()
	}
	watchdog := time.AfterFunc(e.stall, func() { cancel(ErrStalled) })
	defer watchdog.Stop()
	// failed names why the call ended early: the caller's context, the
	// budget, the watchdog, or else err itself.
	headers := false
	failed := func(err error) error {
		switch cause := context.Cause(actx); {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(cause, ErrBudget):
			return ErrBudget
		case errors.Is(cause, ErrStalled) && !headers:
			return fmt.Errorf("%w: no answer in %v (stall_timeout)", ErrStalled, e.stall)
		case errors.Is(cause, ErrStalled):
			return fmt.Errorf("%w: less than %d KiB of body in %v (stall_timeout)", ErrStalled, minProgress>>10, e.stall)
		}
		return err
	}

	hreq, err := http.NewRequestWithContext(actx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, -1, err
	}
	for k, vs := range h.Header {
		hreq.Header[k] = vs
	}
	for k, vs := range req.Header {
		hreq.Header[k] = vs
	}
	if cached != nil {
		// Validators come from the cache's metadata: a value that is not a
		// valid header would make every revalidation fail.
		if httpguts.ValidHeaderFieldValue(cached.ETag) && cached.ETag != "" {
			hreq.Header.Set("If-None-Match", cached.ETag)
		}
		if httpguts.ValidHeaderFieldValue(cached.LastModified) && cached.LastModified != "" {
			hreq.Header.Set("If-Modified-Since", cached.LastModified)
		}
	}
	resp, err := e.clientFor(h, hreq.URL).Do(hreq)
	if err != nil {
		err = failed(err)
		if errors.Is(err, ErrBudget) {
			return nil, -1, err
		}
		if !errors.Is(err, ErrStalled) && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ErrTransport, err)
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	headers = true
	watchdog.Reset(e.stall)
	body := &stallReader{r: resp.Body, timer: watchdog, d: e.stall}

	status := resp.StatusCode
	var peek []byte
	keep := status >= 200 && status < 300
	if !keep && status != http.StatusNotModified {
		peek, _ = io.ReadAll(io.LimitReader(body, peekSize))
		keep = h.KeepStatus != nil && h.KeepStatus(status, peek)
	}
	if h.RateHint != nil {
		var hintBody []byte
		if !keep {
			hintBody = peek
		}
		wait = h.RateHint(status, resp.Header, hintBody)
	}
	if ra := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ra > wait {
		wait = ra
	}
	wait = min(wait, e.retry.Max)
	if status == http.StatusTooManyRequests || (keep && wait > 0) {
		// Pause every worker, not only this one: the quota is the host's.
		h.Limiter.PauseFor(max(wait, e.backoff(1)))
	}

	switch {
	case status == http.StatusNotModified && cached != nil:
		ent, err := e.cache.touch(h.Name, cached, req.Vintage, time.Now())
		if err != nil {
			return nil, -1, err
		}
		h.stats.notModified.Add(1)
		e.stats.notModified.Add(1)
		ent.Origin = FromNotModified
		return ent, 0, nil
	case !keep:
		sentinel, retry := statusErr(status)
		if !retry {
			wait = -1
		}
		return nil, wait, &ResponseError{Status: status, Body: snippet(peek), Err: sentinel}
	}

	tooLarge := fmt.Errorf("%w: more than %v, the limit (max_body)", ErrTooLarge, Size(e.maxBody))
	if resp.ContentLength > e.maxBody {
		return nil, -1, tooLarge
	}
	p, err := e.cache.create(h.Name, req.key())
	if err != nil {
		return nil, -1, err
	}
	hw := newHashingWriter(p.f)
	// One byte more than the limit tells an answer of exactly the limit
	// from a longer one, without keeping more than that on disk.
	_, err = io.Copy(hw, io.LimitReader(io.MultiReader(bytes.NewReader(peek), body), e.maxBody+1))
	h.stats.bytes.Add(hw.n)
	e.stats.bytes.Add(hw.n)
	if err != nil {
		p.discard()
		if err := failed(nil); err != nil {
			if errors.Is(err, ErrBudget) {
				return nil, -1, err
			}
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("%w after %d bytes: %w", ErrTruncated, hw.n, err)
	}
	switch {
	case hw.n > e.maxBody:
		p.discard()
		return nil, -1, tooLarge
	case hw.n == 0:
		// No API of ours answers an empty body; an empty entry would be
		// refused by Cache.Lookup at every later run.
		p.discard()
		return nil, 0, fmt.Errorf("%w: empty answer", ErrInvalidBody)
	}
	if req.Validate != nil {
		if _, err := p.f.Seek(0, io.SeekStart); err != nil {
			p.discard()
			return nil, -1, fmt.Errorf("cache: %w", err)
		}
		if err := req.Validate(status, bufReader(p.f)); err != nil {
			p.discard()
			return nil, 0, fmt.Errorf("%w: %w", ErrInvalidBody, err)
		}
	}
	now := time.Now()
	ent, err := p.commit(Meta{
		URL:          redact(req.URL),
		Status:       status,
		Vintage:      req.Vintage,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		Size:         hw.n,
		SHA256:       hw.sum(),
		Fetched:      now,
		Checked:      now,
	})
	if err != nil {
		return nil, -1, err
	}
	ent.Origin = FromNetwork
	return ent, 0, nil
}

// minProgress is what a body must bring within each StallTimeout.
const minProgress = 16 << 10

// stallReader pushes the stall watchdog back each time the body has
// brought minProgress more bytes. It used to push it back at every read
// that returned a byte, so a body trickling one byte a second never
// stalled: the watchdog measured silence, not progress. 16 KiB a minute
// (273 B/s) is far below any real link, and far above a trickle.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
	n     int // bytes since the watchdog was last pushed back
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += n
	if s.n >= minProgress {
		s.timer.Reset(s.d)
		s.n = 0
	}
	return n, err
}

// Job is one unit of work for Engine.Run: usually a Fetch and a decode,
// or a chain of page fetches.
type Job func(ctx context.Context) error

// Run runs jobs on Options.Workers workers (errgroup.SetLimit) and returns
// the first error, which cancels the others. A job that fails with ErrBudget
// does not cancel the others: Run starts no new job, waits for the running
// ones and returns ErrBudget. Jobs that should not stop the run on their
// own failure handle it themselves and return nil.
func (e *Engine) Run(ctx context.Context, jobs iter.Seq[Job]) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.workers)
	var exhausted atomic.Bool
	for job := range jobs {
		if gctx.Err() != nil {
			break
		}
		if exhausted.Load() || e.Exhausted() {
			exhausted.Store(true)
			break
		}
		g.Go(func() error {
			err := job(gctx)
			if errors.Is(err, ErrBudget) {
				exhausted.Store(true)
				return nil
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if exhausted.Load() {
		return ErrBudget
	}
	return nil
}

// FetchAll fetches every request on the worker pool and hands each answer,
// or its error, to handle; a non-nil error from handle stops the run.
// ErrBudget ends the run cleanly as in Run.
func (e *Engine) FetchAll(ctx context.Context, h *Host, reqs iter.Seq[Request], handle func(Request, *Entry, error) error) error {
	return e.Run(ctx, func(yield func(Job) bool) {
		for req := range reqs {
			job := func(ctx context.Context) error {
				ent, err := e.Fetch(ctx, h, req)
				if err != nil && (errors.Is(err, ErrBudget) || ctx.Err() != nil) {
					return err
				}
				return handle(req, ent, err)
			}
			if !yield(job) {
				return
			}
		}
	})
}

// Stats counts what a run did.
type Stats struct {
	Calls       int64 // HTTP calls made, retries included
	CacheHits   int64 // requests answered by the cache without a call
	NotModified int64 // calls answered 304: the cached entry was kept
	Retries     int64 // attempts that failed and were retried
	Failures    int64 // requests given up
	Bytes       int64 // body bytes downloaded
}

type counters struct {
	calls, hits, notModified, retries, failures, bytes atomic.Int64
}

func (c *counters) get() Stats {
	return Stats{
		Calls:       c.calls.Load(),
		CacheHits:   c.hits.Load(),
		NotModified: c.notModified.Load(),
		Retries:     c.retries.Load(),
		Failures:    c.failures.Load(),
		Bytes:       c.bytes.Load(),
	}
}
