package urssaf

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// urssafSeriesSpec describes one regional or national series dataset: where
// its territory is, which columns break it down, which columns are values.
type urssafSeriesSpec struct {
	dataset string
	// geoColumn holds the territory code ("code_region",
	// "code_departement"); "" means the dataset is for France.
	geoColumn string
	geoKind   geo.Kind
	// dims are the breakdown columns. Each row counts in the total (Dim "")
	// and in each of its breakdowns separately; breakdowns are not crossed.
	dims []urssafSeriesDim
	// measures are the value columns. A missing column is skipped; at least
	// one must be present.
	measures []urssafSeriesMeasure
	// rollUp sums the territories to their région (for départements) and to
	// France: the series are counts, additive.
	rollUp bool
	// period is the Figure.Period of a dataset without period columns (a
	// dataset of one year).
	period string
}

type urssafSeriesDim struct {
	key     string   // Figure.Dim key: "NA28I"
	columns []string // first present wins; a name ending in "*" is a prefix
	// labels, if set, is the column of the code's label (the code being
	// in columns): "categorie_d_emploi" beside "code_categorie_d_emploi".
	labels string
	// codes maps the slug of a published label to the code the site uses
	// ("LIQUIDATION_JUDICIAIRE" → "LJ"); other labels keep their slug.
	codes map[string]string
}

type urssafSeriesMeasure struct {
	column  string
	measure string
	cvs     bool // seasonally and working-day adjusted: Dim gets "SA=CVS"
}

// The column names are those of the real exports (shared/API-FACTS.md).
// Older or alternative names follow the real one in a dim's columns: the
// first present wins.
var urssafSeriesSpecs = map[string]urssafSeriesSpec{
	RegionNA38: {
		dataset: RegionNA38, geoColumn: "code_region", geoKind: geo.Region, rollUp: true,
		dims: []urssafSeriesDim{
			{key: "GS", columns: []string{"grand_secteur_d_activite"}},
			{key: "NA28I", columns: []string{"secteur_na28i", "secteur_na38i", "secteur_na38"}},
		},
		measures: []urssafSeriesMeasure{
			{"effectifs_salaries_brut", indicator.EffSalTrim, false},
			{"effectifs_salaries_cvs", indicator.EffSalTrim, true},
			{"masse_salariale_brut", indicator.MasseSalTrim, false},
			{"masse_salariale_cvs", indicator.MasseSalTrim, true},
		},
	},
	DPAERegion: {
		dataset: DPAERegion, geoColumn: "code_region", geoKind: geo.Region, rollUp: true,
		dims: []urssafSeriesDim{
			{key: "CONTRAT", columns: []string{"nature_de_contrat", "nature_du_contrat"}},
			{key: "DUREE", columns: []string{"duree_de_contrat", "duree_du_contrat"}},
			{key: "GS", columns: []string{"grand_secteur_d_activite"}},
			{key: "NA38", columns: []string{"secteur_na38", "secteur_na38i"}},
		},
		measures: []urssafSeriesMeasure{
			{"dpae_brut", indicator.DPAE, false},
			{"dpae_cvs", indicator.DPAE, true},
		},
	},
	AEDepartement: {
		dataset: AEDepartement, geoColumn: "code_departement", geoKind: geo.Departement, rollUp: true,
		measures: []urssafSeriesMeasure{
			{"economiquement_actifs", indicator.AEActifs, false},
			{"immatriculations", indicator.AEImmat, false},
			{"radiations", indicator.AERadiations, false},
			{"chiffres_d_affaires", indicator.AEChiffreAffaires, false},
		},
	},
	AESecteur: {
		dataset: AESecteur,
		dims: []urssafSeriesDim{
			{key: "SECTEUR", columns: []string{"secteur_d_activite_me", "secteur_d_activite", "secteur*"}},
		},
		measures: []urssafSeriesMeasure{
			{"economiquement_actifs", indicator.AEActifs, false},
			{"immatriculations", indicator.AEImmat, false},
			{"radiations", indicator.AERadiations, false},
			{"chiffres_d_affaires", indicator.AEChiffreAffaires, false},
		},
	},
	ProcCollectives: {
		dataset: ProcCollectives,
		dims: []urssafSeriesDim{
			{key: "NATURE", columns: []string{"nature_de_procedure", "nature_de_la_procedure"}, codes: map[string]string{
				"LIQUIDATION_JUDICIAIRE": "LJ", "REDRESSEMENT_JUDICIAIRE": "RJ", "SAUVEGARDE": "SAUV",
			}},
		},
		measures: []urssafSeriesMeasure{
			{"nombre_de_procedures_brut", indicator.ProcCollectives, false},
			{"nombre_de_procedures_cvs", indicator.ProcCollectives, true},
		},
	},
	ParticuliersEmployeurs: {
		dataset: ParticuliersEmployeurs, geoColumn: "code_departement", geoKind: geo.Departement, rollUp: true,
		period: "2018",
		dims: []urssafSeriesDim{
			{key: "CATEGORIE", columns: []string{"code_categorie_d_emploi"}, labels: "categorie_d_emploi"},
		},
		measures: []urssafSeriesMeasure{
			{"nombre_de_salaries", indicator.SalariesPartEmp, false},
		},
	},
}

