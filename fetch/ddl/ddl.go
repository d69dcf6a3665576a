package ddl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"strings"
	"territoires/fetch"

	"territoires/geo"
	"territoires/indicator"
)

// DDL is the client of INSEE's Données Locales API, kept as an alternative
// to MELODI (Config.Source = "ddl").
//
// Facts (INSEE's inseeLocalData R package, pynsee, recorded answers):
//   - GET {base}/donnees/geo-{croisement}@{jeu}/{nivgeo}-{codgeo}.{modalites},
//     base https://api.insee.fr/donnees-locales (older deployments:
//     /donnees-locales/V0.1), Accept: application/json. croisement joins
//     variables with "-" (SEXE-AGE15_15_90), modalites has one entry per
//     variable joined with "." ("all" or a code).
//   - nivgeo: COM (communes and municipal arrondissements), EPCI (SIREN),
//     DEP, REG, FE (France, code 1). One territory per call.
//   - The API is frozen by INSEE but still answers; it shares the INSEE
//     gateway's quota of 30 calls a minute with MELODI.
//   - HTTP 404 with "Aucune cellule ne correspond a la requête" means the
//     cube is not published for the zone (e.g. cubes kept for zones above
//     2,000 inhabitants): it is cached as data and decodes to NotPublished.
//   - Valeur is a string; Zone, Cellule and Modalite may be lone objects.
//
// A full refresh costs one call per territory and cube: 36,389 territories ×
// 4 cubes = 145,556 calls, about 84 hours at 29 calls a minute. It is meant
// for small sites or for resuming over many CI runs under a budget.
type DDL struct {
	base  string
	host  *fetch.Host
	ref   *geo.Referential
	cubes []ddlCube
}

// ddlCube is one cube and how its cells become Figures.
type ddlCube struct {
	Croisement string // "SEXE-AGE15_15_90"
	Jeu        string // "GEO2024RP2021"
	spec       *ddlSpec
}

type ddlSpec struct {
	Theme  indicator.Theme
	Source string
	// Measures maps a cell's Mesure code, or the code of its modality of
	// the indicator variable (INDICS_*), to a measure.
	Measures map[string]string
	// Dims maps variables to Dim keys, with their codes mapped to the
	// MELODI codes the builder knows; "ENS" (all) is the total.
	Dims map[string]ddlDim
}

type ddlDim struct {
	Key   string
	Codes map[string]string
}

// ddlSpecs are the cubes the client knows how to decode, by croisement.
var ddlSpecs = map[string]*ddlSpec{
	"IND_POPLEGALES": {
		Theme: indicator.Population, Source: "Insee, populations légales",
		Measures: map[string]string{"POPMUN": indicator.PopLegale},
	},
	"SEXE-AGE15_15_90": {
		Theme: indicator.Population, Source: "Insee, recensement de la population",
		Measures: map[string]string{"POP": indicator.PopAgeSexe},
		Dims: map[string]ddlDim{
			"SEXE": {Key: "SEX", Codes: map[string]string{"1": "M", "2": "F"}},
			"AGE15_15_90": {Key: "AGE", Codes: map[string]string{
				"00": "Y_LT15", "15": "Y15T29", "30": "Y30T44", "45": "Y45T59",
				"60": "Y60T74", "75": "Y75T89", "90": "Y_GE90",
			}},
		},
	},
	"INDICS_FILO_DISP": {
		Theme: indicator.Revenus, Source: "Insee, Filosofi",
		Measures: map[string]string{"MEDIANE": indicator.RevenuMedian},
	},
	"INDICS_FILO_DISP_DET": {
		Theme: indicator.Revenus, Source: "Insee, Filosofi",
		Measures: map[string]string{"D1": indicator.RevenuD1, "D9": indicator.RevenuD9, "TP60": indicator.TauxPauvrete},
	},
}

// DefaultDDLCubes are the cubes fetched by default, as croisement@jeu.
var DefaultDDLCubes = []string{
	"IND_POPLEGALES@POPLEG2021",
	"SEXE-AGE15_15_90@GEO2024RP2021",
	"INDICS_FILO_DISP@GEO2024FILO2021",
	"INDICS_FILO_DISP_DET@GEO2024FILO2021",
}

