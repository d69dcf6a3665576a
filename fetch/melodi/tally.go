package melodi

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"territoires/indicator"
)

// obs is one observation, from a JSON answer or a CSV row: its dimensions
// in order (GEO and TIME_PERIOD included), its value and its attributes.
type obs struct {
	dims      []pair // name, code
	value     float64
	hasValue  bool
	confState string // CONF_STATUS
	obsState  string // OBS_STATUS
	unitMult  int    // UNIT_MULT: the value is in 10^unitMult
}

type pair struct{ name, code string }

func (o *obs) reset() {
	o.dims = o.dims[:0]
	o.value, o.hasValue, o.confState, o.obsState, o.unitMult = 0, false, "", "", 0
}

func (o *obs) get(name string) string {
	for _, p := range o.dims {
		if p.name == name {
			return p.code
		}
	}
	return ""
}

// tally counts what became of a dataset's observations: every one read is
// kept or skipped for a reason, and a dimension or code the description
// lacks is counted by name. Nothing is dropped without being counted.
type tally struct {
	Read        int
	Kept        int
	Skipped     map[string]int // reason → observations
	Undescribed map[string]int // "dimension NEW" or "POPREF_MEASURE code XYZ" → observations skipped
	AtTotal     map[string]int // undescribed dimension at _T → observations kept all the same
	Refused     []string       // the first values refused by indicator.CheckValue
}

func newTally() *tally {
	return &tally{Skipped: map[string]int{}, Undescribed: map[string]int{}, AtTotal: map[string]int{}}
}

func (t *tally) skip(reason string) { t.Skipped[reason]++ }

// Skip reasons, as the provenance page shows them.
const (
	skipTerritory   = "territoire hors du référentiel du site"
	skipFranceFM    = "France métropolitaine (FRANCE-FM), tenue à part de la France entière"
	skipLevel       = "niveau géographique non publié par le site"
	skipPeriod      = "périodes antérieures à la dernière"
	skipMeasure     = "mesures non publiées par le site"
	skipBreakdown   = "ventilations non publiées par le site"
	skipCrossed     = "croisements de ventilations non publiés"
	skipUndescribed = "dimensions ou codes non décrits"
	skipRefused     = "valeurs refusées (hors bornes)"
)

// undescribed counts an observation skipped for a dimension or code the
// description lacks.
func (t *tally) undescribed(what string) {
	t.Undescribed[what]++
	t.skip(skipUndescribed)
}

// Notes says, one line each, what the description lacks, with what it
// cost: "DS_X: dimension NEW not described, 12,345 observations skipped".
func (t *tally) Notes(ds string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(t.Undescribed)) {
		out = append(out, fmt.Sprintf("%s: %s not described, %s observations skipped", ds, k, thousands(t.Undescribed[k])))
	}
	for _, k := range slices.Sorted(maps.Keys(t.AtTotal)) {
		out = append(out, fmt.Sprintf("%s: dimension %s not described, at _T in %s observations kept", ds, k, thousands(t.AtTotal[k])))
	}
	return out
}

// thousands writes n with a comma every three digits: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mapper turns a dataset's observations into figures, counting the rest.
type mapper struct {
	ds     *dataset
	latest string // latest period of the dataset, "" if unknown (keep all)
	label  string // Figure.Vintage: "DS_FILOSOFI_CC 2021"
	geo    *geoMapper
	t      *tally
	dims   map[string]*dim

	bd []pair // scratch: breakdowns of the current observation
}

func newMapper(ds *dataset, latest string, g *geoMapper) *mapper {
	m := &mapper{ds: ds, latest: latest, label: ds.ID, geo: g, t: newTally(), dims: map[string]*dim{}}
	if latest != "" {
		m.label += " " + latest
	}
	for i := range ds.Dims {
		m.dims[ds.Dims[i].Name] = &ds.Dims[i]
	}
	return m
}

