package builder

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/geo"
	"territoires/indicator"
)

// TestURSSAFChartsOffline: with the synthetic figures, the sector
// breakdown of the regional series is on the région page (beside France),
// the home employees on the département and région pages, each with its
// source, vintage, data table and the illustrative badge; a commune page
// has none of them.
func TestURSSAFChartsOffline(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	pages := []struct {
		path    string
		present []string
		absent  []string
	}{
		{"region/84/index.html", []string{"secteurs-regionaux", "particuliers-employeurs", "particuliers-employeurs-habitants"}, nil},
		{"departement/69/index.html", []string{"particuliers-employeurs", "particuliers-employeurs-habitants"}, []string{"secteurs-regionaux"}},
		{"commune/69123/index.html", nil, []string{"secteurs-regionaux", "particuliers-employeurs", "particuliers-employeurs-habitants"}},
	}
	for _, p := range pages {
		doc := readPage(t, site, p.path)
		for _, id := range p.present {
			fig := doc.Find("figure.chart-block#" + id)
			if fig.Length() != 1 {
				t.Errorf("%s: no chart %s", p.path, id)
				continue
			}
			if src := fig.Find("p.source").Text(); !strings.Contains(src, "Illustratif") || !strings.Contains(src, "Urssaf") {
				t.Errorf("%s #%s: source line %q, want the source and its vintage", p.path, id, src)
			}
			if !fig.Is(".ill") {
				t.Errorf("%s #%s: synthetic figures without the illustrative badge", p.path, id)
			}
			if fig.Find("table tbody tr").Length() < 2 {
				t.Errorf("%s #%s: data table has %d rows", p.path, id, fig.Find("table tbody tr").Length())
			}
			if doc.Find("script#"+id+"-options").Length() != 1 && fig.Find("div.chart[data-option]").Length() != 1 {
				t.Errorf("%s #%s: no chart options", p.path, id)
			}
		}
		for _, id := range p.absent {
			if doc.Find("#"+id).Length() != 0 {
				t.Errorf("%s: chart %s should not be there", p.path, id)
			}
		}
	}
	reg := readPage(t, site, "region/84/index.html")
	o := chartJSON(t, reg, "secteurs-regionaux")
	if len(o.Series) != 2 || o.Series[0].Name != "Auvergne-Rhône-Alpes" || o.Series[1].Name != "France" {
		t.Errorf("sector chart series = %+v, want the région and France", o.Series)
	}
	if len(o.YAxis) != 1 || len(o.YAxis[0].Data) < 10 {
		t.Errorf("sector chart has %d sectors, want the NA28I breakdown", len(o.YAxis[0].Data))
	}
	dep := readPage(t, site, "departement/69/index.html")
	o = chartJSON(t, dep, "particuliers-employeurs-habitants")
	if len(o.XAxis) != 1 || strings.Join(o.XAxis[0].Data, "|") != "Rhône|Auvergne-Rhône-Alpes|France" {
		t.Errorf("home employees comparison categories = %+v, want the département, its région, France", o.XAxis)
	}
}

// urssafSource serves figures as the fetch index does: each territory
// holds only its own figures (a département page finds its région's
// through the compared parents).
type urssafSource struct{}

func (urssafSource) Illustrative() bool { return false }

func (s urssafSource) AppendFigures(_ context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	return append(out, s.figures(t)...), nil
}