// parseDDLCube reads "croisement@jeu".
func parseDDLCube(s string) (ddlCube, error) {
	cr, jeu, ok := strings.Cut(s, "@")
	if !ok || cr == "" || jeu == "" {
		return ddlCube{}, fmt.Errorf("%q, want croisement@jeu, e.g. IND_POPLEGALES@POPLEG2021", s)
	}
	spec, ok := ddlSpecs[cr]
	if !ok {
		known := slices.Sorted(func(yield func(string) bool) {
			for k := range ddlSpecs {
				if !yield(k) {
					return
				}
			}
		})
		return ddlCube{}, fmt.Errorf("%q: unknown croisement %s, want one of %s", s, cr, strings.Join(known, ", "))
	}
	return ddlCube{Croisement: cr, Jeu: jeu, spec: spec}, nil
}

func init() {
	fetch.Register(fetch.Provider{Name: "ddl", API: "insee", New: func(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (fetch.Source, error) {
		return NewDDL(cfg, ref, h)
	}})
}

// NewDDL returns the Données Locales source for cfg (defaulted and
// validated) and ref, calling through h.
func NewDDL(cfg fetch.Config, ref *geo.Referential, h *fetch.Host) (*DDL, error) {
	d := &DDL{base: strings.TrimSuffix(cfg.DDLURL, "/"), host: h, ref: ref}
	list := cfg.DDLCubes
	if len(list) == 0 {
		list = DefaultDDLCubes
	}
	for _, s := range list {
		c, err := parseDDLCube(s)
		if err != nil {
			return nil, fmt.Errorf("ddl_cubes: %w", err)
		}
		if len(cfg.Datasets) == 0 || slices.Contains(cfg.Datasets, c.Croisement) {
			d.cubes = append(d.cubes, c)
		}
	}
	return d, nil
}

// Name implements Source.
func (d *DDL) Name() string { return "ddl" }

// zoneOf is the DDL level and code of a territory.
func zoneOf(t *geo.Territory) (nivgeo, code string, ok bool) {
	switch t.Kind {
	case geo.France:
		return "FE", "1", true
	case geo.Region:
		return "REG", t.Code, true
	case geo.Departement:
		return "DEP", t.Code, true
	case geo.EPCI:
		return "EPCI", t.Code, true
	case geo.Commune, geo.Arrondissement:
		return "COM", t.Code, true
	}
	return "", "", false // overseas collectivities are not in DDL
}

// territories lists the territories to fetch, the most viewed first: upper
// levels, then communes and arrondissements by decreasing population.
func (d *DDL) territories() []*geo.Territory {
	var ts []*geo.Territory
	for _, t := range d.ref.All {
		if _, _, ok := zoneOf(t); ok {
			ts = append(ts, t)
		}
	}
	rank := func(t *geo.Territory) int {
		if t.Kind == geo.Arrondissement {
			return int(geo.Commune)
		}
		return int(t.Kind)
	}
	pop := func(t *geo.Territory) int {
		p, _ := t.LatestPopulation()
		return p.Value
	}
	slices.SortStableFunc(ts, func(a, b *geo.Territory) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return pop(b) - pop(a)
	})
	return ts
}

// request is the call for one cube and territory.
func (d *DDL) request(c ddlCube, t *geo.Territory) fetch.Request {
	niv, code, _ := zoneOf(t)
	mods := strings.Repeat(".all", strings.Count(c.Croisement, "-")+1)[1:]
	path := "/donnees/geo-" + c.Croisement + "@" + c.Jeu + "/" + niv + "-" + code + "." + mods
	return fetch.Request{
		URL:     d.base + path,
		Key:     "ddl" + path,
		Header:  http.Header{"Accept": {"application/json"}},
		Vintage: c.Jeu,
		Validate: func(status int, r io.Reader) error {
			if status != http.StatusOK {
				return nil // a kept 404 "Aucune cellule"
			}
			_, err := decodeDDL(r)
			return err
		},
	}
}

func (d *DDL) requests() iter.Seq2[ddlCube, *geo.Territory] {
	return func(yield func(ddlCube, *geo.Territory) bool) {
		for _, t := range d.territories() {
			for _, c := range d.cubes {
				if !yield(c, t) {
					return
				}
			}
		}
	}
}

// Plan implements Source.
func (d *DDL) Plan(ctx context.Context, e *fetch.Engine) (fetch.Plan, error) {
	plan := fetch.Plan{Source: d.Name(), Host: d.host}
	for c, t := range d.requests() {
		if err := ctx.Err(); err != nil {
			return plan, err
		}
		plan.Calls++
		ok, err := e.Cached(d.host, d.request(c, t))
		if err != nil {
			return plan, err
		}
		if ok {
			plan.Cached++
		}
	}
	return plan, nil
}

