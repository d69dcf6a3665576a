package builder

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"territoires/geo"
	"territoires/indicator"
	"territoires/offline"
)

// chartOption is the part of a chart's JSON the tests read.
type chartOption struct {
	XAxis []struct {
		Type string `json:"type"`
		Data []string
	} `json:"xAxis"`
	YAxis []struct {
		Type string `json:"type"`
		Data []string
	} `json:"yAxis"`
	Series []struct {
		Name string
		Type string
		Data []any
	} `json:"series"`
	Table *compactData `json:"table"`
}

func chartJSON(t *testing.T, doc *goquery.Document, id string) chartOption {
	t.Helper()
	raw, inline := doc.Find("figure#" + id + " div.chart").Attr("data-option")
	if !inline {
		raw = doc.Find("script#" + id + "-options").Text()
	}
	var o chartOption
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		t.Fatalf("chart %s: JSON does not parse: %v\n%s", id, err, raw)
	}
	if o.Table != nil {
		fillFromTable(t, doc.Find("figure#"+id+" table"), &o)
	}
	return o
}

func TestCommuneDashboard(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	doc := readPage(t, site, "commune/69123/index.html")

	want := []string{"population-legale", "population-historique", "pyramide-ages", "naissances-deces",
		"revenus-deciles", "pauvrete", "activite-chomage", "emplois", "emploi-salarie",
		"secteurs-urssaf", "etablissements-insee",
		"creations", "creations-secteurs", "creations-habitants", "logements-categories", "logements-types", "logements-statut",
		"tourisme-hebergements", "tourisme-hotels", "tourisme-lits", "diplomes", "menages-taille", "familles"}
	var got []string
	doc.Find("figure.chart-block").Each(func(_ int, f *goquery.Selection) {
		id := f.AttrOr("id", "")
		got = append(got, id)
		if f.Find("h3").Text() == "" {
			t.Errorf("chart %s has no title", id)
		}
		src := f.Find("p.source").Text()
		if !strings.HasPrefix(src, "Source : ") || !strings.ContainsAny(src, "0123456789") {
			t.Errorf("chart %s: source line %q lacks the source or the vintage", id, src)
		}
		if f.Find("details table tbody tr").Length() == 0 {
			t.Errorf("chart %s has no data table", id)
		}
		div := f.Find("div.chart")
		_, inline := div.Attr("data-option")
		if !inline && div.AttrOr("data-options", "") != id+"-options" || div.AttrOr("role", "") != "img" || div.AttrOr("aria-label", "") == "" {
			t.Errorf("chart %s container lacks its option, role or aria-label", id)
		}
		chartJSON(t, doc, id)
	})
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("charts = %q\nwant %q", got, want)
	}
	// The geography of every chart, said once.
	if geo := doc.Find("p.geo"); geo.Length() != 1 || !strings.Contains(geo.Text(), "géographie au 1er janvier 2026") {
		t.Errorf("page geography %q, want one line naming 1 January 2026", geo.Text())
	}
	if n := doc.Find("script[id$=-options]").Length(); n != 0 {
		t.Errorf("%d charts carry their whole option in a script, want every one read from its table", n)
	}

	// The JSON holds the figures of the model, the table the same ones.
	ref, _ := geo.Load()
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	figs, _ := offline.New(ref).AppendFigures(context.Background(), nil, lyon)
	fs := newFigureSet(figs)
	births := fs.series(indicator.Naissances, "", "")
	o := chartJSON(t, doc, "naissances-deces")
	if len(o.Series) != 2 || o.Series[0].Name != "Naissances" || len(o.Series[0].Data) != len(births) {
		t.Fatalf("naissances-deces series = %+v", o.Series)
	}
	for i, f := range births {
		if o.XAxis[0].Data[i] != f.Period || o.Series[0].Data[i] != f.Value {
			t.Errorf("births %s: chart has %v in %v, model %v", f.Period, o.Series[0].Data[i], o.XAxis[0].Data[i], f.Value)
		}
	}
	lastRow := doc.Find("#naissances-deces tbody tr").Last()
	if lastRow.Find("th").Text() != births[len(births)-1].Period || lastRow.Find("td").First().Text() != formatDecimal(births[len(births)-1].Value, 0) {
		t.Errorf("births table last row = %q", lastRow.Text())
	}
	// Legal populations are the official ones, in the chart too.
	lp := chartJSON(t, doc, "population-legale")
	if n := len(lp.Series[0].Data); lp.Series[0].Data[n-1] != 519127.0 {
		t.Errorf("legal population chart ends with %v, want 519127", lp.Series[0].Data[n-1])
	}
	// Income is compared with the parents.
	inc := chartJSON(t, doc, "revenus-deciles")
	if strings.Join(inc.XAxis[0].Data, "|") != "Lyon|Métropole de Lyon|Rhône|Auvergne-Rhône-Alpes|France" {
		t.Errorf("income compared with %q", inc.XAxis[0].Data)
	}
	// Key figures, each with its year.
	keys := doc.Find(".key li")
	if keys.Length() != 6 {
		t.Errorf("%d key figures, want 6", keys.Length())
	}
	keys.Each(func(_ int, k *goquery.Selection) {
		if !strings.ContainsAny(k.Find(".detail").Text(), "0123456789") {
			t.Errorf("key figure %q has no year", k.Text())
		}
	})
	// Offline figures are labelled: banner, noindex, a badge on each chart but the official one.
	if doc.Find(".banner").Length() != 1 || doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 {
		t.Error("offline page lacks the illustrative banner or noindex")
	}
	if doc.Find("#population-legale.ill").Length() != 0 || doc.Find("#revenus-deciles.ill").Length() != 1 {
		t.Error("illustrative badges: want none on legal population, one on income")
	}
}

