package builder

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"

	"territoires/geo"
	"territoires/indicator"
)

// Downloads: for every territory, its figures as JSON at
// /api/{kind}/{code}.json, the communes' in one file per département
// (bundle.go); the same figures as CSV, one file per
// département for its communes, zipped (/api/commune/departement-69.zip
// holds communes-departement-69.csv: 160 MB of CSV for the whole country
// take 15 MB), and one file per kind for the other territories
// (/api/epci.csv, /api/region.csv, ...): 36,000 fewer files than a CSV per
// territory, and files that a spreadsheet filters by code. The JSON files
// and /api/index.json form a static, read-only API documented on the
// "À propos / Données" page.

// apiPath is a territory's path in the static API, without extension:
// "api/epci/200046977" (a commune's JSON is in its département's file,
// bundle.go; its path still names the CSV of its children).
func apiPath(t *geo.Territory) string { return "api/" + t.Kind.Slug() + "/" + t.Code }

// csvPath is the path of the file that holds a territory's figures as CSV:
// "api/commune/departement-69.zip" for a commune (with the other communes
// of its département or collectivité), "api/epci.csv" for the others.
func csvPath(t *geo.Territory) string {
	if t.Kind == geo.Commune && t.Departement != nil {
		return "api/commune/" + embedFragment(t.Departement) + ".zip"
	}
	return "api/" + t.Kind.Slug() + ".csv"
}

// zipEntry is the name of the CSV file in a zipped download:
// "api/commune/departement-69.zip" holds "communes-departement-69.csv".
func zipEntry(rel string) string {
	return "communes-" + strings.TrimSuffix(path.Base(rel), ".zip") + ".csv"
}

// zipTime is the modification time of the files in the zipped downloads:
// fixed, so that the same figures give the same bytes.
var zipTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// writeZip writes a zip archive holding one file, name, whose content
// write writes.
func writeZip(w io.Writer, name string, write func(io.Writer) error) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		return err
	}
	return zw.Close()
}

// csvLabel says, beside a page's CSV link, which territories the file
// holds: "toutes les communes du département".
func csvLabel(t *geo.Territory) string {
	switch {
	case t.Kind == geo.France:
		return "France"
	case t.Kind == geo.Commune && t.Departement != nil && t.Departement.Kind == geo.Collectivite:
		return "zip, toutes les communes de la collectivité"
	case t.Kind == geo.Commune && t.Departement != nil:
		return "zip, toutes les communes du département"
	}
	p := t.Kind.Plural()
	return "tous les territoires de ce type : " + strings.ToLower(p[:1]) + p[1:]
}

// csvFiles gathers the CSV rows of the territories of each shared CSV file
// as their pages are rendered, in any order, and publishes a file as soon
// as it has the rows of all its territories, in the order of the build's
// territories: the files are deterministic and only those being filled are
// held in memory (the territories come sorted by kind and code, so the
// communes of one département come together).
type csvFiles struct {
	mu sync.Mutex
	of map[*geo.Territory]*csvFile
}

type csvFile struct {
	rel     string
	members []*geo.Territory
	rows    map[*geo.Territory][]byte
}

func newCSVFiles(terrs []*geo.Territory) *csvFiles {
	c := &csvFiles{of: make(map[*geo.Territory]*csvFile, len(terrs))}
	files := map[string]*csvFile{}
	for _, t := range terrs {
		rel := csvPath(t)
		f := files[rel]
		if f == nil {
			f = &csvFile{rel: rel, rows: map[*geo.Territory][]byte{}}
			files[rel] = f
		}
		f.members = append(f.members, t)
		c.of[t] = f
	}
	return c
}

