// Package urssaftest is a fake of the URSSAF open-data portal, an
// OpenDataSoft Explore API v2.1, on loopback: dataset metadata, records
// (with the portal's caps) and streamed exports of deterministic, plausible
// data generated from a list of communes, with the portal's quota headers,
// its 429 answers, and faults injected on demand.
//
// It serves the seven datasets the site uses (Datasets), each with the field
// names and order of the real exports (shapes.go); Options.Missing makes
// some answer 404, Data.Subtotals and Data.Hostile write the subtotal rows
// and the impossible values a client must defend against.
//
// Paths served under Server.URL (…/api/explore/v2.1):
//
//	GET /catalog/datasets/{id}               metadata: fields[], metas.default.modified; ETag, Last-Modified, 304
//	GET /catalog/datasets/{id}/records       {"total_count", "results"}; limit ≤ 100, offset + limit ≤ 10,000
//	GET /catalog/datasets/{id}/exports/csv   ";"-separated, BOM unless with_bom=false, streamed
//	GET /catalog/datasets/{id}/exports/jsonl one JSON object per line
//	GET /catalog/datasets/{id}/exports/json  one JSON array
package urssaftest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Endpoint names a kind of request, for counting.
type Endpoint string

const (
	Metadata Endpoint = "metadata"
	Records  Endpoint = "records"
	Export   Endpoint = "exports"
)

// FaultKind is a kind of injected fault.
type FaultKind int

const (
	// Cut sends the status, the headers and Fault.After bytes of body, then
	// closes the connection without ending the body.
	Cut FaultKind = iota
	// ServerError answers 500.
	ServerError
	// RateLimited answers 429 with the portal's JSON body; every request
	// until the reset time (now + Fault.Reset) gets the same answer.
	RateLimited
	// Slow waits Fault.Delay before answering.
	Slow
	// Stall sends Fault.After bytes of body, waits Fault.Delay, then the
	// rest.
	Stall
	// Truncate ends the body cleanly after Fault.After bytes: the answer
	// looks complete to HTTP (a proper end of chunked body) but lacks the
	// rest of the data, as a proxy that gave up might send.
	Truncate
)

// Fault is a fault injected into the next matching requests.
type Fault struct {
	Kind FaultKind
	// Path selects the requests: those whose path ends with it
	// ("/exports/csv", "/catalog/datasets/"+id); "" matches any.
	Path  string
	Count int           // number of requests hit; 0 means 1
	After int           // Cut, Stall, Truncate: body bytes sent first; 0 means 1,000
	Delay time.Duration // Slow, Stall
	Reset time.Duration // RateLimited: the quota comes back this long after the 429
}

// Request is one request the fake saw.
type Request struct {
	At       time.Time
	Endpoint Endpoint
	Dataset  string
	Path     string // with the query
	Status   int
}

// Options configure a Server.
type Options struct {
	Data Data
	// Modified is every dataset's modification date; zero means
	// 2025-06-30T08:15:00Z.
	Modified time.Time
	// Quota is X-RateLimit-Limit, calls per day; 0 means 10,000. Past it,
	// 429 until midnight UTC.
	Quota int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Missing lists datasets the portal does not have: every endpoint of
	// theirs answers 404 DatasetNotFound, as for an unpublished dataset.
	Missing []string
}

// Server is a running fake portal. Close it when done.
type Server struct {
	// URL is the base of the Explore API: "http://127.0.0.1:port/api/explore/v2.1".
	URL string

	srv  *httptest.Server
	now  func() time.Time
	data Data
	gone map[string]bool

	mu        sync.Mutex
	quota     int
	used      int
	modified  map[string]time.Time
	faults    []Fault
	limitedTo time.Time // RateLimited fault: 429 until then
	log       []Request
	counts    map[string]int // "dataset@version" → rows
	versions  map[string]int // dataset → versions published by Touch
}

// Prefix is the path of the Explore API v2.1 on the portal.
const Prefix = "/api/explore/v2.1"