// SeriesDatasets lists the regional and national series datasets
// DecodeSeries understands.
func SeriesDatasets() []string {
	return []string{RegionNA38, DPAERegion, AEDepartement, AESecteur, ProcCollectives, ParticuliersEmployeurs}
}

// Series is one decoded series dataset.
type Series struct {
	Dataset string
	// Figures are sorted by territory (kind, code), measure, dim, period.
	// These datasets are complete grids, so an empty cell means "not
	// available" (a seasonally adjusted value not yet computed, a secret
	// turnover): a figure to which any empty cell contributes is
	// NotPublished, never a partial sum.
	Figures []indicator.Figure
	// Labels maps a Dim value ("NA28I=GZ", "CONTRAT=CDI") to its published
	// label.
	Labels map[string]string
	Rows   int
	// Unmapped lists the territory codes the referential does not know,
	// sorted; their rows count only in the France total.
	Unmapped []string
	// MissingColumns lists the breakdown columns of the description that
	// the export lacks: their breakdown is not published.
	MissingColumns []string
	// SubtotalRows counts the rows holding a total ("Ensemble", "Total")
	// in a breakdown column. A figure is never the sum of rows of
	// different levels: it sums the rows of the most aggregated level
	// present (a published total row rather than the sum of its details).
	SubtotalRows int
	// SubtotalMismatches counts the figures whose published subtotal rows
	// differ by more than 1 % from the sum of the detail rows; Mismatch
	// is the first of them.
	SubtotalMismatches int
	Mismatch           string
	// Skipped are the values indicator.CheckValue refused (a negative
	// count, an out-of-range or non-finite amount): each makes its figures
	// NotPublished. SkippedCount counts them all; Skipped keeps the first
	// maxSkipped.
	Skipped      []Skipped
	SkippedCount int
}

// Skipped is a value refused by indicator.CheckValue.
type Skipped struct {
	Dataset   string
	Territory string // the code as published ("84", "2A"), or "FR"
	Column    string
	Value     string // the cell as published
	Line      int
	Reason    string
}

func (s Skipped) String() string {
	return fmt.Sprintf("%s, line %d, territory %s, %s = %q: %s", s.Dataset, s.Line, s.Territory, s.Column, s.Value, s.Reason)
}

