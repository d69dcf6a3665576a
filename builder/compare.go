package builder

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"territoires/geo"
	"territoires/indicator"
)

// The "Comparer avec…" control (assets/compare.js) draws a second
// territory on every chart of a page, from that territory's file of the
// static API (/api/epci/200046977.json; a commune from its département's
// file, /api/commune/departement-75.json). How each chart takes it is the
// same on every page, so it is said once for the site, in
// /api/comparer.json, read only when a reader compares (the pages carry
// nothing for it): for each chart id, a mode and, for each series name,
// where its values are.
//
//	"population-legale": {"t":"t","s":{"Population municipale":{"m":"POP_LEGALE"}}}
//	    periods as categories: one more series per series
//	"revenus-deciles": {"t":"c","s":{"Médiane":{"m":"REV_MEDIAN"},...}}
//	    territories as categories: one more category
//	"secteurs-urssaf": {"t":"d","s":{"Effectifs salariés":{"m":"EFF_SAL","l":{"Industrie":"GS=GS1",...}}}}
//	    breakdown as categories (l: the breakdown of each category label): one more series
//
//	"logements-types": {"t":"s","w":{"m":"LOGEMENTS"},"s":{"Maisons":{"m":"LOGEMENTS","d":"TDW=1"},...,"Autres logements":{"m":"LOGEMENTS","o":true}}}
//	    territories as categories, series as shares of a whole (w) in
//	    percent: one more category, beside the territory
//
// A series names its measure (m) and breakdown (d); q divides by another
// measure of the same period, f multiplies, n negates (men on the left of
// a pyramid). A breakdown of several parts joined by "|"
// ("ACTIVITY=JZ|ACTIVITY=MN") is their sum, each part times its
// coefficient in k when there is one (the tourist beds: two a hotel room,
// three a campsite pitch); a part missing leaves the sum missing. In a
// chart of shares, o marks the series that is what the other parts leave
// of the whole; z names the breakdown of a total that, when it is 0, makes
// every category 0 (a territory without campsites publishes no campsite
// by star rating). r says the series are those of the région of the
// territory (the quarterly series), the territory itself when it is a
// région or France. A series named after the page's territory, which
// changes from page to page, is the key "*" (the first series of its
// chart).

// chartCompare is how a chart takes a second territory.
type chartCompare struct {
	Mode   string                   `json:"t"`
	Region bool                     `json:"r,omitempty"`
	Whole  *compareSeries           `json:"w,omitempty"` // of the shares (mode s)
	Series map[string]compareSeries `json:"s"`           // by series name
}

type compareSeries struct {
	Measure string            `json:"m"`
	Dim     string            `json:"d,omitempty"`
	Labels  map[string]string `json:"l,omitempty"` // breakdown of each category label
	Per     string            `json:"q,omitempty"`
	Factor  float64           `json:"f,omitempty"`
	Negate  bool              `json:"n,omitempty"`
	Coefs   []float64         `json:"k,omitempty"` // of the parts of Dim joined by "|"
	Rest    bool              `json:"o,omitempty"` // shares: the whole less the other parts
	Zero    string            `json:"z,omitempty"` // breakdown of the total: when it is 0, so is every part

	dims []string // of each category, while the chart is built
	own  bool     // the series of the page's territory, whatever its name: key "*"
	skip bool     // a series that takes no second territory (France's, beside a région's)
}

// compareSpec is a chart's compareSeries in the order of its series.
type compareSpec struct {
	Mode   string
	Series []compareSeries
	Region bool
	Whole  *compareSeries // mode s
}

// chartCompare names the series of the spec and labels its categories.
func (s chartSpec) chartCompare() *chartCompare {
	if s.compare == nil || len(s.compare.Series) != len(s.series) {
		return nil
	}
	c := &chartCompare{Mode: s.compare.Mode, Region: s.compare.Region, Whole: s.compare.Whole, Series: map[string]compareSeries{}}
	for i := range s.compare.Series {
		if name, ok := s.compareKey(i); ok {
			c.Series[name] = s.compareSeries(i)
		}
	}
	return c
}

// compareKey is the key of the spec's series i in the chart's compare
// spec; false for a series that takes no second territory.
func (s *chartSpec) compareKey(i int) (string, bool) {
	switch cs := s.compare.Series[i]; {
	case cs.skip:
		return "", false
	case cs.own:
		return "*", true
	}
	return s.series[i].Name, true
}

// compareSeries is the spec's series i with the breakdown of each of its
// categories.
func (s *chartSpec) compareSeries(i int) compareSeries {
	cs := s.compare.Series[i]
	if cs.dims != nil {
		cs.Labels = map[string]string{}
		for j, d := range cs.dims {
			if d != "" && j < len(s.categories) {
				cs.Labels[s.categories[j]] = d
			}
		}
		cs.dims = nil
	}
	return cs
}

