package meloditest

import (
	"net/http"
	"sync"
	"time"

	"territoires/fetch/fetchtest"
	"territoires/geo"
)

// Options configure a Server.
type Options struct {
	// Ref is the referential the figures are generated from. Required.
	Ref *geo.Referential
	// Quota is the calls allowed in any Window; 0 means no limit. Beyond
	// it the server answers 429 with a Retry-After.
	Quota  int
	Window time.Duration // 60 s if zero
	// Delay is how long FaultSlow and FaultStall keep a client waiting: 2 s.
	Delay time.Duration
	// NoFile lists datasets served without a CSV product: clients must page
	// through /data.
	NoFile []string
	// Zones are study zones (ZE2020, UU2020, AAV2020, BV2022), which the
	// referential does not hold: the fake serves them with the sums of
	// their communes' counts, and their own values for income.
	Zones []geo.ZoneInput
}

// Faults the gateway injects (see fetchtest).
const (
	Fault429         = fetchtest.Fault429
	Fault500         = fetchtest.Fault500
	FaultSlow        = fetchtest.FaultSlow
	FaultStall       = fetchtest.FaultStall
	FaultTruncate    = fetchtest.FaultTruncate
	FaultInvalidJSON = fetchtest.FaultInvalidJSON
	Fault403         = fetchtest.Fault403
)

// Fault is a misbehaviour injected into the next answers.
type Fault = fetchtest.Fault

// Stats is what the server saw.
type Stats = fetchtest.Stats

// Server is a fake MELODI API behind a fake INSEE gateway. Its methods
// are safe for concurrent use.
type Server struct {
	*fetchtest.Gateway
	// MelodiURL is the API's base: {URL}/melodi.
	MelodiURL string

	opts Options
	data *fetchtest.Generator

	mu       sync.Mutex
	modified map[string]string
	removed  map[string]bool
	noFile   map[string]bool
	zips     map[string][]byte // built once per dataset
	zones    map[geo.Kind][]*geo.Territory
}

// New starts a fake MELODI on loopback. Close it when done.
func New(opts Options) *Server {
	s := &Server{opts: opts, data: fetchtest.NewGenerator(opts.Ref), modified: map[string]string{},
		removed: map[string]bool{}, noFile: map[string]bool{}, zips: map[string][]byte{}}
	for _, id := range opts.NoFile {
		s.noFile[id] = true
	}
	s.zones = map[geo.Kind][]*geo.Territory{}
	for _, z := range opts.Zones {
		t := &geo.Territory{Kind: z.Kind, Code: z.Code, Name: z.Name, Country: opts.Ref.France}
		var members []*geo.Territory
		for _, code := range z.Communes {
			if c, ok := opts.Ref.CurrentCommune(code); ok {
				members = append(members, c)
			}
		}
		s.data.AddMembers(t, members)
		s.zones[z.Kind] = append(s.zones[z.Kind], t)
	}
	s.Gateway = fetchtest.New(fetchtest.Options{Quota: opts.Quota, Window: opts.Window, Delay: opts.Delay},
		func(mux *http.ServeMux, gate func(fetchtest.Handler) http.HandlerFunc) {
			mux.HandleFunc("GET /melodi/catalog/all", gate(s.catalog))
			mux.HandleFunc("GET /melodi/data/{dataset}", gate(s.dataAnswer))
			mux.HandleFunc("GET /melodi/range/{dataset}", gate(s.rangeAnswer))
			mux.HandleFunc("GET /melodi/file/{dataset}/{product}", gate(s.fileAnswer))
		})
	s.MelodiURL = s.URL + "/melodi"
	return s
}

// SetModified changes the modification date the catalogue gives a
// dataset: a new vintage.
func (s *Server) SetModified(dataset, date string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modified[dataset] = date
	delete(s.zips, dataset)
}

// Remove makes a dataset unknown, as if INSEE withdrew it: the catalogue
// no longer lists it and its endpoints answer 500 with the plain-text
// message MELODI sends for an unknown dataset.
func (s *Server) Remove(dataset string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed[dataset] = true
}