// refusedValue says why a parsed cell is refused as a value of measure:
// not finite, or refused by indicator.CheckValue. nil: a value, an empty
// cell, or a cell that is not a number at all (a damaged file, reported
// as such).
func refusedValue(measure string, v float64, parseErr error) error {
	if errors.Is(parseErr, errNotFinite) {
		return parseErr
	}
	if parseErr != nil || math.IsNaN(v) {
		return nil
	}
	return indicator.CheckValue(measure, v)
}

// maxSkipped bounds the refused values kept for the log; all are counted.
const maxSkipped = 20

// DecodeSeries decodes the CSV export of one of the series datasets
// (see SeriesDatasets) into figures: quarterly (period "2024-T3"),
// monthly ("2024-09") or yearly ("2024") as the columns annee, trimestre,
// mois or a date say. Territories are resolved through g; with rollUp,
// région and France totals are summed from the published territories.
func DecodeSeries(r io.Reader, dataset string, g Geo, vintage string) (*Series, error) {
	spec, ok := urssafSeriesSpecs[dataset]
	if !ok {
		return nil, fmt.Errorf("decode %s: not a known Urssaf series dataset", dataset)
	}
	s, err := spec.decode(r, g, vintage)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", dataset, err)
	}
	return s, nil
}

type urssafSeriesKey struct {
	territory string
	measure   string
	dim       string
	period    string
}

// urssafSum is one figure being summed at one level of aggregation: the
// published cells and the number of empty (or refused) ones.
type urssafSum struct {
	v     float64
	empty int
}

// urssafLevels are the sums of one figure, by level: the bit i of the key
// is set when breakdown column i of the rows held a total.
type urssafLevels map[uint32]*urssafSum

// isTotalLabel reports whether a breakdown cell names every category
// ("Ensemble", "Total", "Tous secteurs", "Toutes durées", "_T"): a
// subtotal row, not a category.
func isTotalLabel(s string) bool {
	s = strings.TrimSpace(s)
	if s == "_T" || s == "T" {
		return true
	}
	first, _, _ := strings.Cut(s, " ")
	switch urssafSlug(first) {
	case "ENSEMBLE", "TOTAL", "TOUS", "TOUTES", "TOUT", "TOTAUX":
		return true
	}
	return false
}