func (urssafSource) figures(t *geo.Territory) []indicator.Figure {
	fig := func(measure, dim, period string, v float64) indicator.Figure {
		return indicator.Figure{Territory: t.ID(), Theme: indicator.Emploi, Measure: measure, Dim: dim, Period: period,
			Value: v, Status: indicator.Present, Source: "Urssaf, open data", Vintage: "2025-06-30"}
	}
	switch t.ID() {
	case "region/84":
		return []indicator.Figure{
			fig(indicator.EffSalTrim, "", "2024-T4", 400),
			fig(indicator.EffSalTrim, "NA28I=FZ", "2024-T4", 100),
			fig(indicator.EffSalTrim, "NA28I=GZ", "2024-T4", 300),
			fig(indicator.EffSalTrim, "NA28I=GZ;SA=CVS", "2024-T4", 299),
			fig(indicator.EffSalTrim, "NA28I=GZ", "2024-T3", 290),
			fig(indicator.SalariesPartEmp, "", "2018", 10000),
			fig(indicator.SalariesPartEmp, "CATEGORIE=1", "2018", 1000),
			fig(indicator.SalariesPartEmp, "CATEGORIE=3", "2018", 9000),
		}
	case "france/FR":
		return []indicator.Figure{
			fig(indicator.EffSalTrim, "", "2024-T4", 2000),
			fig(indicator.EffSalTrim, "NA28I=FZ", "2024-T4", 1000),
			fig(indicator.EffSalTrim, "NA28I=GZ", "2024-T4", 1000),
			fig(indicator.SalariesPartEmp, "", "2018", 100000),
		}
	case "departement/69":
		return []indicator.Figure{
			fig(indicator.SalariesPartEmp, "", "2018", 4000),
			fig(indicator.SalariesPartEmp, "CATEGORIE=1", "2018", 1000),
			fig(indicator.SalariesPartEmp, "CATEGORIE=9", "2018", 3000),
		}
	}
	return nil
}

// TestURSSAFChartsFigures checks the charts' figures against a source
// shaped like the fetch index.
func TestURSSAFChartsFigures(t *testing.T) {
	site := newSite(t, rhone)
	if _, err := Build(context.Background(), Options{Site: site, Source: urssafSource{}}); err != nil {
		t.Fatal(err)
	}
	rows := func(doc *goquery.Document, id string) [][]string {
		var out [][]string
		doc.Find("figure#" + id + " table tbody tr").Each(func(_ int, tr *goquery.Selection) {
			var r []string
			tr.Find("th, td").Each(func(_ int, c *goquery.Selection) { r = append(r, strings.TrimSpace(c.Text())) })
			out = append(out, r)
		})
		return out
	}
	reg := readPage(t, site, "region/84/index.html")
	got := rows(reg, "secteurs-regionaux")
	want := [][]string{
		{"Construction", "100", "25,0\u202f%", "50,0\u202f%"},
		{"Commerce", "300", "75,0\u202f%", "50,0\u202f%"},
	}
	if len(got) != len(want) {
		t.Fatalf("sector table = %q, want %q", got, want)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("sector table row %d = %q, want %q", i, got[i], want[i])
		}
	}
	if h3 := reg.Find("figure#secteurs-regionaux h3").Text(); !strings.Contains(h3, "2024-T4") {
		t.Errorf("sector chart title %q does not name the latest quarter", h3)
	}
	if src := reg.Find("figure#secteurs-regionaux p.source").Text(); !strings.Contains(src, "Urssaf, open data, 2025-06-30") {
		t.Errorf("sector chart source %q", src)
	}
	if reg.Find("figure#secteurs-regionaux.ill").Length() != 0 {
		t.Error("real figures labelled illustrative")
	}

	dep := readPage(t, site, "departement/69/index.html")
	cats := rows(dep, "particuliers-employeurs")
	if len(cats) != 2 || cats[0][0] != "Garde d'enfants à domicile" || cats[1][0] != "Catégorie 9" || cats[1][2] != "75,0\u202f%" {
		t.Errorf("home employees table = %q", cats)
	}
	rate := rows(dep, "particuliers-employeurs-habitants")
	if len(rate) != 3 || rate[0][0] != "Rhône" || rate[1][0] != "Auvergne-Rhône-Alpes" || rate[2][0] != "France" {
		t.Fatalf("home employees per inhabitant table = %q", rate)
	}
	for _, r := range rate {
		if r[1] == "–" || r[3] == "–" {
			t.Errorf("home employees per inhabitant: row %q lacks a figure", r)
		}
	}
	if dep.Find("#secteurs-regionaux").Length() != 0 {
		t.Error("the sector breakdown of the regional series is on a département page")
	}
}
