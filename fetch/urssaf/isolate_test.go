package urssaf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"territoires/fetch"
	"territoires/fetch/urssaf/urssaftest"
	"territoires/indicator"
)

// TestUrssafFailingDatasetIsolated: a dataset the portal does not have
// (404) fails alone: Fetch returns an error naming it, every other dataset
// is fetched and decoded.
func TestUrssafFailingDatasetIsolated(t *testing.T) {
	env := newUrssafEnv(t, urssaftest.Options{Missing: []string{DPAERegion}})
	err := env.c.Fetch(context.Background(), env.e)
	if !errors.Is(err, fetch.ErrNotFound) || !strings.Contains(err.Error(), DPAERegion) {
		t.Fatalf("Fetch = %v, want a not-found error naming %s", err, DPAERegion)
	}
	// A dataset's failure, so that fetch names it and build goes on.
	if !fetch.OnlyDatasets(err) {
		t.Errorf("fetch.OnlyDatasets(%v) = false, want true: the build would stop", err)
	}
	if got := fetch.FailedDatasets(err); len(got) != 1 || got[0] != DPAERegion {
		t.Errorf("fetch.FailedDatasets = %v, want [%s]", got, DPAERegion)
	}
	for _, id := range urssaftest.Datasets() {
		if id == DPAERegion {
			continue
		}
		if strings.Contains(err.Error(), id) {
			t.Errorf("the error names %s, which was fetched: %v", id, err)
		}
		if n := env.srv.Calls(urssaftest.Export, id); n != 1 {
			t.Errorf("%s: %d exports, want 1", id, n)
		}
	}
	measures := map[string]int{}
	for f, err := range env.c.Figures(context.Background(), env.e) {
		if err != nil {
			t.Fatalf("Figures: %v", err)
		}
		measures[f.Measure]++
	}
	for _, m := range []string{indicator.EffectifsSal, indicator.EffSalTrim, indicator.AEActifs, indicator.ProcCollectives, indicator.SalariesPartEmp} {
		if measures[m] == 0 {
			t.Errorf("no %s figure although its dataset answered", m)
		}
	}
	if measures[indicator.DPAE] != 0 {
		t.Errorf("%d DPAE figures from a dataset that answered 404", measures[indicator.DPAE])
	}
}

// TestUrssafSubtotalsAndHostileFromFake: against a portal whose series
// hold subtotal rows, the figures are those of a portal without them; its
// hostile values are refused, logged with dataset, territory and value,
// and counted.
func TestUrssafSubtotalsAndHostileFromFake(t *testing.T) {
	datasets := []string{RegionNA38, DPAERegion, AESecteur, AEDepartement, ParticuliersEmployeurs}
	plain := newUrssafEnv(t, urssaftest.Options{}, datasets...)
	plain.fetch(t)
	sub := newUrssafEnv(t, urssaftest.Options{Data: urssaftest.Data{Subtotals: true}}, datasets...)
	sub.fetch(t)
	a, b := plain.figures(t), sub.figures(t)
	if len(a) != len(b) {
		t.Errorf("%d figures without subtotal rows, %d with", len(a), len(b))
	}
	for k, f := range a {
		g, ok := b[k]
		if !ok || g.Status != f.Status || (g.Value-f.Value > 1e-6*f.Value || f.Value-g.Value > 1e-6*f.Value) {
			t.Errorf("%v: %v (%v) with subtotal rows, %v (%v) without", k, g.Value, g.Status, f.Value, f.Status)
		}
	}
	if !strings.Contains(sub.logs.String(), "subtotal rows found") {
		t.Errorf("the log does not say subtotal rows were found:\n%s", sub.logs.String())
	}

	hostile := newUrssafEnv(t, urssaftest.Options{Data: urssaftest.Data{Hostile: true}}, datasets...)
	hostile.fetch(t)
	hostile.figures(t)
	rep := hostile.c.Report()
	for _, id := range []string{RegionNA38, DPAERegion, AEDepartement, ParticuliersEmployeurs} {
		if rep.Skipped[id] != 1 {
			t.Errorf("%s: %d values refused, want 1", id, rep.Skipped[id])
		}
		if !strings.Contains(hostile.logs.String(), "value refused, figure not published\" dataset="+id) {
			t.Errorf("the log does not name %s's refused value:\n%s", id, hostile.logs.String())
		}
	}
	for _, w := range []string{"value=-42", "value=1e300", "value=NaN", "value=-1"} {
		if !strings.Contains(hostile.logs.String(), w) {
			t.Errorf("the log lacks %s", w)
		}
	}
}
