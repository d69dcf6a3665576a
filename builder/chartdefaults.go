package builder

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"territoires/geo"
)

// A chart's container carries what only charts.js reads: the ECharts
// option, the unit and decimals of its numbers, its accessible label.
// They are the same on most pages (the label differs by the territory's
// name), and a commune page has some 23 charts: 4.4 KB of each page, 150 MB
// of a whole-country site, went to repeating them. So the build takes them
// once, from the first pages in code order, into charts.js (chartDefaults),
// and a page writes only what differs from them. Readers without
// JavaScript see no chart and lose nothing: the tables carry the figures.

// placeMark stands for the territory's name in a default label.
const placeMark = "\x00"

// chartDefault is what a chart's container holds unless it says otherwise.
type chartDefault struct {
	Option   string `json:"o,omitempty"` // data-option ("" when it is in a script element)
	Unit     string `json:"u,omitempty"` // data-unit
	Decimals int    `json:"d,omitempty"` // data-decimals
	Label    string `json:"l,omitempty"` // aria-label, placeMark for the name
}

// chartDefaults are the defaults of each chart id.
type chartDefaults map[string]*chartDefault

// defaultSamples is how many communes give the defaults: enough for the
// charts only some communes have (hotels, campings).
const defaultSamples = 60

// sampleCharts computes the defaults from the pages of the first communes
// of the build by code (or of its first territories when it has no
// commune): for each chart id, its first occurrence. The samples' figures
// are read through a cache of their own, so that the build's cache keeps
// its plan.
func (b *build) sampleCharts(ctx context.Context, terrs []*geo.Territory, src Source, workers int) (chartDefaults, error) {
	samples := make([]*geo.Territory, 0, len(terrs))
	for _, t := range terrs {
		if t.Kind == geo.Commune {
			samples = append(samples, t)
		}
	}
	if len(samples) == 0 {
		samples = append(samples, terrs...)
	}
	slices.SortFunc(samples, func(a, b *geo.Territory) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Code, b.Code))
	})
	samples = samples[:min(len(samples), defaultSamples)]
	figs := newFigureCache(src)
	built := func(t *geo.Territory) bool { return b.built[t] }
	// The samples' views are built side by side, then read in order.
	views := make([]*pageView, len(samples))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for i, t := range samples {
		g.Go(func() error {
			v, err := b.site.page(gctx, t, built, figs)
			if err != nil {
				return fmt.Errorf("%s: %w", t.ID(), err)
			}
			views[i] = v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	defs := chartDefaults{}
	for i, v := range views {
		t := samples[i]
		for _, th := range v.Themes {
			for _, c := range th.Charts {
				if defs[c.ID] != nil {
					continue
				}
				d := &chartDefault{Unit: c.Unit, Decimals: c.Decimals, Label: strings.ReplaceAll(c.Label, t.Name, placeMark)}
				if c.inline() {
					d.Option = string(c.Options)
				}
				defs[c.ID] = d
			}
		}
	}
	return defs, nil
}

// script is the statement that gives charts.js the defaults.
func (d chartDefaults) script() ([]byte, error) {
	js, err := json.Marshal(d) // keys sorted: the same bytes every build
	if err != nil {
		return nil, err
	}
	return append(append([]byte("window.territoiresChartDefaults="), js...), ";\n"...), nil
}

// labelIs reports whether the default label tpl, with name for each
// placeMark, is label; without building the string.
func labelIs(tpl, name, label string) bool {
	for {
		i := strings.Index(tpl, placeMark)
		if i < 0 {
			return tpl == label
		}
		if !strings.HasPrefix(label, tpl[:i]) {
			return false
		}
		label = label[i:]
		if !strings.HasPrefix(label, name) {
			return false
		}
		label, tpl = label[len(name):], tpl[i+len(placeMark):]
	}
}