func TestSecretIncome(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	ref, _ := geo.Load()
	dep, _ := ref.Lookup(geo.Departement, "69")
	var small, tiny *geo.Territory
	for _, c := range dep.Children {
		p, _ := c.LatestPopulation()
		if small == nil && p.Value > 300 && p.Value < 1500 {
			small = c
		}
		if tiny == nil && p.Value < 150 {
			tiny = c
		}
	}
	if small == nil || tiny == nil {
		t.Fatal("no small commune in the Rhône")
	}
	doc := readPage(t, site, "commune/"+small.Code+"/index.html")
	rev := doc.Find("#revenus-deciles")
	if !strings.Contains(rev.Find(".note").Text(), "1er décile, 9e décile : non diffusé : secret statistique") {
		t.Errorf("%s: income chart does not say the deciles are secret", small.Name)
	}
	o := chartJSON(t, doc, "revenus-deciles")
	if o.Series[0].Data[0] != "-" {
		t.Errorf("%s: secret D1 drawn as %v, want missing", small.Name, o.Series[0].Data[0])
	}
	if o.Series[1].Data[0] == "-" || o.Series[1].Data[1] == "-" {
		t.Errorf("%s: median or EPCI median missing: %v", small.Name, o.Series[1].Data)
	}
	// A tiny commune: even the median is secret; the key figure says so,
	// and no chart is drawn without a value of its own.
	doc = readPage(t, site, "commune/"+tiny.Code+"/index.html")
	if !strings.Contains(doc.Find(".key").Text(), "non diffusé") {
		t.Errorf("%s: key figures do not say the income is secret", tiny.Name)
	}
	doc.Find("figure.chart-block").Each(func(_ int, f *goquery.Selection) {
		o := chartJSON(t, doc, f.AttrOr("id", ""))
		values := 0
		for _, s := range o.Series {
			for _, v := range s.Data {
				if v != "-" {
					values++
				}
			}
		}
		if values == 0 {
			t.Errorf("%s: chart %s is empty", tiny.Name, f.AttrOr("id", ""))
		}
	})
}

func TestRegionalSeries(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	dep := readPage(t, site, "departement/69/index.html")
	for _, id := range []string{"emploi-trimestriel", "masse-salariale", "embauches", "auto-entrepreneurs"} {
		if dep.Find("#"+id).Length() != 1 {
			t.Errorf("département page lacks chart %s", id)
		}
	}
	if !strings.Contains(dep.Find("#emploi-trimestriel").Text(), "Auvergne-Rhône-Alpes") {
		t.Error("département shows a quarterly series without naming its région")
	}
	fr := readPage(t, site, "index.html")
	if fr.Find("#procedures-collectives").Length() != 1 {
		t.Error("France page lacks the collective proceedings")
	}
	if readPage(t, site, "commune/69123/index.html").Find("#emploi-trimestriel").Length() != 0 {
		t.Error("commune page shows a regional series")
	}
}