// NewServer starts a fake portal on loopback.
func NewServer(opts Options) *Server {
	s := &Server{
		now:      opts.Now,
		data:     opts.Data.withDefaults(),
		quota:    opts.Quota,
		modified: map[string]time.Time{},
		counts:   map[string]int{},
		versions: map[string]int{},
		gone:     map[string]bool{},
	}
	for _, id := range opts.Missing {
		s.gone[id] = true
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.quota <= 0 {
		s.quota = 10000
	}
	mod := opts.Modified
	if mod.IsZero() {
		mod = time.Date(2025, 6, 30, 8, 15, 0, 0, time.UTC)
	}
	for _, id := range Datasets() {
		s.modified[id] = mod
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"/catalog/datasets/{id}", s.metadata)
	mux.HandleFunc("GET "+Prefix+"/catalog/datasets/{id}/records", s.records)
	mux.HandleFunc("GET "+Prefix+"/catalog/datasets/{id}/exports/{format}", s.export)
	s.srv = httptest.NewServer(s.guard(mux))
	s.URL = s.srv.URL + Prefix
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Data returns what the server generates for the commune dataset,
// defaults filled in: tests compute expected values from its CommuneRows.
func (s *Server) Data() Data { return s.DataOf(CommuneAPE) }

// DataOf returns what the server generates for one dataset: Data with the
// dataset's current version.
func (s *Server) DataOf(dataset string) Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.data
	d.Version += s.versions[dataset]
	return d
}

// Touch publishes a new version of a dataset: a later modification date and
// different values. Other datasets do not change.
func (s *Server) Touch(dataset string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modified[dataset] = modified
	s.versions[dataset]++
}

// Inject queues a fault; faults apply in order to the requests they match.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.After <= 0 {
		f.After = 1000
	}
	s.faults = append(s.faults, f)
}

// Calls counts the requests of one kind for one dataset ("" for all
// datasets), whatever their answer.
func (s *Server) Calls(e Endpoint, dataset string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if r.Endpoint == e && (dataset == "" || r.Dataset == dataset) {
			n++
		}
	}
	return n
}

// Requests returns every request seen, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// classify names the endpoint and dataset of a path.
func classify(path string) (Endpoint, string) {
	rest, ok := strings.CutPrefix(path, Prefix+"/catalog/datasets/")
	if !ok {
		return "", ""
	}
	id, tail, _ := strings.Cut(rest, "/")
	switch {
	case tail == "":
		return Metadata, id
	case tail == "records":
		return Records, id
	case strings.HasPrefix(tail, "exports"):
		return Export, id
	}
	return "", id
}

// guard counts calls, sets the quota headers and applies faults and the
// quota before the handlers run.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		ep, id := classify(r.URL.Path)
		now := s.now()
		defer func() {
			s.mu.Lock()
			s.log = append(s.log, Request{At: now, Endpoint: ep, Dataset: id, Path: r.URL.RequestURI(), Status: rec.status})
			s.mu.Unlock()
		}()

		s.mu.Lock()
		fault, hit := s.takeFault(r.URL.Path)
		if hit && fault.Kind == RateLimited {
			s.limitedTo = now.Add(fault.Reset)
		}
		limited := now.Before(s.limitedTo)
		reset := s.limitedTo
		s.used++
		over := s.used > s.quota
		remaining := max(s.quota-s.used, 0)
		if !limited {
			reset = nextMidnight(now)
		}
		quota := s.quota
		s.mu.Unlock()

		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(quota))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		switch {
		case limited:
			h.Set("X-RateLimit-Remaining", "0")
			tooMany(rec, reset, quota)
			return
		case over:
			tooMany(rec, nextMidnight(now), quota)
			return
		}
		if !hit {
			next.ServeHTTP(rec, r)
			return
		}
		switch fault.Kind {
		case ServerError:
			writeJSON(rec, http.StatusInternalServerError, map[string]any{
				"message": "Internal server error", "error_code": "InternalServerError",
			})
		case Slow:
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
			next.ServeHTTP(rec, r)
		case Cut, Stall, Truncate:
			next.ServeHTTP(&faultWriter{statusRecorder: rec, fault: fault, ctx: r}, r)
		}
	})
}