// figure maps one observation; false means it is skipped, and counted.
func (m *mapper) figure(o *obs) (indicator.Figure, bool) {
	m.t.Read++
	ds := m.ds
	id, reason := m.geo.id(o.get("GEO"))
	if reason != "" {
		m.t.skip(reason)
		return indicator.Figure{}, false
	}
	period := o.get("TIME_PERIOD")
	if ds.Latest && m.latest != "" && period != m.latest {
		m.t.skip(skipPeriod)
		return indicator.Figure{}, false
	}
	measure := ds.Measure
	if ds.MeasureDim != "" {
		code := o.get(ds.MeasureDim)
		var ok bool
		if measure, ok = ds.Measures[code]; !ok {
			if slices.Contains(ds.OtherMeasures, code) {
				m.t.skip(skipMeasure)
			} else {
				m.t.undescribed(ds.MeasureDim + " code " + code)
			}
			return indicator.Figure{}, false
		}
	}
	m.bd = m.bd[:0]
	var keyed []string // codes written in Dim although at "all" (KeepAll)
	for _, p := range o.dims {
		switch p.name {
		case "GEO", "TIME_PERIOD", ds.MeasureDim:
			continue
		}
		d := m.dims[p.name]
		if d == nil {
			if p.code == "_T" {
				m.t.AtTotal[p.name]++
				continue
			}
			m.t.undescribed("dimension " + p.name)
			return indicator.Figure{}, false
		}
		switch {
		case d.Ignore:
		case p.code == d.All:
			if d.KeepAll {
				keyed = append(keyed, d.key()+"="+p.code)
			}
		case d.KeepAny || slices.Contains(d.Keep, p.code):
			m.bd = append(m.bd, pair{p.name, p.code})
		case d.KnownAny || slices.Contains(d.Known, p.code):
			m.t.skip(skipBreakdown)
			return indicator.Figure{}, false
		default:
			m.t.undescribed(p.name + " code " + p.code)
			return indicator.Figure{}, false
		}
	}
	// A breakdown that implies another dimension's code (TSH on main
	// residences) makes that code count as "all".
	for _, b := range m.bd {
		for name, code := range m.dims[b.name].With {
			m.bd = slices.DeleteFunc(m.bd, func(p pair) bool { return p.name == name && p.code == code })
		}
	}
	if len(m.bd) > 1 && !ds.Cross {
		m.t.skip(skipCrossed)
		return indicator.Figure{}, false
	}
	if ds.LatestBreakdowns && len(m.bd) > 0 && m.latest != "" && period != m.latest {
		m.t.skip(skipPeriod)
		return indicator.Figure{}, false
	}
	if ds.Accept != nil && !ds.Accept(o.get) {
		m.t.skip(skipMeasure)
		return indicator.Figure{}, false
	}
	for _, b := range m.bd {
		keyed = append(keyed, m.dims[b.name].key()+"="+b.code)
	}
	slices.Sort(keyed)
	fig := indicator.Figure{
		Territory: id, Theme: ds.Theme, Measure: measure, Dim: strings.Join(keyed, ";"),
		Period: period, Status: status(o), Source: ds.Source, Vintage: m.label,
	}
	if fig.Status == indicator.Present {
		fig.Value = o.value
		if o.unitMult != 0 {
			fig.Value *= math.Pow10(o.unitMult)
		}
		if ds.Rates {
			// Counts checked as counts; the rates are checked when made.
			if err := indicator.CheckValue(indicator.Actifs, fig.Value); err != nil {
				m.refuse(fig, err)
				return indicator.Figure{}, false
			}
		} else if err := indicator.CheckValue(measure, fig.Value); err != nil {
			m.refuse(fig, err)
			return indicator.Figure{}, false
		}
	}
	m.t.Kept++
	return fig, true
}

func (m *mapper) refuse(f indicator.Figure, err error) {
	m.t.skip(skipRefused)
	if len(m.t.Refused) < 5 {
		m.t.Refused = append(m.t.Refused, fmt.Sprintf("%s: %s %s: %v", m.ds.ID, f.Territory, f.Period, err))
	}
}

// status reads SDMX attributes: CONF_STATUS C (confidential), D (secondary
// confidentiality), N or S is a secret value; OBS_STATUS M, O or L, or no
// value, is not published.
func status(o *obs) indicator.Status {
	switch o.confState {
	case "C", "D", "N", "S":
		return indicator.Secret
	}
	switch o.obsState {
	case "M", "O", "L":
		return indicator.NotPublished
	}
	if !o.hasValue {
		return indicator.NotPublished
	}
	return indicator.Present
}

// reasons lists the skip reasons by decreasing count.
func (t *tally) reasons() []string {
	keys := slices.Collect(maps.Keys(t.Skipped))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.Skipped[b], t.Skipped[a]), strings.Compare(a, b))
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s (%s)", k, thousands(t.Skipped[k]))
	}
	return out
}
