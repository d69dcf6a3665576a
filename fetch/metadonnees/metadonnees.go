package metadonnees

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"territoires/fetch"
	"territoires/geo"
	"territoires/indicator"
)

// Zoning is one of INSEE's study zonings as the API names it.
type Zoning struct {
	Kind geo.Kind
	List string // path of the list: "zonesDEmploi2020"
	One  string // path of one zone: "zoneDEmploi2020"
	Type string // the type field of its zones: "ZoneDEmploi2020"
	// Expected is about how many zones the zoning has (INSEE's
	// publications), used by the plan until the list is cached.
	Expected int
}

// Zonings are the four study zonings, most viewed first.
var Zonings = []Zoning{
	{geo.ZoneEmploi, "zonesDEmploi2020", "zoneDEmploi2020", "ZoneDEmploi2020", 306},
	{geo.AireAttraction, "airesDAttractionDesVilles2020", "aireDAttractionDesVilles2020", "AireDAttractionDesVilles2020", 699},
	{geo.UniteUrbaine, "unitesUrbaines2020", "uniteUrbaine2020", "UniteUrbaine2020", 2467},
	{geo.BassinVie, "bassinsDeVie2022", "bassinDeVie2022", "BassinDeVie2022", 1707},
}

// Territoire is one object of an answer: the TerritoireBase schema of the
// API's OpenAPI spec.
type Territoire struct {
	Code                string `json:"code"`
	URI                 string `json:"uri"`
	Type                string `json:"type"`
	DateCreation        string `json:"dateCreation"`
	DateSuppression     string `json:"dateSuppression,omitempty"`
	IntituleSansArticle string `json:"intituleSansArticle"`
	TypeArticle         string `json:"typeArticle"`
	Intitule            string `json:"intitule"`
	ChefLieu            string `json:"chefLieu,omitempty"`
}

// Client asks the Métadonnées API for the study zonings. It is a
// fetch.Source: Plan, Fetch, and Figures (none); Zones reads the cache.
type Client struct {
	base string
	host *fetch.Host
	date string // the geography's date: "2026-01-01"
}

func init() {
	fetch.Register(fetch.Provider{Name: "metadonnees", API: "insee", New: func(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (fetch.Source, error) {
		return New(cfg.MetadonneesURL, ref.GeoYear, h), nil
	}})
}

// New returns the client of the API at base ("https://api.insee.fr/metadonnees"),
// asking for the geography of 1 January of year, through h.
func New(base string, year int, h *fetch.Host) *Client {
	return &Client{base: strings.TrimSuffix(base, "/"), host: h, date: strconv.Itoa(year) + "-01-01"}
}

// Name implements fetch.Source.
func (c *Client) Name() string { return "metadonnees" }

func (c *Client) request(path string, q url.Values) fetch.Request {
	q.Set("date", c.date)
	return fetch.Request{
		URL:     c.base + path + "?" + q.Encode(),
		Key:     "metadonnees" + path + "?" + q.Encode(),
		Header:  http.Header{"Accept": {"application/json"}},
		Vintage: c.date,
		Validate: func(_ int, r io.Reader) error {
			_, err := Decode(r)
			return err
		},
	}
}

// ListRequest asks for every zone of a zoning.
func (c *Client) ListRequest(z Zoning) fetch.Request {
	return c.request("/geo/"+z.List, url.Values{})
}

// DescendantsRequest asks for the communes of one zone.
func (c *Client) DescendantsRequest(z Zoning, code string) fetch.Request {
	return c.request("/geo/"+z.One+"/"+url.PathEscape(code)+"/descendants", url.Values{"type": {"Commune"}})
}

// Decode reads an answer: a JSON array of territories. Objects without a
// code are an error: the answer is not what the API sends.
func Decode(r io.Reader) ([]Territoire, error) {
	var ts []Territoire
	if err := json.NewDecoder(r).Decode(&ts); err != nil {
		return nil, fmt.Errorf("metadonnees: %w", err)
	}
	for i, t := range ts {
		if t.Code == "" {
			return nil, fmt.Errorf("metadonnees: territory %d has no code", i)
		}
	}
	return ts, nil
}

// cached decodes the cached answer to req, or returns nil if none.
func (c *Client) cached(e *fetch.Engine, req fetch.Request) ([]Territoire, error) {
	ent, err := e.Lookup(c.host, req)
	if err != nil || ent == nil {
		return nil, err
	}
	return decodeEntry(ent)
}

func decodeEntry(ent *fetch.Entry) ([]Territoire, error) {
	f, err := ent.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f)
}

// zonesOf keeps the zones of a list answer, those of the zoning's type.
func zonesOf(z Zoning, ts []Territoire) []Territoire {
	var out []Territoire
	for _, t := range ts {
		if t.Type == "" || t.Type == z.Type {
			out = append(out, t)
		}
	}
	return out
}

