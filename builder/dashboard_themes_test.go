package builder

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"territoires/geo"
	"territoires/indicator"
	"territoires/offline"
)

// themePage renders the page of one territory from a source, without
// building a site.
func themePage(t *testing.T, src Source, id string) *goquery.Document {
	t.Helper()
	site := newSite(t, rhone)
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	bl, err := prepare(site, ref)
	if err != nil {
		t.Fatal(err)
	}
	ter, ok := ref.ByID(id)
	if !ok {
		t.Fatalf("no territory %s", id)
	}
	bl.site.Illustrative = src.Illustrative()
	v, err := bl.site.page(context.Background(), ter, func(*geo.Territory) bool { return true }, newFigureCache(src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := render(bl.tpl.territory, &buf, v); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	resolveCharts(doc, nil) // no defaults: what charts.js adds to every chart
	return doc
}

// modelFigures returns the offline figures of a territory.
func modelFigures(t *testing.T, id string) figureSet {
	t.Helper()
	ref, _ := geo.Load()
	ter, _ := ref.ByID(id)
	figs, err := offline.New(ref).AppendFigures(context.Background(), nil, ter)
	if err != nil {
		t.Fatal(err)
	}
	return newFigureSet(figs)
}

func mustRef(t *testing.T) *geo.Referential {
	t.Helper()
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// tourCount is the model's total of a tourism measure for an activity.
func tourCount(fs figureSet, measure, act string) float64 {
	f, _ := tourTotal(fs, measure, act)
	return f.Value
}

// themeCharts are the charts of the themes of issue 12, by section.
var themeCharts = map[string][]string{
	"entreprises": {"creations", "creations-secteurs", "creations-habitants"},
	"logement":    {"logements-categories", "logements-types", "logements-statut"},
	"tourisme":    {"tourisme-hebergements", "tourisme-hotels", "tourisme-campings", "tourisme-lits"},
	"menages":     {"diplomes", "menages-taille", "familles"},
}

// TestThemeCharts checks the new themes on a ski resort, on Lyon and on a
// département: each chart in its section, with a title, a source and
// vintage, a data table, the comparison with the parents, and the model's
// figures.
func TestThemeCharts(t *testing.T) {
	src := offline.New(mustRef(t))
	tests := []struct {
		id      string
		parents []string // names on the comparison charts, the territory first
	}{
		{"commune/74056", []string{"Chamonix-Mont-Blanc", "CC de la Vallée de Chamonix-Mont-Blanc", "Haute-Savoie", "Auvergne-Rhône-Alpes", "France"}},
		{"commune/69123", []string{"Lyon", "Métropole de Lyon", "Rhône", "Auvergne-Rhône-Alpes", "France"}},
		{"departement/74", []string{"Haute-Savoie", "Auvergne-Rhône-Alpes", "France"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			doc := themePage(t, src, tt.id)
			model := modelFigures(t, tt.id)
			hotels := tourCount(model, indicator.TourCapacite, actHotels)
			camps := tourCount(model, indicator.TourCapacite, actCampsites)
			if tt.id == "commune/74056" && (hotels == 0 || camps == 0) {
				t.Fatalf("Chamonix has %v hotels and %v campsites in the model, want a resort's", hotels, camps)
			}
			for theme, ids := range themeCharts {
				sec := doc.Find("section[aria-labelledby=" + theme + "]")
				if sec.Length() != 1 || sec.Find("h2").Text() == "" {
					t.Errorf("no section %s", theme)
					continue
				}
				for _, id := range ids {
					want := true
					switch id {
					case "tourisme-hotels":
						want = hotels > 0
					case "tourisme-campings":
						want = camps > 0
					}
					f := sec.Find("figure.chart-block#" + id)
					if f.Length() != boolInt(want) {
						t.Errorf("section %s: %d charts %s, want %d", theme, f.Length(), id, boolInt(want))
						continue
					}
					if !want {
						continue
					}
					src := f.Find("p.source").Text()
					if f.Find("h3").Text() == "" || !strings.HasPrefix(src, "Source : ") || !strings.ContainsAny(src, "0123456789") {
						t.Errorf("chart %s: title %q, source %q", id, f.Find("h3").Text(), src)
					}
					if f.Find("details table tbody tr").Length() == 0 || f.Find("div.chart[role=img]").AttrOr("aria-label", "") == "" {
						t.Errorf("chart %s has no data table or no accessible label", id)
					}
					if !f.Is(".ill") {
						t.Errorf("chart %s is not labelled illustrative", id)
					}
					chartJSON(t, doc, id)
				}
			}
			// Comparisons with the parents, the territory first in the
			// tables and on top of the bars.
			for _, id := range []string{"logements-categories", "logements-types", "logements-statut", "diplomes", "menages-taille", "familles"} {
				o := chartJSON(t, doc, id)
				rev := slices.Clone(tt.parents)
				slices.Reverse(rev)
				if got := o.YAxis[0].Data; !slices.Equal(got, rev) {
					t.Errorf("%s compares %q, want %q", id, got, rev)
				}
				if got := texts(doc.Find("#" + id + " tbody th")); !slices.Equal(got, tt.parents) {
					t.Errorf("%s table rows %q, want %q", id, got, tt.parents)
				}
				for i := range o.YAxis[0].Data {
					sum := 0.0
					for _, s := range o.Series {
						v, ok := s.Data[i].(float64)
						if !ok {
							t.Fatalf("%s: %s has no share for %s", id, s.Name, o.YAxis[0].Data[i])
						}
						sum += v
					}
					if math.Abs(sum-100) > 1e-6 {
						t.Errorf("%s: shares of %s add up to %v, want 100", id, o.YAxis[0].Data[i], sum)
					}
				}
			}
			for _, id := range []string{"creations-habitants", "tourisme-lits"} {
				if got := chartJSON(t, doc, id).XAxis[0].Data; !slices.Equal(got, tt.parents) {
					t.Errorf("%s compares %q, want %q", id, got, tt.parents)
				}
			}
			// The figures are the model's.
			total, _ := model.latest(indicator.Logements)
			if got := doc.Find("#logements-categories tbody tr").First().Find("td").First().Text(); got != formatDecimal(total.Value, 0) {
				t.Errorf("dwellings in the table = %q, model %v", got, total.Value)
			}
			crea := model.series(indicator.CreationsEnt, "", "")
			o := chartJSON(t, doc, "creations")
			if n := len(o.Series[0].Data); n != len(crea) || o.Series[0].Data[n-1] != crea[len(crea)-1].Value {
				t.Errorf("creations chart = %v, model ends with %v", o.Series[0].Data, crea[len(crea)-1].Value)
			}
			// Sectors, grouped in seven, add up to the year's creations.
			o = chartJSON(t, doc, "creations-secteurs")
			if len(o.Series) != 1 || len(o.YAxis[0].Data) != len(a10Groups) {
				t.Errorf("creations by sector: %d series of %d sectors, want 1 of %d", len(o.Series), len(o.YAxis[0].Data), len(a10Groups))
			} else if sum := sumOf(o.Series[0].Data); sum != crea[len(crea)-1].Value {
				t.Errorf("creations by sector add up to %v, model total %v", sum, crea[len(crea)-1].Value)
			}
			if hotels > 0 {
				o := chartJSON(t, doc, "tourisme-hotels")
				sum := 0.0
				for _, v := range o.Series[0].Data {
					sum += v.(float64)
				}
				if sum != hotels {
					t.Errorf("hotels by stars add up to %v, model total %v", sum, hotels)
				}
			}
		})
	}
}

func sumOf(data []any) float64 {
	sum := 0.0
	for _, v := range data {
		if f, ok := v.(float64); ok {
			sum += f
		}
	}
	return sum
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keyFigureMap reads the key figures of a page: label → value.
func keyFigureMap(doc *goquery.Document) map[string]string {
	m := map[string]string{}
	doc.Find(".key li").Each(func(_ int, k *goquery.Selection) {
		m[k.Find(".label").Text()] = k.Find("strong").Text()
	})
	return m
}

func TestThemeKeyFigures(t *testing.T) {
	ref := mustRef(t)
	src := offline.New(ref)
	beds := func(fs figureSet) float64 {
		return bedsPerRoom*tourCount(fs, indicator.TourPlaces, actHotels) +
			bedsPerPitch*tourCount(fs, indicator.TourPlaces, actCampsites) + tourCount(fs, indicator.TourPlaces, actOthers)
	}
	// A ski resort: dwellings, a high share of secondary homes, tourist beds.
	cham := modelFigures(t, "commune/74056")
	kf := keyFigureMap(themePage(t, src, "commune/74056"))
	total, _ := cham.latest(indicator.Logements)
	sec, _ := cham.figureAt(indicator.Logements, "OCS=DW_SEC_DW_OCC", total.Period)
	want := map[string]string{
		"Logements":              formatDecimal(total.Value, 0),
		"Résidences secondaires": formatPercent(sec.Value / total.Value * 100),
		"Lits touristiques":      formatDecimal(beds(cham), 0),
	}
	for label, v := range want {
		if kf[label] != v {
			t.Errorf("Chamonix key figure %s = %q, want %q", label, kf[label], v)
		}
	}
	// Lyon: dwellings and beds, but secondary homes are no key figure there.
	kf = keyFigureMap(themePage(t, src, "commune/69123"))
	if kf["Logements"] == "" || kf["Lits touristiques"] == "" || kf["Résidences secondaires"] != "" {
		t.Errorf("Lyon key figures = %q, want dwellings and tourist beds, not secondary homes", kf)
	}
	// A village without accommodation: no beds among the key figures, and
	// the tourism theme says there is none rather than drawing empty charts.
	dep, _ := ref.Lookup(geo.Departement, "69")
	var village *geo.Territory
	for _, c := range dep.Children {
		if beds(modelFigures(t, c.ID())) == 0 {
			village = c
			break
		}
	}
	if village == nil {
		t.Fatal("every commune of the Rhône has tourist accommodation in the model")
	}
	doc := themePage(t, src, village.ID())
	if kf := keyFigureMap(doc); kf["Lits touristiques"] != "" || kf["Logements"] == "" {
		t.Errorf("%s key figures = %q, want dwellings and no tourist beds", village.Name, kf)
	}
	if doc.Find("#tourisme-hotels, #tourisme-campings, #tourisme-hebergements").Length() != 0 {
		t.Errorf("%s: charts of accommodation it does not have", village.Name)
	}
	if !strings.Contains(doc.Find("#tourisme-lits .note").Text(), "Aucun hôtel") {
		t.Errorf("%s: the tourism theme does not say there is no accommodation", village.Name)
	}
}

// secretive marks some of the offline figures of one territory secret.
type secretive struct {
	*offline.Source
	id     string
	secret func(indicator.Figure) bool
}

func (s secretive) AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	figs, err := s.Source.AppendFigures(ctx, out, t)
	added := figs[len(out):]
	for i, f := range added {
		if f.Territory == s.id && s.secret(f) {
			added[i].Status, added[i].Value = indicator.Secret, 0
		}
	}
	return figs, err
}

// TestThemeSecretValues: a secret value is said so in the tables and left
// out of the charts, never drawn or written as 0.
func TestThemeSecretValues(t *testing.T) {
	src := secretive{Source: offline.New(mustRef(t)), id: "commune/74056", secret: func(f indicator.Figure) bool {
		return f.Dim == "OCS=DW_VAC" ||
			f.Measure == indicator.CreationsEnt && f.Dim == "" && f.Period == "2024" ||
			f.Measure == indicator.TourPlaces && f.Dim == "ACTIVITY=I551;RANKING=_T"
	}}
	doc := themePage(t, src, "commune/74056")
	cells := texts(doc.Find("#logements-categories tbody tr").First().Find("td"))
	if len(cells) != 4 || cells[3] != secretNote {
		t.Errorf("dwellings table, Chamonix = %q, want the vacant dwellings secret", cells)
	}
	o := chartJSON(t, doc, "logements-categories")
	last := len(o.YAxis[0].Data) - 1
	for _, s := range o.Series {
		if s.Data[last] != "-" {
			t.Errorf("%s: share %v drawn for Chamonix without its vacant dwellings", s.Name, s.Data[last])
		}
	}
	if !strings.Contains(doc.Find("#logements-categories .note").Text(), secretNote) {
		t.Error("dwellings chart has no note on the secret value")
	}
	row := doc.Find("#creations tbody tr").Last()
	if row.Find("th").Text() != "2024" || row.Find("td").First().Text() != secretNote {
		t.Errorf("creations 2024 row = %q, want secret", row.Text())
	}
	o = chartJSON(t, doc, "creations")
	if v := o.Series[0].Data[len(o.Series[0].Data)-1]; v != "-" {
		t.Errorf("secret creations drawn as %v", v)
	}
	if kf := keyFigureMap(doc); kf["Lits touristiques"] != "" {
		t.Errorf("tourist beds key figure %q from a secret number of rooms", kf["Lits touristiques"])
	}
	if got := doc.Find("#tourisme-lits tbody tr").First().Find("td").First().Text(); got != secretNote {
		t.Errorf("tourist beds cell = %q, want secret", got)
	}
	if o := chartJSON(t, doc, "tourisme-lits"); o.Series[0].Data[0] != "-" {
		t.Errorf("tourist beds per inhabitant drawn as %v", o.Series[0].Data[0])
	}
}

// TestThemeDownloads: the figures of the new themes are in the CSV
// download, a secret one with an empty value and its status.
func TestThemeDownloads(t *testing.T) {
	ref := mustRef(t)
	cham, _ := ref.Lookup(geo.Commune, "74056")
	src := secretive{Source: offline.New(ref), id: cham.ID(), secret: func(f indicator.Figure) bool { return f.Dim == "OCS=DW_VAC" }}
	figs, err := src.AppendFigures(context.Background(), nil, cham)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeCSV(&buf, cham, ownFigures(nil, cham, figs)); err != nil {
		t.Fatal(err)
	}
	csv := buf.String()
	for _, want := range []string{
		"\n74056;TOUR_CAP;\"ACTIVITY=I551;RANKING=_T\";2025;",
		"\n74056;TOUR_PLACES;\"ACTIVITY=I553;RANKING=_T\";2025;",
		"\n74056;CREA_ENT;ACTIVITY=GI;2024;",
		"\n74056;CREA_ETAB;;2012;",
		"\n74056;LOGEMENTS;OCS=DW_SEC_DW_OCC;2021;",
		"\n74056;LOGEMENTS;OCS=DW_VAC;2021;;secret;",
		"\n74056;DIPLOMES;EDUC=700_RP;2021;",
		"\n74056;MENAGES;NPERS=5+;2021;",
		"\n74056;FAMILLES;TFN=22;2021;",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV of Chamonix lacks %q", want)
		}
	}
}

// TestWideTablesFocusable: a table that may scroll sideways (more than
// four columns, as the shares of the new themes) can take the focus, so
// that a keyboard scrolls it (axe: scrollable-region-focusable).
func TestWideTablesFocusable(t *testing.T) {
	tests := []struct {
		cols int
		want bool
	}{{2, false}, {4, false}, {5, true}, {9, true}}
	for _, tt := range tests {
		tbl := tableView{Head: make([]string, tt.cols)}
		if got := strings.HasPrefix(string(tbl.HTML()), "<table tabindex=0>"); got != tt.want {
			t.Errorf("table of %d columns focusable = %v, want %v", tt.cols, got, tt.want)
		}
	}
}

// moreYears adds to the offline figures of one territory a sector
// breakdown of an earlier year and a sector outside the A10 groups.
type moreYears struct {
	*offline.Source
	id string
}

func (s moreYears) AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	figs, err := s.Source.AppendFigures(ctx, out, t)
	for _, f := range slices.Clone(figs[len(out):]) {
		if f.Territory == s.id && f.Measure == indicator.CreationsEnt && f.Dim != "" {
			f.Period = "2023"
			figs = append(figs, f)
		}
	}
	if t.ID() == s.id {
		figs = append(figs, indicator.Figure{Territory: s.id, Theme: indicator.Entreprises, Measure: indicator.CreationsEnt,
			Dim: "ACTIVITY=AZ", Period: "2024", Value: 3, Source: "Illustratif", Vintage: "SIDE 2024"})
	}
	return figs, err
}

// TestCreationsOverTheYears: with a breakdown for several years, the
// sectors are stacked year by year; a code outside the groups gets its own.
func TestCreationsOverTheYears(t *testing.T) {
	doc := themePage(t, moreYears{offline.New(mustRef(t)), "commune/69123"}, "commune/69123")
	o := chartJSON(t, doc, "creations-secteurs")
	if got := o.XAxis[0].Data; !slices.Equal(got, []string{"2023", "2024"}) {
		t.Fatalf("creations by sector over %q, want 2023 and 2024", got)
	}
	if len(o.Series) != len(a10Groups)+1 || o.Series[len(o.Series)-1].Name != "AZ" {
		t.Errorf("series %d, the last %q; want the %d groups and AZ", len(o.Series), o.Series[len(o.Series)-1].Name, len(a10Groups))
	}
	model := modelFigures(t, "commune/69123")
	total, _ := model.figureAt(indicator.CreationsEnt, "", "2024")
	sum := 0.0
	for _, s := range o.Series {
		sum += s.Data[1].(float64)
	}
	if sum != total.Value+3 {
		t.Errorf("2024 stacks to %v, want the model's %v and 3 in AZ", sum, total.Value)
	}
	if got := texts(doc.Find("#creations-secteurs thead th")); !slices.Equal(got, []string{"Secteur", "2023", "2024"}) {
		t.Errorf("table head %q", got)
	}
}

// yearBehind adds to every territory's yearly figures their copies for
// 2000 (nine tenths of their values), and takes from one commune the latest period of each measure: its
// charts show an earlier year than the others'.
type yearBehind struct {
	*offline.Source
	id string
}

func (s yearBehind) AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	figs, err := s.Source.AppendFigures(ctx, out, t)
	for _, f := range figs[len(out):] {
		if len(f.Period) == 4 {
			f.Period, f.Value = "2000", math.Round(f.Value*0.9)
			figs = append(figs, f)
		}
	}
	if t.ID() != s.id {
		return figs, err
	}
	latest := map[string]string{}
	for _, f := range figs[len(out):] {
		if comparePeriods(f.Period, latest[f.Measure]) > 0 {
			latest[f.Measure] = f.Period
		}
	}
	return slices.DeleteFunc(figs, func(f indicator.Figure) bool {
		return f.Territory == s.id && f.Period == latest[f.Measure]
	}), err
}