// compareIndex gathers the charts' ways of comparing while pages render.
type compareIndex struct {
	mu     sync.Mutex
	charts map[string]*chartCompare
}

// add merges the charts of a page: the series and category labels that
// other pages lacked (a page without deaths has no "Décès" series).
func (x *compareIndex) add(themes []themeView) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.charts == nil {
		x.charts = map[string]*chartCompare{}
	}
	for _, th := range themes {
		for _, ch := range th.Charts {
			sp := ch.cmp
			if sp == nil || sp.compare == nil || len(sp.compare.Series) != len(sp.series) {
				continue
			}
			have, ok := x.charts[ch.ID]
			if !ok {
				x.charts[ch.ID] = sp.chartCompare()
				continue
			}
			// Most pages add nothing: their series are read in place,
			// and only what is new is built.
			c := sp.compare
			have.Region = have.Region || c.Region
			// Pages render in parallel: a chart drawn two ways (creations
			// by sector, one year or several) keeps the same mode whatever
			// the order; compare.js reads each series by its own shape.
			have.Mode = min(have.Mode, c.Mode)
			if have.Whole == nil {
				have.Whole = c.Whole
			}
			for i, cs := range c.Series {
				name, ok := sp.compareKey(i)
				if !ok {
					continue
				}
				old, ok := have.Series[name]
				if !ok {
					have.Series[name] = sp.compareSeries(i)
					continue
				}
				for j, d := range cs.dims {
					if d == "" || j >= len(sp.categories) {
						continue
					}
					// One breakdown per label whatever the order of the
					// pages, should two pages disagree.
					l := sp.categories[j]
					if hd, ok := old.Labels[l]; ok && hd <= d {
						continue
					}
					if old.Labels == nil {
						old.Labels = map[string]string{}
						have.Series[name] = old
					}
					old.Labels[l] = d
				}
			}
		}
	}
}

// publishCompare writes /api/comparer.json.
func (b *build) publishCompare(pub *Publisher) error {
	js, err := b.compares.json()
	if err != nil {
		return err
	}
	return pub.Write("api/comparer.json", js)
}

// json returns the content of /api/comparer.json.
func (x *compareIndex) json() ([]byte, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.charts == nil {
		return []byte("{}\n"), nil
	}
	b, err := json.Marshal(x.charts)
	return append(b, '\n'), err
}

// timeCompare describes a time chart's lines.
func timeCompare(t *geo.Territory, lines []line) *compareSpec {
	c := &compareSpec{Mode: "t"}
	for _, l := range lines {
		if len(l.figs) == 0 {
			continue
		}
		f := l.figs[0]
		if f.Territory != t.ID() {
			c.Region = true
		}
		c.Series = append(c.Series, compareSeries{Measure: f.Measure, Dim: f.Dim, Factor: l.factor})
	}
	return c
}