func (spec urssafSeriesSpec) decode(r io.Reader, g Geo, vintage string) (*Series, error) {
	cr := newUrssafReader(r)
	header, err := readUrssafHeader(cr)
	if err != nil {
		return nil, err
	}
	find := func(names ...string) int {
		for _, n := range names {
			if p, ok := strings.CutSuffix(n, "*"); ok {
				if i := slices.IndexFunc(header, func(h string) bool { return strings.HasPrefix(h, p) }); i >= 0 {
					return i
				}
				continue
			}
			if i := slices.Index(header, n); i >= 0 {
				return i
			}
		}
		return -1
	}
	iGeo := -1
	if spec.geoColumn != "" {
		if iGeo = find(spec.geoColumn); iGeo < 0 {
			return nil, fmt.Errorf("%w: no %s column in header %q", ErrFormat, spec.geoColumn, header)
		}
	}
	per, err := newUrssafPeriodCols(header, find)
	if err != nil && spec.period == "" {
		return nil, err
	}
	fixedPeriod := err != nil
	out := &Series{Dataset: spec.dataset, Labels: map[string]string{}}
	iDims := make([]int, len(spec.dims))
	iLabels := make([]int, len(spec.dims))
	for i, d := range spec.dims {
		iDims[i], iLabels[i] = find(d.columns...), -1
		if iDims[i] < 0 {
			out.MissingColumns = append(out.MissingColumns, d.columns[0])
		}
		if d.labels != "" {
			iLabels[i] = find(d.labels)
		}
	}
	type mcol struct {
		col int
		m   urssafSeriesMeasure
	}
	var mcols []mcol
	for _, m := range spec.measures {
		if i := find(m.column); i >= 0 {
			mcols = append(mcols, mcol{i, m})
		}
	}
	if len(mcols) == 0 {
		return nil, fmt.Errorf("%w: none of the value columns %v in header %q", ErrFormat, spec.measures, header)
	}

	sums := map[urssafSeriesKey]urssafLevels{}
	unmapped := map[string]bool{}
	geoCache := map[string][]string{} // published code → IDs to add into
	dimCache := make([]map[string]string, len(spec.dims))
	for i := range dimCache {
		dimCache[i] = map[string]string{}
	}
	type rowDim struct {
		dim string
		col int // breakdown index, -1 for the total
	}
	dims := make([]rowDim, 0, len(spec.dims)+1)
	add := func(k urssafSeriesKey, level uint32, v float64) {
		lv, ok := sums[k]
		if !ok {
			lv = urssafLevels{}
			sums[k] = lv
		}
		s, ok := lv[level]
		if !ok {
			s = &urssafSum{}
			lv[level] = s
		}
		if math.IsNaN(v) {
			s.empty++
		} else {
			s.v += v
		}
	}
	rec := make([]string, len(header))
	for {
		raw, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for i, f := range raw {
			rec[i] = string(f)
		}
		line := cr.Line()
		out.Rows++
		period := spec.period
		if !fixedPeriod {
			if period, err = per.period(rec); err != nil {
				return nil, fmt.Errorf("%w: line %d: %w", ErrFormat, line, err)
			}
		}
		// Territories the row counts in.
		code := ""
		if iGeo >= 0 {
			code = urssafShortCode(rec[iGeo])
		}
		ids, ok := geoCache[code]
		if !ok {
			switch ids = spec.territories(g, code); {
			case ids != nil:
			case code == "" || code == "FR":
				// A France row in a territorial dataset: France
				// comes from it, not from the sum.
				ids = []string{urssafFranceExplicit}
			default:
				// Still part of France: counts in the France sum.
				unmapped[code] = true
				if spec.rollUp {
					ids = []string{urssafFranceID}
				} else {
					ids = []string{}
				}
			}
			geoCache[strings.Clone(code)] = ids
		}
		// Breakdowns, and the level of the row: which columns hold a total.
		var level uint32
		dims = append(dims[:0], rowDim{"", -1})
		for i, c := range iDims {
			if c < 0 || strings.TrimSpace(rec[c]) == "" {
				continue
			}
			label := ""
			if iLabels[i] >= 0 {
				label = strings.TrimSpace(rec[iLabels[i]])
			}
			if isTotalLabel(rec[c]) || (label != "" && isTotalLabel(label)) {
				level |= 1 << i
				continue
			}
			cacheKey := rec[c]
			if iLabels[i] >= 0 {
				cacheKey += "\x00" + label
			}
			dim, ok := dimCache[i][cacheKey]
			if !ok {
				code, lab := urssafDimValue(rec[c])
				if iLabels[i] >= 0 {
					code, lab = urssafSlug(strings.TrimSpace(rec[c])), label
				}
				published := code // before the site's short code
				if short, ok := spec.dims[i].codes[code]; ok {
					code = short
				}
				dim = spec.dims[i].key + "=" + code
				if lab == "" {
					lab = strings.TrimSpace(rec[c])
				}
				// Two labels that slug alike ("CDD - 1 mois", "CDD 1
				// mois") stay apart; labels sharing a nomenclature code
				// ("GS3 Commerce", "GS3 Commerce ") are one sector.
				for n := 2; ; n++ {
					prev, taken := out.Labels[dim]
					if !taken || prev == lab || iLabels[i] >= 0 || published != urssafSlug(lab) {
						break
					}
					dim = spec.dims[i].key + "=" + code + "_" + strconv.Itoa(n)
				}
				out.Labels[dim] = lab
				dimCache[i][strings.Clone(cacheKey)] = dim
			}
			dims = append(dims, rowDim{dim, i})
		}
		if level != 0 {
			out.SubtotalRows++
		}
		for _, mc := range mcols {
			v, err := parseUrssafNumber(raw[mc.col])
			if refused := refusedValue(mc.m.measure, v, err); refused != nil {
				out.SkippedCount++
				if len(out.Skipped) < maxSkipped {
					terr := code
					if terr == "" {
						terr = "FR"
					}
					out.Skipped = append(out.Skipped, Skipped{
						Dataset: spec.dataset, Territory: terr, Column: header[mc.col],
						Value: strings.TrimSpace(rec[mc.col]), Line: line, Reason: refused.Error(),
					})
				}
				v, err = math.NaN(), nil
			}
			if err != nil {
				return nil, fmt.Errorf("%w: line %d, column %s: %w", ErrFormat, line, header[mc.col], err)
			}
			for _, id := range ids {
				for _, d := range dims {
					dim := d.dim
					if mc.m.cvs {
						dim = urssafWithSA(dim)
					}
					// The level, seen from this figure: its own
					// column is a category, never a total.
					add(urssafSeriesKey{id, mc.m.measure, dim, period}, level, v)
				}
			}
		}
	}

	// Published France rows replace the sum of territories.
	for k, s := range sums {
		if k.territory == urssafFranceExplicit {
			delete(sums, k)
			k.territory = urssafFranceID
			sums[k] = s
		}
	}
	out.Figures = make([]indicator.Figure, 0, len(sums))
	for k, lv := range sums {
		s := out.pick(k, lv)
		f := indicator.Figure{
			Territory: k.territory, Theme: indicator.Emploi, Measure: k.measure,
			Dim: k.dim, Period: k.period, Source: Source, Vintage: vintage,
			Value: s.v,
		}
		if s.empty > 0 {
			f.Value, f.Status = 0, indicator.NotPublished
		}
		out.Figures = append(out.Figures, f)
	}
	rank := func(id string) (int, string) {
		kind, code, _ := strings.Cut(id, "/")
		k, err := geo.ParseKind(kind)
		if err != nil {
			return 99, code
		}
		return int(k), code
	}
	slices.SortFunc(out.Figures, func(a, b indicator.Figure) int {
		ka, ca := rank(a.Territory)
		kb, cb := rank(b.Territory)
		if ka != kb {
			return ka - kb
		}
		for _, c := range [...]int{
			strings.Compare(ca, cb), strings.Compare(a.Measure, b.Measure),
			strings.Compare(a.Dim, b.Dim), strings.Compare(a.Period, b.Period),
		} {
			if c != 0 {
				return c
			}
		}
		return 0
	})
	for c := range unmapped {
		out.Unmapped = append(out.Unmapped, c)
	}
	slices.Sort(out.Unmapped)
	return out, nil
}

