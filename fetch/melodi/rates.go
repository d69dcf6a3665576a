package melodi

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"territoires/indicator"
)

// rateAcc turns census activity counts into activity and unemployment
// rates and counts of the active population. A territory's counts may
// straddle two pages, so figures are made once the dataset is read. It
// holds three numbers per territory.
type rateAcc struct {
	m map[string]*rateCounts
}

type rateCounts struct {
	vals   [3]float64
	seen   [3]bool
	secret bool
}

func newRateAcc() *rateAcc { return &rateAcc{m: map[string]*rateCounts{}} }

func (a *rateAcc) add(f indicator.Figure) {
	k := f.Territory + "|" + f.Period
	c := a.m[k]
	if c == nil {
		c = &rateCounts{}
		a.m[k] = c
	}
	i := map[string]int{rateEmployed: 0, rateUnemployed: 1, rateTotal: 2}[f.Measure]
	c.secret = c.secret || f.Status == indicator.Secret
	if f.Status == indicator.Present {
		c.vals[i], c.seen[i] = f.Value, true
	}
}

// figures yields, per territory and period, the activity and unemployment
// rates and the active population (Dim "", "EMPSTA=1" employed, "EMPSTA=2"
// unemployed).
func (a *rateAcc) figures(ds *dataset, mp *mapper) iter.Seq[indicator.Figure] {
	return func(yield func(indicator.Figure) bool) {
		for _, k := range slices.Sorted(maps.Keys(a.m)) {
			c := a.m[k]
			id, period, _ := strings.Cut(k, "|")
			emp, unemp, total := c.vals[0], c.vals[1], c.vals[2]
			base := indicator.Figure{Territory: id, Theme: ds.Theme, Period: period, Source: ds.Source, Vintage: mp.label}
			act, cho := base, base
			act.Measure, cho.Measure = indicator.TauxActivite, indicator.TauxChomage
			figs := []indicator.Figure{act, cho}
			for _, d := range []struct {
				dim  string
				v    float64
				seen bool
			}{{"", emp + unemp, c.seen[0] && c.seen[1]}, {"EMPSTA=1", emp, c.seen[0]}, {"EMPSTA=2", unemp, c.seen[1]}} {
				f := base
				f.Measure, f.Dim = indicator.Actifs, d.dim
				switch {
				case c.secret:
					f.Status = indicator.Secret
				case !d.seen:
					f.Status = indicator.NotPublished
				default:
					f.Value = d.v
				}
				figs = append(figs, f)
			}
			switch {
			case c.secret:
				figs[0].Status, figs[1].Status = indicator.Secret, indicator.Secret
			case !c.seen[0] || !c.seen[1] || !c.seen[2] || total == 0 || emp+unemp == 0:
				figs[0].Status, figs[1].Status = indicator.NotPublished, indicator.NotPublished
			default:
				figs[0].Value = round1(100 * (emp + unemp) / total)
				figs[1].Value = round1(100 * unemp / (emp + unemp))
			}
			for _, f := range figs {
				if f.Status == indicator.Present {
					if err := indicator.CheckValue(f.Measure, f.Value); err != nil {
						mp.refuse(f, err)
						continue
					}
				}
				if !yield(f) {
					return
				}
			}
		}
	}
}

func round1(x float64) float64 {
	return float64(int64(x*10+0.5)) / 10
}