// add records the rows of t (without the header line) and publishes t's
// file when it is complete.
func (c *csvFiles) add(pub *Publisher, t *geo.Territory, rows []byte) error {
	c.mu.Lock()
	f := c.of[t]
	if f == nil {
		c.mu.Unlock()
		return fmt.Errorf("csv: %s is not in the build", t.ID())
	}
	delete(c.of, t)
	f.rows[t] = bytes.Clone(rows)
	complete := len(f.rows) == len(f.members)
	c.mu.Unlock()
	if !complete {
		return nil
	}
	byMember := f.rows
	f.rows = nil
	write := func(w io.Writer) error { // the header, then the rows in the build's order
		if _, err := io.WriteString(w, csvHeaderLine); err != nil {
			return err
		}
		for _, m := range f.members {
			if _, err := w.Write(byMember[m]); err != nil {
				return err
			}
		}
		return nil
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if strings.HasSuffix(f.rel, ".zip") {
		if err := writeZip(buf, zipEntry(f.rel), write); err != nil {
			return fmt.Errorf("zip %s: %w", f.rel, err)
		}
	} else if err := write(buf); err != nil {
		return err
	}
	return pub.Write(f.rel, buf.Bytes())
}

// ownFigures appends to out the figures that belong to a territory, with
// its legal populations (from the referential) first.
func ownFigures(out []indicator.Figure, t *geo.Territory, fs []indicator.Figure) []indicator.Figure {
	id := t.ID()
	for _, p := range t.Population {
		out = append(out, indicator.Figure{
			Territory: id, Theme: indicator.Population, Measure: indicator.PopLegale,
			Period: strconv.Itoa(p.Year), Value: float64(p.Value), Source: "Insee, populations légales", Vintage: strconv.Itoa(p.Year),
		})
	}
	for _, f := range fs {
		if f.Territory == id {
			out = append(out, f)
		}
	}
	return out
}

// csvHeader names the columns of the CSV downloads, in French.
var csvHeader = []string{"code_territoire", "mesure", "ventilation", "periode", "valeur", "statut", "source", "millesime"}

// csvHeaderLine is the first line of a CSV download.
var csvHeaderLine = strings.Join(csvHeader, ";") + "\n"

// writeCSV writes one row per figure: ";" separated, UTF-8, values with a
// decimal point (as read by spreadsheets set to any locale through import),
// empty for secret or unpublished values. Fields are quoted as RFC 4180
// says when they hold a separator, a quote or a line break.
func writeCSV(buf *bytes.Buffer, t *geo.Territory, figs []indicator.Figure) error {
	buf.WriteString(csvHeaderLine)
	writeCSVRows(buf, t, figs)
	return nil
}

// writeCSVRows writes the rows of writeCSV, without the header.
// csvSpecial marks the bytes that make a CSV field quoted.
var csvSpecial = [256]bool{';': true, '"': true, '\r': true, '\n': true}

// csvQuoted tells whether a field needs quotes (strings.ContainsAny, which
// a whole-country build calls 38 million times, costs a second).
func csvQuoted(s string) bool {
	for i := 0; i < len(s); i++ {
		if csvSpecial[s[i]] {
			return true
		}
	}
	return false
}

func writeCSVRows(buf *bytes.Buffer, t *geo.Territory, figs []indicator.Figure) {
	field := func(s string, last bool) {
		s = spreadsheetSafe(s)
		if csvQuoted(s) {
			buf.WriteByte('"')
			buf.WriteString(strings.ReplaceAll(s, `"`, `""`))
			buf.WriteByte('"')
		} else {
			buf.WriteString(s)
		}
		if last {
			buf.WriteByte('\n')
		} else {
			buf.WriteByte(';')
		}
	}
	var num []byte
	for _, f := range figs {
		field(t.Code, false)
		field(f.Measure, false)
		field(f.Dim, false)
		field(f.Period, false)
		if f.Status == indicator.Present {
			num = appendNumber(num[:0], f.Value)
			buf.Write(num)
		}
		buf.WriteByte(';')
		field(f.Status.String(), false)
		field(f.Source, false)
		field(f.Vintage, true)
	}
}

// apiTerritory is a territory in the JSON downloads.
type apiTerritory struct {
	Code    string      `json:"code"`
	Type    string      `json:"type"`
	Nom     string      `json:"nom"`
	Page    string      `json:"page"`
	Parents []apiParent `json:"parents,omitempty"`
}

// apiParent names a parent of a territory in the JSON downloads.
type apiParent struct {
	Code string `json:"code"`
	Type string `json:"type"`
}

// apiSeries groups the figures of one measure and source, in columns:
// Periodes[i] has the value Valeurs[i], null when the figure is secret or
// not published; Statuts, present only when some value is missing, then
// says which ("secret", "non-publie"; "" for a value). Ventilation and
// Millesime are given once when every figure has the same, otherwise as
// Ventilations and Millesimes, one per period.
type apiSeries struct {
	seriesHead            // what the series is: its fields come first
	Valeurs    []*float64 `json:"valeurs"`
	Statuts    []string   `json:"statuts,omitempty"`
}

// column appends v to a column that is stored once (*one) while every
// value is the same, and as one value per row (*all) from the first
// difference; n is the number of rows before this one.
func column(one *string, all *[]string, n int, v string) {
	if *all == nil && (n == 0 || v == *one) {
		*one = v
		return
	}
	if *all == nil {
		*all = make([]string, n, n+1)
		for i := range *all {
			(*all)[i] = *one
		}
		*one = ""
	}
	*all = append(*all, v)
}

type apiFile struct {
	Territoire    apiTerritory `json:"territoire"`
	Illustratif   bool         `json:"illustratif,omitempty"`
	Avertissement string       `json:"avertissement,omitempty"`
	Series        []apiSeries  `json:"series"`
}

func (s *siteView) apiTerritory(t *geo.Territory) apiTerritory {
	a := apiTerritory{Code: t.Code, Type: t.Kind.Slug(), Nom: t.Name, Page: s.abs(t.Path())}
	for _, p := range t.Parents() {
		a.Parents = append(a.Parents, apiParent{p.Code, p.Kind.Slug()})
	}
	return a
}

// writeJSON writes a territory's file: the territory, then its series
// (apiSeriesOf).
func (s *siteView) writeJSON(buf *bytes.Buffer, t *geo.Territory, series []apiSeries) error {
	f := apiFile{Territoire: s.apiTerritory(t), Series: series}
	f.Illustratif, f.Avertissement = s.warning()
	return encodeJSON(buf, f)
}

// warning returns the flag and the notice of the JSON downloads when the
// figures are synthetic.
func (s *siteView) warning() (bool, string) {
	if !s.Illustrative {
		return false, ""
	}
	return true, "Hormis les populations légales, ces chiffres sont synthétiques (illustratifs) et ne sont pas des statistiques officielles."
}

// apiSeriesOf groups figures in series, one per measure and source, in the
// order of the figures.
//
// A commune's 150 figures make some 50 series, held until its département's
// bundle is complete: a first pass finds the series of each figure and
// counts them, so that the second cuts the series' periods, values and
// value pointers from one array each, rather than grow 150 slices and
// allocate 150 floats.
func apiSeriesOf(figs []indicator.Figure) []apiSeries {
	series := []apiSeries{}
	var count []int
	of := make([]int32, len(figs)) // the series of each figure
	for k, fig := range figs {
		i := len(series) - 1 // the figures of a series mostly follow each other
		if i < 0 || series[i].Mesure != fig.Measure || series[i].Source != fig.Source {
			i = slices.IndexFunc(series, func(s apiSeries) bool { return s.Mesure == fig.Measure && s.Source == fig.Source })
		}
		if i < 0 {
			i = len(series)
			series = append(series, apiSeries{seriesHead: seriesHead{Theme: string(fig.Theme), Mesure: fig.Measure, Source: fig.Source}})
			count = append(count, 0)
		}
		of[k] = int32(i)
		count[i]++
	}
	periods := make([]string, len(figs))
	pointers := make([]*float64, len(figs))
	values := make([]float64, len(figs))
	at := 0
	for i, n := range count {
		series[i].Periodes = periods[at : at : at+n]
		series[i].Valeurs = pointers[at : at : at+n]
		at += n
	}
	for k, fig := range figs {
		s := &series[of[k]]
		n := len(s.Periodes)
		column(&s.Ventilation, &s.Ventilations, n, fig.Dim)
		column(&s.Millesime, &s.Millesimes, n, fig.Vintage)
		s.Periodes = append(s.Periodes, fig.Period)
		var v *float64
		if fig.Status == indicator.Present {
			values[k] = fig.Value
			v = &values[k]
		} else if s.Statuts == nil {
			s.Statuts = make([]string, n, cap(s.Periodes))
		}
		s.Valeurs = append(s.Valeurs, v)
		if s.Statuts != nil {
			st := ""
			if v == nil {
				st = fig.Status.String()
			}
			s.Statuts = append(s.Statuts, st)
		}
	}
	return series
}

// apiIndexEntry is one territory of /api/index.json.
type apiIndexEntry struct {
	Code string `json:"code"`
	Type string `json:"type"`
	Nom  string `json:"nom"`
	JSON string `json:"json"` // for a commune, its département's bundle
	CSV  string `json:"csv"`  // shared with the other territories of its file
}

// writeAPIIndex publishes the index of the static API.
func (b *build) writeAPIIndex(pub *Publisher, terrs []*geo.Territory) error {
	idx := struct {
		Description string          `json:"description"`
		Territoires []apiIndexEntry `json:"territoires"`
	}{Description: "Index des fichiers de données par territoire. Pour une commune, json est le fichier " +
		"des communes de son département (ou collectivité) : elle y figure dans communes, sous son code. Documentation : " + b.site.abs("a-propos/")}
	for _, t := range terrs {
		idx.Territoires = append(idx.Territoires, apiIndexEntry{Code: t.Code, Type: t.Kind.Slug(), Nom: t.Name,
			JSON: b.site.url("/" + jsonPath(t)), CSV: b.site.url("/" + csvPath(t))})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(idx); err != nil {
		return err
	}
	return pub.Write("api/index.json", buf.Bytes())
}