// Fetch implements Source. A request that fails for good is logged and
// counted, and the run goes on; credentials errors stop it.
func (d *DDL) Fetch(ctx context.Context, e *fetch.Engine) error {
	var failed fetch.FailureLog
	reqs := func(yield func(fetch.Request) bool) {
		for c, t := range d.requests() {
			if !yield(d.request(c, t)) {
				return
			}
		}
	}
	err := e.FetchAll(ctx, d.host, reqs, func(req fetch.Request, _ *fetch.Entry, err error) error {
		if err == nil {
			return nil
		}
		if errors.Is(err, fetch.ErrUnauthorized) || errors.Is(err, fetch.ErrForbidden) {
			return err
		}
		failed.Add(err)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ddl: %w", err)
	}
	return failed.Err("ddl")
}

// Figures implements Source.
func (d *DDL) Figures(ctx context.Context, e *fetch.Engine) iter.Seq2[indicator.Figure, error] {
	return func(yield func(indicator.Figure, error) bool) {
		for c, t := range d.requests() {
			if ctx.Err() != nil {
				yield(indicator.Figure{}, ctx.Err())
				return
			}
			ent, err := e.Lookup(d.host, d.request(c, t))
			if err != nil {
				if !yield(indicator.Figure{}, err) {
					return
				}
				continue
			}
			if ent == nil {
				continue
			}
			figs, err := d.entryFigures(ent, c, t)
			if err != nil {
				if !yield(indicator.Figure{}, fmt.Errorf("ddl: decode %s: %w", ent.URL, err)) {
					return
				}
				continue
			}
			for _, f := range figs {
				if !yield(f, nil) {
					return
				}
			}
		}
	}
}

// entryFigures decodes one cached answer for territory t.
func (d *DDL) entryFigures(ent *fetch.Entry, c ddlCube, t *geo.Territory) ([]indicator.Figure, error) {
	year := trailingYear(c.Jeu)
	base := indicator.Figure{Territory: t.ID(), Theme: c.spec.Theme, Period: year, Source: c.spec.Source, Vintage: c.Jeu}
	if ent.Status == http.StatusNotFound {
		var figs []indicator.Figure
		for _, m := range slices.Sorted(mapValues(c.spec.Measures)) {
			f := base
			f.Measure, f.Status = m, indicator.NotPublished
			figs = append(figs, f)
		}
		return figs, nil
	}
	fh, err := ent.Open()
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	a, err := decodeDDL(fetch.BufReader(fh))
	if err != nil {
		return nil, err
	}
	return ddlFigures(a, c, base), nil
}

// ddlFigures maps the cells of an answer to Figures.
func ddlFigures(a *ddlAnswer, c ddlCube, base indicator.Figure) []indicator.Figure {
	if y := scalar(a.Croisement.JeuDonnees.Annee); isDigits(y) {
		base.Period = y
	}
	var figs []indicator.Figure
cells:
	for _, cell := range a.Cellule {
		measure, ok := c.spec.Measures[cell.Mesure.Code]
		var dims []string
		for _, mod := range cell.Modalite {
			if m, isInd := c.spec.Measures[mod.Code]; isInd && strings.HasPrefix(mod.Variable, "INDICS") {
				measure, ok = m, true
				continue
			}
			dim, wanted := c.spec.Dims[mod.Variable]
			if !wanted || mod.Code == "ENS" {
				continue
			}
			code, known := dim.Codes[mod.Code]
			if !known {
				continue cells // a breakdown we do not show
			}
			dims = append(dims, dim.Key+"="+code)
		}
		if !ok {
			continue
		}
		slices.Sort(dims)
		f := base
		f.Measure = measure
		f.Dim = strings.Join(dims, ";")
		f.Value, f.Status = ddlValue(cell.Valeur)
		figs = append(figs, f)
	}
	return figs
}

// ddlValue reads Valeur: a number as a string ("320732", "21,5"), "s" or
// "secret" for a secret value, empty or null for no value.
func ddlValue(v []byte) (float64, indicator.Status) {
	s := strings.ToLower(strings.TrimSpace(scalar(v)))
	if s == "s" || s == "secret" || s == "nd" {
		return 0, indicator.Secret
	}
	f, ok, err := number(bytes.TrimSpace(v))
	if err != nil || !ok {
		return 0, indicator.NotPublished
	}
	return f, indicator.Present
}

func trailingYear(jeu string) string {
	if len(jeu) >= 4 && isDigits(jeu[len(jeu)-4:]) {
		return jeu[len(jeu)-4:]
	}
	return ""
}

func mapValues(m map[string]string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}