// dimCompare describes a chart of a breakdown: one series per list of
// figures, each figure a category.
func dimCompare(negate []bool, series ...[]indicator.Figure) *compareSpec {
	c := &compareSpec{Mode: "d"}
	for i, figs := range series {
		s := compareSeries{Negate: i < len(negate) && negate[i]}
		for _, f := range figs {
			s.Measure = f.Measure
			s.dims = append(s.dims, f.Dim)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// categoryCompare describes a chart of the territory and its parents, one
// series per measure.
func categoryCompare(measures []struct{ measure, name string }) *compareSpec {
	c := &compareSpec{Mode: "c"}
	for _, m := range measures {
		c.Series = append(c.Series, compareSeries{Measure: m.measure})
	}
	return c
}

// perInhabitants describes a chart of a measure per n inhabitants (legal
// population of the same year, or the nearest: compare.js takes the
// nearest period of q when the same is missing).
func perInhabitants(measure string, n float64) *compareSpec {
	return &compareSpec{Mode: "c", Series: []compareSeries{{Measure: measure, Per: indicator.PopLegale, Factor: n}}}
}

// jobsCompare describes the chart of jobs per 100 inhabitants.
func jobsCompare() *compareSpec {
	return &compareSpec{Mode: "c", Series: []compareSeries{{Measure: indicator.EmploisLieu, Per: indicator.PopHistorique, Factor: 100}}}
}

// pyramidCompare describes the age pyramid: men (negated, on the left)
// then women, one category per age band.
func pyramidCompare(figs []indicator.Figure, bands []string) *compareSpec {
	c := &compareSpec{Mode: "d", Series: []compareSeries{
		{Measure: indicator.PopAgeSexe, dims: make([]string, len(bands)), Negate: true},
		{Measure: indicator.PopAgeSexe, dims: make([]string, len(bands))},
	}}
	for i, band := range bands {
		for _, f := range figs {
			if dimValue(f.Dim, "AGE") != band {
				continue
			}
			s := 0
			if dimValue(f.Dim, "SEX") == "F" {
				s = 1
			}
			c.Series[s].dims[i] = f.Dim
		}
	}
	return c
}

// sharesCompare describes a chart of shares (dashboard_themes.go): each
// part of the whole, and what the parts leave of it when the chart shows
// that too.
func sharesCompare(s shareSpec) *compareSpec {
	c := &compareSpec{Mode: "s", Whole: &compareSeries{Measure: s.measure, Dim: s.base}}
	for _, p := range s.parts {
		c.Series = append(c.Series, compareSeries{Measure: s.measure, Dim: p.dim})
	}
	if s.rest != "" {
		c.Series = append(c.Series, compareSeries{Measure: s.measure, Dim: s.base, Rest: true})
	}
	return c
}

// groupDim is the breakdown of a group of sectors: the sum of its codes.
func groupDim(key string, codes []string) string {
	dims := make([]string, len(codes))
	for i, c := range codes {
		dims[i] = key + "=" + c
	}
	return strings.Join(dims, "|")
}

// sectorGroupsCompare describes the chart of business creations by group
// of sectors (dashboard_entreprises.go), names being the groups shown: for
// one year the groups are the categories of one series, for several each
// group is a series over the years.
func sectorGroupsCompare(names []string, groups []sectorGroup, oneYear bool) *compareSpec {
	dims := make([]string, len(names))
	for i, n := range names {
		for _, g := range groups {
			if g.name == n {
				dims[i] = groupDim("ACTIVITY", g.codes)
				break
			}
		}
	}
	if oneYear {
		return &compareSpec{Mode: "d", Series: []compareSeries{{Measure: indicator.CreationsEnt, dims: dims}}}
	}
	c := &compareSpec{Mode: "t"}
	for _, d := range dims {
		c.Series = append(c.Series, compareSeries{Measure: indicator.CreationsEnt, Dim: d})
	}
	return c
}

// accommodationCompare describes the chart of tourist accommodation by
// kind (dashboard_tourisme.go), cats being the kinds shown: the total of
// each activity.
func accommodationCompare(kinds []struct{ act, name string }, cats []string) *compareSpec {
	dims := make([]string, len(cats))
	for i, name := range cats {
		for _, k := range kinds {
			if k.name == name {
				dims[i] = "ACTIVITY=" + k.act + ";RANKING=_T"
			}
		}
	}
	return &compareSpec{Mode: "d", Series: []compareSeries{{Measure: indicator.TourCapacite, dims: dims}}}
}

// starsCompare describes a chart of establishments and their places by
// star rating (dashboard_tourisme.go), cats being the ratings shown.
func starsCompare(act string, cats []string) *compareSpec {
	dims := make([]string, len(cats))
	for i, name := range cats {
		for _, r := range rankingLabels {
			if r.name == name {
				dims[i] = "ACTIVITY=" + act + ";RANKING=" + r.code
			}
		}
	}
	total := "ACTIVITY=" + act + ";RANKING=_T"
	return &compareSpec{Mode: "d", Series: []compareSeries{
		{Measure: indicator.TourCapacite, dims: dims, Zero: total},
		{Measure: indicator.TourPlaces, dims: slices.Clone(dims), Zero: total},
	}}
}

// perInhabitantCompare describes the charts of perInhabitant
// (dashboard_themes.go), by id: a count per n inhabitants.
func perInhabitantCompare(id string, n float64) *compareSpec {
	switch id {
	case "creations-habitants":
		return perInhabitants(indicator.CreationsEnt, n)
	case "tourisme-lits": // as touristBeds counts them
		c := perInhabitants(indicator.TourPlaces, n)
		s := &c.Series[0]
		for _, part := range []struct {
			act  string
			beds float64
		}{{actHotels, bedsPerRoom}, {actCampsites, bedsPerPitch}, {actOthers, 1}} {
			if s.Dim != "" {
				s.Dim += "|"
			}
			s.Dim += "ACTIVITY=" + part.act + ";RANKING=_T"
			s.Coefs = append(s.Coefs, part.beds)
		}
		return c
	}
	return nil
}

// regionalSectorsCompare describes the chart of a région's jobs by sector
// as shares of its total (dashboard_urssaf.go): the series of the page's
// région, named after it, then France's, which takes no second territory.
func regionalSectorsCompare(parts []indicator.Figure, series int) *compareSpec {
	c := dimCompare(nil, parts)
	c.Region = true
	s := &c.Series[0]
	s.Per, s.Factor, s.own = indicator.EffSalTrim, 100, true
	for len(c.Series) < series {
		c.Series = append(c.Series, compareSeries{skip: true})
	}
	return c
}
