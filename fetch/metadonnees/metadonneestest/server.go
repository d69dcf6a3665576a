// Package metadonneestest is a fake of INSEE's Métadonnées API, geography
// endpoints of the study zonings, on loopback: the lists
// (GET /metadonnees/geo/zonesDEmploi2020, unitesUrbaines2020,
// airesDAttractionDesVilles2020, bassinsDeVie2022) and the communes of a
// zone (GET /metadonnees/geo/zoneDEmploi2020/{code}/descendants?type=Commune
// and the three others).
//
// Its answers have the fields and shapes of the API's OpenAPI spec
// (TerritoireBase: code, uri, type, dateCreation, intituleSansArticle,
// typeArticle, intitule), as no live answer has been recorded. The zones
// are the ones given, or Synthetic ones: a partition of the referential's
// communes with codes of the real shapes, not INSEE's zonings.
package metadonneestest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"territoires/geo"
)

// Server is a fake Métadonnées API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API's base, to give as metadonnees_url:
	// "http://127.0.0.1:port/metadonnees".
	URL string

	srv   *httptest.Server
	ref   *geo.Referential
	zones map[string][]geo.ZoneInput // by path of the list

	mu       sync.Mutex
	gone     map[string]bool // zones whose descendants answer 404
	calls    map[string]int
	arrivals []time.Time
	quota    int
	window   time.Duration
}

// paths of each zoning: the list, one zone, the type of its zones.
var paths = []struct {
	kind           geo.Kind
	list, one, typ string
}{
	{geo.ZoneEmploi, "zonesDEmploi2020", "zoneDEmploi2020", "ZoneDEmploi2020"},
	{geo.UniteUrbaine, "unitesUrbaines2020", "uniteUrbaine2020", "UniteUrbaine2020"},
	{geo.AireAttraction, "airesDAttractionDesVilles2020", "aireDAttractionDesVilles2020", "AireDAttractionDesVilles2020"},
	{geo.BassinVie, "bassinsDeVie2022", "bassinDeVie2022", "BassinDeVie2022"},
}

// New starts a fake serving zones (nil: Synthetic(ref)) on loopback, with
// the communes' names from ref. quota calls per window at most (0: no
// limit); beyond, 429 with Retry-After, as INSEE's gateway does. Close it
// when done.
func New(ref *geo.Referential, zones []geo.ZoneInput, quota int, window time.Duration) *Server {
	if zones == nil {
		zones = Synthetic(ref)
	}
	s := &Server{ref: ref, zones: map[string][]geo.ZoneInput{}, gone: map[string]bool{}, calls: map[string]int{}, quota: quota, window: window}
	for _, z := range zones {
		for _, p := range paths {
			if p.kind == z.Kind {
				s.zones[p.list] = append(s.zones[p.list], z)
			}
		}
	}
	s.srv = httptest.NewServer(s.Handler())
	s.URL = s.srv.URL + "/metadonnees"
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Retire makes the communes of a listed zone answer 404, as for a zone
// retired between the list and the call.
func (s *Server) Retire(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[code] = true
}

// Calls returns the calls seen per path and query.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, n := range s.calls {
		out[k] = n
	}
	return out
}