// TestParentRowsFollowThePeriod: the rows of the parents, made once for
// the pages of their communes (rowMemo), are those of the period each
// page shows. Villeurbanne's figures stop a year before Lyon's; its page,
// rendered after Lyon's from the same parents' figures, must equal its
// page rendered alone; so must the page of their EPCI.
func TestParentRowsFollowThePeriod(t *testing.T) {
	ref := mustRef(t)
	src := yearBehind{offline.New(ref), "commune/69266"}
	bl, err := prepare(newSite(t, rhone), ref)
	if err != nil {
		t.Fatal(err)
	}
	themes := func(figs *figureCache, id string) string {
		ter, ok := ref.ByID(id)
		if !ok {
			t.Fatalf("no territory %s", id)
		}
		v, err := bl.site.page(context.Background(), ter, func(*geo.Territory) bool { return true }, figs)
		if err != nil {
			t.Fatal(err)
		}
		return string(v.ThemesHTML())
	}
	shared := newFigureCache(src)
	lyon := themes(shared, "commune/69123")
	after := themes(shared, "commune/69266")
	alone := themes(newFigureCache(src), "commune/69266")
	if after != alone {
		t.Errorf("Villeurbanne's charts after Lyon's differ from its charts alone")
	}
	// A parent's own page takes its rows from the same memo: after
	// Villeurbanne's, which showed its rows of a year before.
	const metropole = "epci/200046977"
	behind := newFigureCache(src)
	themes(behind, "commune/69266")
	if got, want := themes(behind, metropole), themes(newFigureCache(src), metropole); got != want {
		t.Errorf("the Métropole de Lyon's charts after Villeurbanne's differ from its charts alone")
	}
	// The test means something only if the periods differ: in a chart
	// per inhabitant and in a share chart.
	for _, want := range []struct{ page, title string }{
		{lyon, "pour 1 000 habitants en 2024"}, {alone, "pour 1 000 habitants en 2023"},
		{lyon, "Résidences principales, secondaires et logements vacants en 2021"},
		{alone, "Résidences principales, secondaires et logements vacants en 2000"},
	} {
		if !strings.Contains(want.page, want.title) {
			t.Errorf("no chart %q", want.title)
		}
	}
}