// TestNoInlineScript checks every page of a small site for what a strict
// Content-Security-Policy would block (inline scripts and styles, event
// handlers, javascript: URLs) and for duplicate ids.
func TestNoInlineScript(t *testing.T) {
	site := newSite(t, rhone)
	mustBuild(t, site)
	out := site.Path(site.Output)
	pages := 0
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		pages++
		f, _ := os.Open(p)
		defer f.Close()
		z := html.NewTokenizer(f)
		ids := map[string]bool{}
		for {
			tt := z.Next()
			switch tt {
			case html.ErrorToken:
				return nil
			case html.StartTagToken, html.SelfClosingTagToken:
				tok := z.Token()
				typ, src := "", ""
				for _, a := range tok.Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("%s: event handler attribute %s on <%s>", p, a.Key, tok.Data)
					}
					if a.Key == "href" && strings.HasPrefix(strings.ToLower(a.Val), "javascript:") {
						t.Errorf("%s: javascript: URL", p)
					}
					switch a.Key {
					case "id":
						if ids[a.Val] {
							t.Errorf("%s: duplicate id %q", p, a.Val)
						}
						ids[a.Val] = true
					case "type":
						typ = a.Val
					case "src":
						src = a.Val
					}
				}
				if tok.Data == "script" {
					if src == "" && typ != "application/json" {
						t.Errorf("%s: inline script of type %q", p, typ)
					}
				}
				if tok.Data == "style" {
					t.Errorf("%s: inline <style>", p)
				}
			}
		}
	})
	if pages < 100 {
		t.Errorf("checked %d pages, want the whole small site", pages)
	}
}

// official is a test source whose figures are not illustrative.
type official struct{}

func (official) Illustrative() bool { return false }

func (official) AppendFigures(_ context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	for i, y := range []int{2019, 2020, 2021} {
		out = append(out, indicator.Figure{Territory: t.ID(), Theme: indicator.Emploi, Measure: indicator.EffectifsSal,
			Period: strconv.Itoa(y), Value: float64(1000 + i), Source: "Urssaf", Vintage: "2021"})
	}
	return out, nil
}

func TestOfficialSourceHasNoBanner(t *testing.T) {
	site := newSite(t, rhone)
	if _, err := Build(context.Background(), Options{Site: site, Source: official{}}); err != nil {
		t.Fatal(err)
	}
	doc := readPage(t, site, "commune/69123/index.html")
	if doc.Find(".banner, .badge, .ill, meta[name=robots]").Length() != 0 {
		t.Error("official figures are labelled illustrative")
	}
	if doc.Find("#revenus-deciles").Length() != 0 {
		t.Error("an income chart is drawn without income figures")
	}
	if !strings.Contains(doc.Find("section#revenus, section[aria-labelledby=revenus]").Text(), "ne sont pas publiés") {
		t.Error("the income theme does not say why it is empty")
	}
	o := chartJSON(t, doc, "emploi-salarie")
	if len(o.Series) != 1 || len(o.Series[0].Data) != 3 || o.Series[0].Data[2] != 1002.0 {
		t.Errorf("salaried jobs chart = %+v, want the source's figures", o.Series)
	}
}

// TestAgeBands: the pyramid names and orders the bands of the offline
// source and the census bands MELODI publishes (Y15T24 ... Y_GE80).
func TestAgeBands(t *testing.T) {
	for _, tt := range []struct{ dim, want string }{
		{"AGE=Y15T29;SEX=F", "15 à 29 ans"},
		{"AGE=Y65T79;SEX=M", "65 à 79 ans"},
		{"AGE=Y_GE80;SEX=F", "80 ans ou plus"},
		{"AGE=Y_LT15;SEX=M", "0 à 14 ans"},
	} {
		if got := dimLabel(tt.dim, "AGE"); got != tt.want {
			t.Errorf("dimLabel(%q, AGE) = %q, want %q", tt.dim, got, tt.want)
		}
	}
	bands := []string{"Y_GE80", "Y40T54", "Y_LT15", "Y65T79", "Y15T24", "Y55T64", "Y25T39"}
	slices.SortFunc(bands, compareAgeBands)
	want := []string{"Y_LT15", "Y15T24", "Y25T39", "Y40T54", "Y55T64", "Y65T79", "Y_GE80"}
	if !slices.Equal(bands, want) {
		t.Errorf("census bands sorted = %v, want %v", bands, want)
	}
}