// pick chooses, among the levels of aggregation a figure was summed at,
// the most aggregated one (the most total columns; at equal count the
// lowest mask, for determinism), so that a published subtotal is used and
// never added to its own details. It compares it with the least
// aggregated level, the detail rows, and counts a disagreement.
func (out *Series) pick(k urssafSeriesKey, lv urssafLevels) *urssafSum {
	var best, detail uint32
	first := true
	for m := range lv {
		if first {
			best, detail, first = m, m, false
			continue
		}
		if b, bb := bits.OnesCount32(m), bits.OnesCount32(best); b > bb || (b == bb && m < best) {
			best = m
		}
		if b, bd := bits.OnesCount32(m), bits.OnesCount32(detail); b < bd || (b == bd && m < detail) {
			detail = m
		}
	}
	s, d := lv[best], lv[detail]
	if best != detail && s.empty == 0 && d.empty == 0 && math.Abs(s.v-d.v) > 0.01*math.Max(math.Abs(s.v), 1) {
		out.SubtotalMismatches++
		if out.Mismatch == "" {
			out.Mismatch = fmt.Sprintf("%s %s %q %s: subtotal rows %g, detail rows %g", k.territory, k.measure, k.dim, k.period, s.v, d.v)
		}
	}
	return s
}

// urssafFranceID is the ID of France, the territory of national series.
var urssafFranceID = (&geo.Territory{Kind: geo.France, Code: "FR"}).ID()