// Total returns the number of calls seen.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrivals)
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$|^\*$`)

// Handler serves the API under /metadonnees/, to mount on another fake
// gateway if need be.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, p := range paths {
		mux.HandleFunc("GET /metadonnees/geo/"+p.list, s.gate(func(w http.ResponseWriter, r *http.Request) {
			var out []territoire
			for _, z := range s.zones[p.list] {
				out = append(out, zoneObject(p.typ, z))
			}
			slices.SortFunc(out, func(a, b territoire) int { return cmp.Compare(a.Code, b.Code) })
			writeJSON(w, out)
		}))
		mux.HandleFunc("GET /metadonnees/geo/"+p.one+"/{code}/descendants", s.gate(func(w http.ResponseWriter, r *http.Request) {
			code := r.PathValue("code")
			i := slices.IndexFunc(s.zones[p.list], func(z geo.ZoneInput) bool { return z.Code == code })
			s.mu.Lock()
			gone := s.gone[code]
			s.mu.Unlock()
			if i < 0 || gone {
				http.Error(w, "Aucun territoire ne correspond à la requête", http.StatusNotFound)
				return
			}
			if t := r.URL.Query().Get("type"); t != "" && t != "Commune" {
				writeJSON(w, []territoire{}) // the fake knows communes only
				return
			}
			out := []territoire{}
			for _, c := range s.zones[p.list][i].Communes {
				name := c
				if t, ok := s.ref.Lookup(geo.Commune, c); ok {
					name = t.Name
				}
				out = append(out, object("Commune", "commune", c, name, "1943-01-01"))
			}
			writeJSON(w, out)
		}))
	}
	return mux
}

// gate counts a call, checks the date parameter and enforces the quota.
func (s *Server) gate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		s.mu.Lock()
		s.calls[r.URL.Path+"?"+r.URL.Query().Encode()]++
		recent := 0
		for _, t := range s.arrivals {
			if now.Sub(t) < s.window {
				recent++
			}
		}
		s.arrivals = append(s.arrivals, now)
		s.mu.Unlock()
		if s.quota > 0 && recent >= s.quota {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"Too Many Requests"}`, http.StatusTooManyRequests)
			return
		}
		if d := r.URL.Query().Get("date"); d != "" && !dateRE.MatchString(d) {
			http.Error(w, "Le paramètre date doit être au format AAAA-MM-JJ", http.StatusBadRequest)
			return
		}
		if !strings.Contains(r.Header.Get("Accept"), "json") {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Territoires/>`)
			return
		}
		h(w, r)
	}
}

// territoire is the TerritoireBase schema of the spec.
type territoire struct {
	Code                string `json:"code"`
	URI                 string `json:"uri"`
	Type                string `json:"type"`
	DateCreation        string `json:"dateCreation"`
	IntituleSansArticle string `json:"intituleSansArticle"`
	TypeArticle         string `json:"typeArticle"`
	Intitule            string `json:"intitule"`
}

func zoneObject(typ string, z geo.ZoneInput) territoire {
	created := "2020-01-01"
	if typ == "BassinDeVie2022" {
		created = "2022-01-01"
	}
	return object(typ, strings.ToLower(typ[:1])+typ[1:], z.Code, z.Name, created)
}

// object builds a territory as the API describes it, with a stable URI
// ("http://id.insee.fr/geo/commune/9d090028-…" in the spec).
func object(typ, uriKind, code, name, created string) territoire {
	article, bare := articleOf(name)
	h := fnv.New128a()
	h.Write([]byte(typ + "/" + code))
	b := h.Sum(nil)
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return territoire{
		Code: code, URI: "http://id.insee.fr/geo/" + uriKind + "/" + uuid, Type: typ, DateCreation: created,
		IntituleSansArticle: bare, TypeArticle: article, Intitule: name,
	}
}

// articleOf splits a name into INSEE's type of article (typeArticle, the
// TNCC of the COG: 0 none before a consonant, 1 none before a vowel, 2 Le,
// 3 La, 4 Les, 5 L') and the name without it.
func articleOf(name string) (string, string) {
	for _, a := range []struct{ prefix, code string }{{"Le ", "2"}, {"La ", "3"}, {"Les ", "4"}, {"L'", "5"}} {
		if rest, ok := strings.CutPrefix(name, a.prefix); ok {
			return a.code, rest
		}
	}
	if name != "" && strings.ContainsRune("AEIOUYÉÈÊÎÔH", []rune(name)[0]) {
		return "1", name
	}
	return "0", name
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Synthetic returns study zones covering every commune of the départements
// (not the overseas collectivities), with codes of the real shapes: a zone
// d'emploi per arrondissement (4 digits: région and rank), an aire
// d'attraction per département (3 characters), an unité urbaine per EPCI
// (5 characters: département and rank) and a bassin de vie per EPCI (the
// code of its most populated commune). Each is named after its most
// populated commune. These are not INSEE's zonings.
func Synthetic(ref *geo.Referential) []geo.ZoneInput {
	var out []geo.ZoneInput
	biggest := func(cs []*geo.Territory) *geo.Territory {
		best := cs[0]
		for _, c := range cs[1:] {
			if pop(c) > pop(best) {
				best = c
			}
		}
		return best
	}
	codes := func(cs []*geo.Territory) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Code
		}
		return out
	}
	rank := map[string]int{}
	for _, a := range ref.OfKind(geo.ArrondissementDep) {
		if len(a.Children) == 0 {
			continue
		}
		reg := a.Region.Code
		rank[reg]++
		out = append(out, geo.ZoneInput{Kind: geo.ZoneEmploi, Code: fmt.Sprintf("%s%02d", reg, rank[reg]),
			Name: biggest(a.Children).Name, Communes: codes(a.Children)})
	}
	n := 0
	for _, d := range ref.OfKind(geo.Departement) {
		n++
		out = append(out, geo.ZoneInput{Kind: geo.AireAttraction, Code: fmt.Sprintf("%03d", n),
			Name: biggest(d.Children).Name, Communes: codes(d.Children)})
	}
	rank = map[string]int{}
	for _, e := range ref.OfKind(geo.EPCI) {
		var cs []*geo.Territory
		for _, c := range e.Children {
			if c.Departement.Kind == geo.Departement {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			continue
		}
		top := biggest(cs)
		dep := top.Departement.Code[:2]
		rank[dep]++
		out = append(out,
			geo.ZoneInput{Kind: geo.UniteUrbaine, Code: dep + fmt.Sprintf("%03d", rank[dep]), Name: top.Name, Communes: codes(cs)},
			geo.ZoneInput{Kind: geo.BassinVie, Code: top.Code, Name: top.Name, Communes: codes(cs)})
	}
	return out
}

func pop(t *geo.Territory) int {
	p, _ := t.LatestPopulation()
	return p.Value
}

// Count returns the number of zones per kind slug.
func Count(zones []geo.ZoneInput) map[string]int {
	out := map[string]int{}
	for _, z := range zones {
		out[z.Kind.Slug()]++
	}
	return out
}