// takeFault pops the first queued fault matching path. Call with s.mu held.
func (s *Server) takeFault(path string) (Fault, bool) {
	for i, f := range s.faults {
		if f.Path != "" && !strings.HasSuffix(path, f.Path) {
			continue
		}
		s.faults[i].Count--
		if s.faults[i].Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

func nextMidnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// tooMany writes the portal's 429 answer.
func tooMany(w http.ResponseWriter, reset time.Time, quota int) {
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"errorcode":       10005,
		"reset_time":      reset.UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
		"limit_time_unit": "day",
		"call_limit":      quota,
		"error":           "You have exceeded the requests limit for anonymous users.",
	})
}

// faultWriter cuts or stalls a body after fault.After bytes.
type faultWriter struct {
	*statusRecorder
	fault   Fault
	ctx     *http.Request
	written int
	done    bool
}

func (w *faultWriter) Write(p []byte) (int, error) {
	if w.fault.Kind == Truncate && w.written >= w.fault.After {
		return len(p), nil // swallowed: the body ends here
	}
	if w.done || w.written+len(p) < w.fault.After {
		w.written += len(p)
		return w.statusRecorder.Write(p)
	}
	n := w.fault.After - w.written
	if _, err := w.statusRecorder.Write(p[:n]); err != nil {
		return 0, err
	}
	w.Flush()
	w.written += n
	switch w.fault.Kind {
	case Cut:
		// Closes the connection without the final chunk: the client
		// sees an unexpected EOF.
		panic(http.ErrAbortHandler)
	case Truncate:
		return len(p), nil
	case Stall:
		select {
		case <-time.After(w.fault.Delay):
		case <-w.ctx.Context().Done():
			return n, w.ctx.Context().Err()
		}
		w.done = true
	}
	m, err := w.statusRecorder.Write(p[n:])
	w.written += m
	return n + m, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client is gone
}

// badRequest writes the Explore API's 400 answer.
func badRequest(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"message": msg, "error_code": code})
}

func notFound(w http.ResponseWriter, id string) {
	writeJSON(w, http.StatusNotFound, map[string]any{
		"message":    fmt.Sprintf("Unknown dataset: %s", id),
		"error_code": "DatasetNotFound",
	})
}

func (s *Server) snapshot(id string) (table, time.Time, bool) {
	d := s.DataOf(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := d.tableOf(id)
	return t, s.modified[id], ok && !s.gone[id]
}

// rowCount counts a dataset's rows once per version of the data.
func (s *Server) rowCount(id string, t table) int {
	key := fmt.Sprintf("%s@%d", id, s.DataOf(id).Version)
	s.mu.Lock()
	n, ok := s.counts[key]
	s.mu.Unlock()
	if ok {
		return n
	}
	for range t.rows {
		n++
	}
	s.mu.Lock()
	s.counts[key] = n
	s.mu.Unlock()
	return n
}

func etag(id string, mod time.Time, version int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", id, mod.Format(time.RFC3339Nano), version)))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, mod, ok := s.snapshot(id)
	if !ok {
		notFound(w, id)
		return
	}
	tag := etag(id, mod, s.DataOf(id).Version)
	w.Header().Set("ETag", tag)
	w.Header().Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == tag || inm == "*" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !mod.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	fields := make([]map[string]any, len(t.fields))
	for i, f := range t.fields {
		fields[i] = map[string]any{
			"name": f.Name, "label": f.Label, "type": f.Type,
			"annotations": map[string]any{}, "description": nil,
		}
	}
	n := s.rowCount(id, t)
	stamp := mod.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	writeJSON(w, http.StatusOK, map[string]any{
		"dataset_id":   id,
		"dataset_uid":  "da_" + hex.EncodeToString([]byte(id))[:6],
		"has_records":  n > 0,
		"data_visible": true,
		"features":     []string{"analyze"},
		"attachments":  []any{},
		"fields":       fields,
		"metas": map[string]any{
			"default": map[string]any{
				"title":              id,
				"publisher":          "Urssaf",
				"license":            "Licence Ouverte v2.0 (Etalab)",
				"modified":           stamp,
				"data_processed":     stamp,
				"metadata_processed": stamp,
				"records_count":      n,
			},
		},
	})
}

// records serves one page of records, with the portal's caps.
func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, _, ok := s.snapshot(id)
	if !ok {
		notFound(w, id)
		return
	}
	q := r.URL.Query()
	limit, offset := 10, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -1 || n > 100 {
			badRequest(w, "InvalidRESTParameterError",
				fmt.Sprintf("Invalid value for limit API parameter: %s was found but -1 <= limit <= 100 is expected.", v))
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badRequest(w, "InvalidRESTParameterError", fmt.Sprintf("Invalid value for offset API parameter: %s.", v))
			return
		}
		offset = n
	}
	if offset+limit > 10000 {
		badRequest(w, "InvalidRESTParameterError",
			fmt.Sprintf("Invalid value for limit and offset API parameters: limit (%d) + offset (%d) must be lower than 10000. Use the exports endpoint to get all records.", limit, offset))
		return
	}
	match, err := whereFilter(t.fields, q.Get("where"))
	if err != nil {
		badRequest(w, "ODSQLError", err.Error())
		return
	}
	results := []map[string]any{}
	total := 0
	for cells := range t.rows {
		if !match(cells) {
			continue
		}
		if total >= offset && len(results) < limit {
			results = append(results, record(t.fields, cells))
		}
		total++
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "results": results})
}