// urssafFranceExplicit keys France figures published as such in a
// territorial dataset, kept apart from the sum until the end.
const urssafFranceExplicit = "france/FR#published"

// territories returns the IDs a row for code counts in: the territory
// itself and, with rollUp, its région and France. nil means code is unknown.
func (spec urssafSeriesSpec) territories(g Geo, code string) []string {
	if spec.geoColumn == "" {
		return []string{urssafFranceID}
	}
	t, ok := g.Lookup(spec.geoKind, code)
	if !ok && spec.geoKind == geo.Departement {
		t, ok = g.Lookup(geo.Collectivite, code)
	}
	if !ok {
		return nil
	}
	ids := []string{t.ID()}
	if spec.rollUp {
		if t.Region != nil && t.Region != t {
			ids = append(ids, t.Region.ID())
		}
		ids = append(ids, urssafFranceID)
	}
	return ids
}

// urssafWithSA adds "SA=CVS" to a Dim, keeping keys sorted.
func urssafWithSA(dim string) string {
	if dim == "" {
		return "SA=CVS"
	}
	parts := append(strings.Split(dim, ";"), "SA=CVS")
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// urssafPeriodCols finds the period of a row from annee + trimestre,
// annee + mois, annee alone, or a date column.
type urssafPeriodCols struct {
	annee, trimestre, mois, date int
}

func newUrssafPeriodCols(header []string, find func(...string) int) (urssafPeriodCols, error) {
	p := urssafPeriodCols{
		annee:     find("annee", "annee_de_reference"),
		trimestre: find("trimestre"),
		mois:      find("mois"),
		date:      find("dernier_jour_du_trimestre", "date", "date_de_reference"),
	}
	if p.annee < 0 && p.date < 0 && p.trimestre < 0 {
		return p, fmt.Errorf("%w: no annee, trimestre or date column in header %q", ErrFormat, header)
	}
	return p, nil
}

func (p urssafPeriodCols) period(rec []string) (string, error) {
	field := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	annee, trim, mois, date := field(p.annee), field(p.trimestre), field(p.mois), field(p.date)
	// "2024-T3", "2024-Q3" or a date in the trimestre column.
	if len(trim) >= 7 && urssafAllDigits(trim[:4]) && trim[4] == '-' {
		if trim[5] == 'T' || trim[5] == 'Q' {
			return urssafQuarter(trim[:4], trim[6:])
		}
		date, trim = trim, ""
	}
	if annee == "" && len(date) >= 7 {
		annee = date[:4]
		if trim == "" && mois == "" && date[4] == '-' {
			m, err := strconv.Atoi(date[5:7])
			if err != nil || m < 1 || m > 12 {
				return "", fmt.Errorf("bad date %q", date)
			}
			trim = strconv.Itoa((m + 2) / 3)
		}
	}
	if len(annee) != 4 || !urssafAllDigits(annee) {
		return "", fmt.Errorf("bad year %q", annee)
	}
	switch {
	case trim != "":
		return urssafQuarter(annee, trim)
	case mois != "":
		m, err := strconv.Atoi(strings.TrimPrefix(mois, annee+"-"))
		if err != nil || m < 1 || m > 12 {
			return "", fmt.Errorf("bad month %q", mois)
		}
		return fmt.Sprintf("%s-%02d", annee, m), nil
	}
	return annee, nil
}

func urssafQuarter(year, q string) (string, error) {
	q = strings.TrimLeft(q, "TtQq")
	if len(q) != 1 || q[0] < '1' || q[0] > '4' {
		return "", fmt.Errorf("bad quarter %q", q)
	}
	return year + "-T" + q, nil
}
