package builder

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// Downloads: for every territory, its figures as CSV and as JSON, at
// /api/{kind}/{code}.csv and .json. The JSON files and /api/index.json form a
// static, read-only API documented on the "À propos / Données" page.

// apiPath is the path of a territory's download, without extension:
// "api/commune/69123".
func apiPath(t *geo.Territory) string { return "api/" + t.Kind.Slug() + "/" + t.Code }

// ownFigures returns the figures that belong to a territory, with its legal
// populations (from the referential) first.
func ownFigures(t *geo.Territory, fs []indicator.Figure) []indicator.Figure {
	out := make([]indicator.Figure, 0, len(t.Population)+len(fs))
	for _, p := range t.Population {
		out = append(out, indicator.Figure{
			Territory: t.ID(), Theme: indicator.Population, Measure: indicator.PopLegale,
			Period: strconv.Itoa(p.Year), Value: float64(p.Value), Source: "Insee, populations légales", Vintage: strconv.Itoa(p.Year),
		})
	}
	for _, f := range fs {
		if f.Territory == t.ID() {
			out = append(out, f)
		}
	}
	return out
}

// csvHeader names the columns of the CSV downloads, in French.
var csvHeader = []string{"code_territoire", "mesure", "ventilation", "periode", "valeur", "statut", "source", "millesime"}

// writeCSV writes one row per figure: ";" separated, UTF-8, values with a
// decimal point (as read by spreadsheets set to any locale through import),
// empty for secret or unpublished values. Fields are quoted as RFC 4180
// says when they hold a separator, a quote or a line break.
func writeCSV(buf *bytes.Buffer, t *geo.Territory, figs []indicator.Figure) error {
	field := func(s string, last bool) {
		s = spreadsheetSafe(s)
		if strings.ContainsAny(s, ";\"\r\n") {
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
	for i, h := range csvHeader {
		field(h, i == len(csvHeader)-1)
	}
	var num []byte
	for _, f := range figs {
		field(t.Code, false)
		field(f.Measure, false)
		field(f.Dim, false)
		field(f.Period, false)
		if f.Status == indicator.Present {
			num = strconv.AppendFloat(num[:0], f.Value, 'f', -1, 64)
			buf.Write(num)
		}
		buf.WriteByte(';')
		field(f.Status.String(), false)
		field(f.Source, false)
		field(f.Vintage, true)
	}
	return nil
}

// apiTerritory is a territory in the JSON downloads.
type apiTerritory struct {
	Code    string `json:"code"`
	Type    string `json:"type"`
	Nom     string `json:"nom"`
	Page    string `json:"page"`
	Parents []struct {
		Code string `json:"code"`
		Type string `json:"type"`
	} `json:"parents,omitempty"`
}

// apiSeries groups the figures of one measure and source, in columns:
// Periodes[i] has the value Valeurs[i], null when the figure is secret or
// not published; Statuts, present only when some value is missing, then
// says which ("secret", "non-publie"; "" for a value). Ventilation and
// Millesime are given once when every figure has the same, otherwise as
// Ventilations and Millesimes, one per period.
type apiSeries struct {
	Theme        string     `json:"theme"`
	Mesure       string     `json:"mesure"`
	Source       string     `json:"source"`
	Ventilation  string     `json:"ventilation,omitempty"`
	Ventilations []string   `json:"ventilations,omitempty"`
	Millesime    string     `json:"millesime,omitempty"`
	Millesimes   []string   `json:"millesimes,omitempty"`
	Periodes     []string   `json:"periodes"`
	Valeurs      []*float64 `json:"valeurs"`
	Statuts      []string   `json:"statuts,omitempty"`
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
		a.Parents = append(a.Parents, struct {
			Code string `json:"code"`
			Type string `json:"type"`
		}{p.Code, p.Kind.Slug()})
	}
	return a
}

// writeJSON writes a territory's figures grouped in series, in the order
// of the figures.
func (s *siteView) writeJSON(buf *bytes.Buffer, t *geo.Territory, figs []indicator.Figure) error {
	f := apiFile{Territoire: s.apiTerritory(t), Series: []apiSeries{}}
	if s.Illustrative {
		f.Illustratif = true
		f.Avertissement = "Hormis les populations légales, ces chiffres sont synthétiques (illustratifs) et ne sont pas des statistiques officielles."
	}
	index := map[[2]string]int{}
	for _, fig := range figs {
		key := [2]string{fig.Measure, fig.Source}
		i, ok := index[key]
		if !ok {
			i = len(f.Series)
			index[key] = i
			f.Series = append(f.Series, apiSeries{Theme: string(fig.Theme), Mesure: fig.Measure, Source: fig.Source})
		}
		s := &f.Series[i]
		n := len(s.Periodes)
		column(&s.Ventilation, &s.Ventilations, n, fig.Dim)
		column(&s.Millesime, &s.Millesimes, n, fig.Vintage)
		s.Periodes = append(s.Periodes, fig.Period)
		var v *float64
		if fig.Status == indicator.Present {
			v = &fig.Value
		} else if s.Statuts == nil {
			s.Statuts = make([]string, n)
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
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

// apiIndexEntry is one territory of /api/index.json.
type apiIndexEntry struct {
	Code string `json:"code"`
	Type string `json:"type"`
	Nom  string `json:"nom"`
	JSON string `json:"json"`
	CSV  string `json:"csv"`
}

// writeAPIIndex publishes the index of the static API.
func (b *build) writeAPIIndex(pub *Publisher, terrs []*geo.Territory) error {
	idx := struct {
		Description string          `json:"description"`
		Territoires []apiIndexEntry `json:"territoires"`
	}{Description: "Index des fichiers de données par territoire. Documentation : " + b.site.abs("a-propos/")}
	for _, t := range terrs {
		p := b.site.url("/" + apiPath(t))
		idx.Territoires = append(idx.Territoires, apiIndexEntry{Code: t.Code, Type: t.Kind.Slug(), Nom: t.Name, JSON: p + ".json", CSV: p + ".csv"})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(idx); err != nil {
		return err
	}
	return pub.Write("api/index.json", buf.Bytes())
}
