package fetchtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Gateway.
type Options struct {
	// Quota is the calls allowed in any Window; 0 means no limit. Beyond
	// it the server answers 429 with a Retry-After.
	Quota  int
	Window time.Duration // 60 s if zero
	// Delay is how long FaultSlow and FaultStall keep a client waiting: 2 s.
	Delay time.Duration
}

// Fault is a misbehaviour injected into the next answers.
type Fault int

const (
	Fault429         Fault = iota // 429 Too Many Requests, Retry-After: 1
	Fault500                      // 500 with INSEE's plain-text message
	FaultSlow                     // no header for Options.Delay, then the answer
	FaultStall                    // half the body, a pause of Options.Delay, the rest
	FaultTruncate                 // half the body, Content-Length of the whole, then close
	FaultInvalidJSON              // 200 with a body that is not JSON
	Fault403                      // 403 Forbidden
)

// Handler answers one call that passed the gateway: status, headers, body.
type Handler func(r *http.Request) (int, http.Header, []byte)

// Gateway is a fake API gateway on loopback: it counts calls, enforces a
// quota over a sliding window, injects faults and holds calls, then hands
// each call to the API's Handler. Its methods are safe for concurrent use.
type Gateway struct {
	// URL is the gateway's base.
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	arrivals []time.Time    // every call, rejected or not
	accepted []time.Time    // calls not rejected by the quota
	calls    map[string]int // calls per request key
	answered map[string]int // complete 200 (or kept 404) answers per request key
	rejected int            // 429s sent because of the quota
	faults   []Fault        // queued faults, first next
	hold     *hold
}

type hold struct {
	from     int           // arrival number (1-based) from which calls are held
	arrived  chan struct{} // closed when call number from arrives
	released chan struct{}
	once     sync.Once
}

// New starts a fake gateway on loopback; routes registers the API's
// handlers, each wrapped by gate ("GET /melodi/data/{dataset}"). Close it
// when done.
func New(opts Options, routes func(mux *http.ServeMux, gate func(Handler) http.HandlerFunc)) *Gateway {
	if opts.Window == 0 {
		opts.Window = time.Minute
	}
	if opts.Delay == 0 {
		opts.Delay = 2 * time.Second
	}
	s := &Gateway{
		opts:     opts,
		calls:    map[string]int{},
		answered: map[string]int{},
	}
	mux := http.NewServeMux()
	routes(mux, s.gate)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, releasing held calls.
func (s *Gateway) Close() {
	s.Release()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Inject queues n faults of one kind for the next calls.
func (s *Gateway) Inject(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// HoldFrom makes call number n (counting from 1, every call) and all later
// ones wait until Release or Close. The returned channel is closed when
// call n arrives.
func (s *Gateway) HoldFrom(n int) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = &hold{from: n, arrived: make(chan struct{}), released: make(chan struct{})}
	return s.hold.arrived
}

// Release lets held calls go on.
func (s *Gateway) Release() {
	s.mu.Lock()
	h := s.hold
	s.hold = nil
	s.mu.Unlock()
	if h != nil {
		h.once.Do(func() { close(h.released) })
	}
}

// Stats is what the server saw.
type Stats struct {
	Calls       int // every call
	Rejected    int // 429s sent because the quota was exceeded
	MaxInWindow int // most calls in any window of Options.Window
	// Answered counts complete answers with data (200, or a DDL 404) per
	// request key; Repeated lists the keys answered more than once.
	Answered map[string]int
	Repeated []string
	PerKey   map[string]int // calls per request key
}

// Stats returns a snapshot of the counters.
func (s *Gateway) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Calls:       len(s.arrivals),
		Rejected:    s.rejected,
		MaxInWindow: MaxInWindow(s.arrivals, s.opts.Window),
		Answered:    make(map[string]int, len(s.answered)),
		PerKey:      make(map[string]int, len(s.calls)),
	}
	for k, n := range s.answered {
		st.Answered[k] = n
		if n > 1 {
			st.Repeated = append(st.Repeated, k)
		}
	}
	for k, n := range s.calls {
		st.PerKey[k] = n
	}
	slices.Sort(st.Repeated)
	return st
}

// Arrivals returns the arrival time of every call, in order.
func (s *Gateway) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.arrivals)
}

// MaxInWindow returns the most calls of times (sorted) that fall in any
// closed interval of length w.
func MaxInWindow(times []time.Time, w time.Duration) int {
	most, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) > w {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// Key normalises a request into the key calls are counted by: path and
// sorted query.
func Key(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// gate counts a call, enforces the quota, applies holds and faults, and
// hands the call to h, which returns the status and body to send.
func (s *Gateway) gate(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := Key(r.URL)
		now := time.Now()
		s.mu.Lock()
		s.arrivals = append(s.arrivals, now)
		s.calls[key]++
		n := len(s.arrivals)
		hd := s.hold
		if hd != nil && n == hd.from {
			close(hd.arrived)
		}
		s.mu.Unlock()
		if hd != nil && n >= hd.from {
			select {
			case <-hd.released:
			case <-r.Context().Done():
				return
			}
		}

		s.mu.Lock()
		if s.opts.Quota > 0 {
			lo := now.Add(-s.opts.Window)
			i, _ := slices.BinarySearchFunc(s.accepted, lo, func(t, lo time.Time) int { return t.Compare(lo) })
			if len(s.accepted)-i >= s.opts.Quota {
				s.rejected++
				retry := s.accepted[i].Add(s.opts.Window).Sub(now)
				s.mu.Unlock()
				w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
				http.Error(w, `{"message":"Too Many Requests"}`, http.StatusTooManyRequests)
				return
			}
			s.accepted = append(s.accepted, now)
		}
		var fault Fault = -1
		if len(s.faults) > 0 {
			fault, s.faults = s.faults[0], s.faults[1:]
		}
		s.mu.Unlock()

		switch fault {
		case Fault429:
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"Too Many Requests"}`, http.StatusTooManyRequests)
			return
		case Fault500:
			http.Error(w, "Le serveur a rencontré une erreur inattendue.", http.StatusInternalServerError)
			return
		case Fault403:
			http.Error(w, `{"message":"Forbidden"}`, http.StatusForbidden)
			return
		case FaultSlow:
			if !sleep(r, s.opts.Delay) {
				return
			}
		}

		status, header, body := h(r)
		for k, v := range header {
			w.Header()[k] = v
		}
		if status == http.StatusNotModified {
			w.WriteHeader(status)
			return
		}
		switch fault {
		case FaultInvalidJSON:
			body = append([]byte(`{"observations":[{"dimensions":`), "<html>oops</html>"...)
		case FaultTruncate:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			w.Write(body[:len(body)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler) // close the connection mid-body
		case FaultStall:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			w.Write(body[:len(body)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			if !sleep(r, s.opts.Delay) {
				return
			}
			if _, err := w.Write(body[len(body)/2:]); err == nil && (status == http.StatusOK) {
				s.answer(key)
			}
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		if _, err := w.Write(body); err != nil {
			return
		}
		if status == http.StatusOK || (status == http.StatusNotFound && strings.Contains(string(body), "Aucune cellule")) {
			s.answer(key)
		}
	}
}

func (s *Gateway) answer(key string) {
	s.mu.Lock()
	s.answered[key]++
	s.mu.Unlock()
}

func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
