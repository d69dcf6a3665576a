// Package ddltest provides a fake INSEE Données Locales server for tests:
// its JSON format, deterministic plausible figures generated from a
// referential, a 404 "Aucune cellule" where a cube is not published (income
// of communes under 2,000 inhabitants), and the INSEE gateway's quota and
// faults (see fetchtest).
package ddltest

import (
	"net/http"
	"time"

	"territoires/fetch/fetchtest"
	"territoires/geo"
)

// Options configure a Server.
type Options struct {
	// Ref is the referential the figures are generated from. Required.
	Ref *geo.Referential
	// Quota is the calls allowed in any Window; 0 means no limit.
	Quota  int
	Window time.Duration // 60 s if zero
	// LoneObjects makes the server send a lone object instead of a
	// one-element array, as its older gateway did.
	LoneObjects bool
}

// Server is a fake Données Locales behind a fake INSEE gateway.
type Server struct {
	*fetchtest.Gateway
	// DDLURL is the API's base: {URL}/donnees-locales.
	DDLURL string

	opts Options
	data *fetchtest.Generator
}

// New starts a fake Données Locales on loopback. Close it when done.
func New(opts Options) *Server {
	s := &Server{opts: opts, data: fetchtest.NewGenerator(opts.Ref)}
	s.Gateway = fetchtest.New(fetchtest.Options{Quota: opts.Quota, Window: opts.Window},
		func(mux *http.ServeMux, gate func(fetchtest.Handler) http.HandlerFunc) {
			mux.HandleFunc("GET /donnees-locales/donnees/{cube}/{zone}", gate(s.ddlData))
		})
	s.DDLURL = s.URL + "/donnees-locales"
	return s
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
