package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"
	"time"

	"territoires/geo"
	"territoires/indicator"
)

// Source is one producer of figures: INSEE MELODI, INSEE Données Locales,
// URSSAF. A Source is built for one referential and one Host, plans its
// requests, fills the cache through the Engine, and reads the cache back.
type Source interface {
	// Name names the source in plans and logs: "melodi", "ddl", "urssaf".
	Name() string
	// Plan counts, without any call, the requests a full refresh needs and
	// how many of them the cache already answers.
	Plan(ctx context.Context, e *Engine) (Plan, error)
	// Fetch fills the cache, running its requests on e (Engine.Run or
	// Engine.FetchAll). It returns ErrBudget, wrapped or not, when the
	// engine's budget stops it.
	Fetch(ctx context.Context, e *Engine) error
	// Figures decodes what the cache holds, without any call. Missing
	// entries are skipped; a damaged one yields an error and the iteration
	// goes on.
	Figures(ctx context.Context, e *Engine) iter.Seq2[indicator.Figure, error]
}

// Plan is what a refresh of one source costs.
type Plan struct {
	Source    string
	Calls     int  // requests a full refresh needs, cached or not
	Cached    int  // of which the cache answers for the current vintage
	Estimated bool // Calls includes an estimate (pages not yet seen)
	Notes     []string
	// Host is the host whose quota the calls spend.
	Host *Host
}

// Missing is the number of calls still to make.
func (p Plan) Missing() int { return max(p.Calls-p.Cached, 0) }

// Duration is the time the missing calls take at the host's quota.
func (p Plan) Duration() time.Duration {
	if p.Host == nil || p.Host.Limiter == nil {
		return 0
	}
	l := p.Host.Limiter
	return time.Duration(p.Missing()) * l.Window() / time.Duration(l.Allowed())
}

// A Provider makes the Source of one API. Each API package (fetch/melodi,
// fetch/ddl, fetch/urssaf) registers its own in an init function, as
// database/sql drivers do; the program imports them for that effect.
type Provider struct {
	Name string // "melodi", "ddl", "urssaf": the value of cfg.Source for INSEE providers
	API  string // "insee" or "urssaf": which host, and so which quota, its calls spend
	New  func(cfg Config, ref *geo.Referential, h *Host) (Source, error)
}

var (
	providersMu sync.Mutex
	providers   = map[string]Provider{}
)

// Register makes a provider available to Refresh and OpenStore. It panics
// if the name is registered twice.
func Register(p Provider) {
	providersMu.Lock()
	defer providersMu.Unlock()
	if _, dup := providers[p.Name]; dup {
		panic("fetch: provider " + p.Name + " registered twice")
	}
	providers[p.Name] = p
}

func provider(name string) (Provider, bool) {
	providersMu.Lock()
	defer providersMu.Unlock()
	p, ok := providers[name]
	return p, ok
}

// FailureLog collects the requests of a run that failed for good, so that
// one bad request does not stop the others. Safe for concurrent use.
type FailureLog struct {
	mu    sync.Mutex
	n     int
	first []error
}

// Add records a failure.
func (f *FailureLog) Add(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if len(f.first) < 5 {
		f.first = append(f.first, err)
	}
}

// Err summarises the failures, nil if none.
func (f *FailureLog) Err(source string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		return nil
	}
	return fmt.Errorf("%s: %d requests failed: %w", source, f.n, errors.Join(f.first...))
}

// KeepStatus says whether an INSEE answer with a status other than 2xx is
// data to cache: Données Locales answers 404 "Aucune cellule ne correspond
// a la requête" for a zone where a cube is not published.
func ddlKeepStatus(status int, body []byte) bool {
	return status == http.StatusNotFound && bytes.Contains(body, []byte("Aucune cellule"))
}

// parseDDLCube checks the form of a Données Locales cube, croisement@jeu;
// the DDL provider checks that it knows the croisement.
func parseDDLCube(s string) (struct{}, error) {
	cr, jeu, ok := strings.Cut(s, "@")
	if !ok || cr == "" || jeu == "" {
		return struct{}{}, fmt.Errorf("%q, want croisement@jeu, e.g. IND_POPLEGALES@POPLEG2021", s)
	}
	return struct{}{}, nil
}

// INSEEHost returns the host shared by MELODI and Données Locales (same
// gateway, same quota), for API packages and their tests.
func (c Config) INSEEHost(ctx context.Context) (*Host, error) { return c.inseeHost(ctx) }

// BufReader buffers a cached body for decoding.
func BufReader(r io.Reader) io.Reader { return bufReader(r) }