// Plan implements fetch.Source: one list per zoning and one call per zone;
// until a list is cached its zones are counted from Zoning.Expected.
func (c *Client) Plan(ctx context.Context, e *fetch.Engine) (fetch.Plan, error) {
	p := fetch.Plan{Source: c.Name(), Host: c.host}
	for _, z := range Zonings {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		list := c.ListRequest(z)
		p.Calls++
		ok, err := e.Cached(c.host, list)
		if err != nil {
			return p, err
		}
		if !ok {
			p.Calls += z.Expected
			p.Estimated = true
			p.Notes = append(p.Notes, fmt.Sprintf("%s: about %d zones, one call each (list not cached)", z.List, z.Expected))
			continue
		}
		p.Cached++
		ts, err := c.cached(e, list)
		if err != nil {
			return p, fmt.Errorf("%s: %w", z.List, err)
		}
		zones := zonesOf(z, ts)
		p.Calls += len(zones)
		for _, t := range zones {
			if ok, err := e.Cached(c.host, c.DescendantsRequest(z, t.Code)); err != nil {
				return p, err
			} else if ok {
				p.Cached++
			}
		}
	}
	p.Notes = append(p.Notes, "study zonings at "+c.date+": fetched once per geography vintage")
	return p, nil
}

// Fetch implements fetch.Source: the lists, then the communes of every
// zone. A zone whose communes fail is reported once the others are done.
func (c *Client) Fetch(ctx context.Context, e *fetch.Engine) error {
	type zone struct {
		z    Zoning
		code string
	}
	var mu sync.Mutex
	var zones []zone
	var failed []error
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		// A DatasetError: the zones already cached stay, fetch names the
		// failure and build goes on with what the cache holds.
		if len(failed) < 5 {
			failed = append(failed, &fetch.DatasetError{Source: "metadonnees", Dataset: "zonages d'étude", Err: err})
		}
	}
	lists := func(yield func(fetch.Request) bool) {
		for _, z := range Zonings {
			if !yield(c.ListRequest(z)) {
				return
			}
		}
	}
	err := e.FetchAll(ctx, c.host, lists, func(req fetch.Request, ent *fetch.Entry, err error) error {
		if err != nil {
			fail(err)
			return nil
		}
		ts, err := decodeEntry(ent)
		if err != nil {
			fail(fmt.Errorf("%s: %w", req, err))
			return nil
		}
		for _, z := range Zonings {
			if req.Key == c.ListRequest(z).Key {
				mu.Lock()
				for _, t := range zonesOf(z, ts) {
					zones = append(zones, zone{z, t.Code})
				}
				mu.Unlock()
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("metadonnees: %w", err)
	}
	descendants := func(yield func(fetch.Request) bool) {
		for _, z := range Zonings { // most viewed first
			for _, zn := range zones {
				if zn.z.Kind == z.Kind && !yield(c.DescendantsRequest(z, zn.code)) {
					return
				}
			}
		}
	}
	err = e.FetchAll(ctx, c.host, descendants, func(req fetch.Request, _ *fetch.Entry, err error) error {
		if err != nil {
			fail(err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("metadonnees: %w", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("metadonnees: %w", errors.Join(failed...))
	}
	return nil
}

// Figures implements fetch.Source: the API gives no figure.
func (c *Client) Figures(context.Context, *fetch.Engine) iter.Seq2[indicator.Figure, error] {
	return func(func(indicator.Figure, error) bool) {}
}

// Zones implements fetch.ZoneSource: the zones whose list and communes are
// cached, with their names (intitule) and the codes of their communes,
// making no call. A zone whose communes are not cached yet is left out.
func (c *Client) Zones(ctx context.Context, e *fetch.Engine) ([]geo.ZoneInput, error) {
	var out []geo.ZoneInput
	for _, z := range Zonings {
		ts, err := c.cached(e, c.ListRequest(z))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", z.List, err)
		}
		for _, t := range zonesOf(z, ts) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			req := c.DescendantsRequest(z, t.Code)
			ent, err := e.Lookup(c.host, req)
			if err != nil {
				return nil, err
			}
			if ent == nil {
				continue
			}
			members, err := decodeEntry(ent)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", req, err)
			}
			in := geo.ZoneInput{Kind: z.Kind, Code: t.Code, Name: t.Intitule}
			if in.Name == "" {
				in.Name = t.IntituleSansArticle
			}
			for _, m := range members {
				if m.Type == "Commune" {
					in.Communes = append(in.Communes, m.Code)
				}
			}
			out = append(out, in)
		}
	}
	return out, nil
}