// whereFilter understands the one ODSQL form tests need, field = "value"
// (or 'value'); anything else is an ODSQL error, as on the portal.
func whereFilter(fields []Field, where string) (func([]string) bool, error) {
	if strings.TrimSpace(where) == "" {
		return func([]string) bool { return true }, nil
	}
	name, val, ok := strings.Cut(where, "=")
	name, val = strings.TrimSpace(name), strings.TrimSpace(val)
	col := -1
	for i, f := range fields {
		if f.Name == name {
			col = i
		}
	}
	if !ok || col < 0 || len(val) < 2 || (val[0] != '"' && val[0] != '\'') || val[len(val)-1] != val[0] {
		return nil, fmt.Errorf("ODSQL query is malformed: %s", where)
	}
	val = val[1 : len(val)-1]
	return func(cells []string) bool { return cells[col] == val }, nil
}

// record renders cells as a JSON object: numbers as numbers, empty cells
// as null.
func record(fields []Field, cells []string) map[string]any {
	m := make(map[string]any, len(fields))
	for i, f := range fields {
		c := cells[i]
		switch {
		case c == "":
			m[f.Name] = nil
		case f.Type == "int" || f.Type == "double":
			m[f.Name] = json.Number(c)
		default:
			m[f.Name] = c
		}
	}
	return m
}

// export streams a whole dataset.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	id, format := r.PathValue("id"), r.PathValue("format")
	t, _, ok := s.snapshot(id)
	if !ok {
		notFound(w, id)
		return
	}
	q := r.URL.Query()
	if _, err := whereFilter(t.fields, q.Get("where")); err != nil {
		badRequest(w, "ODSQLError", err.Error())
		return
	}
	match, _ := whereFilter(t.fields, q.Get("where"))
	filtered := table{fields: t.fields, rows: func(yield func([]string) bool) {
		for c := range t.rows {
			if match(c) && !yield(c) {
				return
			}
		}
	}}
	switch format {
	case "csv":
		delim := byte(';')
		if d := q.Get("delimiter"); d != "" {
			if len(d) != 1 {
				badRequest(w, "InvalidRESTParameterError", "Invalid value for delimiter API parameter: "+d)
				return
			}
			delim = d[0]
		}
		bom := q.Get("with_bom") != "false"
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.csv"`)
		writeCSV(w, filtered, delim, bom) //nolint:errcheck // the client is gone
	case "jsonl", "json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		first := true
		if format == "json" {
			bw.WriteByte('[')
		}
		for cells := range filtered.rows {
			if format == "json" && !first {
				bw.WriteByte(',')
			}
			first = false
			if err := enc.Encode(record(t.fields, cells)); err != nil {
				return
			}
		}
		if format == "json" {
			bw.WriteByte(']')
		}
		bw.Flush()
	default:
		badRequest(w, "InvalidRESTParameterError", "Unsupported export format by the fake: "+format)
	}
}
