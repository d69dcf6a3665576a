package builder

import (
	"context"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestChartDefaultsLoseNothing: every chart of every page of a build that
// leaves attributes to charts.js's defaults reads, once charts.js has
// completed it, as the chart of a build that writes them all.
func TestChartDefaultsLoseNothing(t *testing.T) {
	whole := newSite(t, rhone)
	if _, err := Build(context.Background(), Options{Site: whole, noChartDefaults: true}); err != nil {
		t.Fatal(err)
	}
	lean := newSite(t, rhone)
	mustBuild(t, lean)
	defs := chartDefaultsOf(t, lean)
	if len(defs) < 20 {
		t.Fatalf("%d chart defaults, want those of every chart of a commune", len(defs))
	}
	if chartDefaultsOf(t, whole) != nil {
		t.Fatal("a build without defaults wrote some")
	}
	out := lean.Path(lean.Output)
	charts, left := 0, 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "index.html" {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		got, want := readPage(t, lean, rel), readRawPage(t, whole, rel)
		resolveCharts(want, nil)
		g, w := got.Find("figure .chart"), want.Find("figure .chart")
		if g.Length() != w.Length() {
			t.Fatalf("%s: %d charts, want %d", rel, g.Length(), w.Length())
		}
		w.Each(func(i int, w *goquery.Selection) {
			g := g.Eq(i)
			id := w.Closest("figure").AttrOr("id", "")
			if !maps.Equal(attrs(g), attrs(w)) {
				t.Errorf("%s #%s: container %v\nwant %v", rel, id, attrs(g), attrs(w))
			}
			if gt, wt := g.Closest("figure").Text(), w.Closest("figure").Text(); gt != wt {
				t.Errorf("%s #%s: figure reads %q\nwant %q", rel, id, gt, wt)
			}
		})
		charts += w.Length()
		raw := readRawPage(t, lean, rel)
		left += raw.Find("figure .chart[aria-label]").Length()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if charts < 5000 || left > charts/10 {
		t.Errorf("%d charts, %d with their own label: want most to take the default", charts, left)
	}
	t.Logf("%d charts, %d write their own label", charts, left)
}

func attrs(s *goquery.Selection) map[string]string {
	m := map[string]string{}
	for _, a := range s.Nodes[0].Attr {
		m[a.Key] = a.Val
	}
	return m
}

// TestLabelIs: a default label with the territory's name where it has
// placeMark.
func TestLabelIs(t *testing.T) {
	tests := []struct {
		tpl, name, label string
		want             bool
	}{
		{"Population de \x00, 2016 à 2023", "Lyon", "Population de Lyon, 2016 à 2023", true},
		{"Population de \x00, 2016 à 2023", "Lyon", "Population de Lyon, 2016 à 2022", false},
		{"Population de \x00, 2016 à 2023", "Lyon", "Population de Paris, 2016 à 2023", false},
		{"\x00 et \x00", "Eu", "Eu et Eu", true},
		{"\x00 et \x00", "Eu", "Eu et Ea", false},
		{"Taux de pauvreté", "Lyon", "Taux de pauvreté", true},
		{"Taux de pauvreté", "Lyon", "Taux de pauvreté ", false},
		{"", "Lyon", "", true},
		{"\x00", "", "", true},
	}
	for _, tt := range tests {
		if got := labelIs(tt.tpl, tt.name, tt.label); got != tt.want {
			t.Errorf("labelIs(%q, %q, %q) = %v, want %v", tt.tpl, tt.name, tt.label, got, tt.want)
		}
		if tt.want != (strings.ReplaceAll(tt.tpl, placeMark, tt.name) == tt.label) {
			t.Errorf("case %q does not match its expansion", tt.label)
		}
	}
}
