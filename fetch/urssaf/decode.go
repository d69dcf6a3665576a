package urssaf

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// Breakdown is a sector breakdown of the commune × APE export kept in
// the aggregate, beside the all-sector total (Dim "").
type Breakdown uint8

const (
	GS   Breakdown = iota // grand secteur: Dim "GS=GS3", column grand_secteur_d_activite
	NA17                  // NAF in 17 sections: Dim "NA17=GZ", column secteur_na17
	NA38                  // NAF in 38: Dim "NA38=GZ", column secteur_na38
	NA88                  // NAF in 88 divisions: Dim "NA88=47", column secteur_na88
)

var urssafBreakdowns = [...]struct{ key, column string }{
	GS:   {"GS", "grand_secteur_d_activite"},
	NA17: {"NA17", "secteur_na17"},
	NA38: {"NA38", "secteur_na38"},
	NA88: {"NA88", "secteur_na88"},
}

// Key is the breakdown's key in Figure.Dim: "GS", "NA17"...
func (b Breakdown) Key() string { return urssafBreakdowns[b].key }

// CommuneOptions tunes DecodeCommunes.
type CommuneOptions struct {
	// Breakdowns kept besides the total; nil means grand secteur and NA17.
	// Each one costs memory: NA88 multiplies the aggregate by about four.
	Breakdowns []Breakdown
	// SectorYears is how many of the latest years keep their sector
	// breakdowns; the all-sector total keeps every year. 0 means every
	// year: 20 times the memory and the figures of 1 for a 20-year export.
	SectorYears int
	// Vintage is the Figure.Vintage of every figure; "" means the last
	// year of the export.
	Vintage string
}

// Unmapped is a commune code of the export that the referential
// does not know, even as a retired code.
type Unmapped struct {
	Code string // as published
	Name string // intitule_commune of its first row
	Rows int
}

// Remapped is a retired commune code of the export folded into the
// current commune.
type Remapped struct {
	Code    string // as published
	Current string // current commune code
	Rows    int
}

// CommuneReport says what the decoder saw and what it could not place.
type CommuneReport struct {
	Rows     int        // data rows read
	Years    []int      // years found in the header
	Unmapped []Unmapped // codes not found, sorted by code; their rows are left out of every total
	Remapped []Remapped // retired codes folded into current communes, sorted by code
	Communes int        // communes with data (after roll-up and remapping)
	Arrond   int        // arrondissements municipaux with data
	// Skipped are the cells indicator.CheckValue refused (a negative
	// count, beyond urssafMaxCount, not finite): each is left out, as an
	// empty cell. SkippedCount counts them all; Skipped keeps the first
	// maxSkipped.
	Skipped      []Skipped
	SkippedCount int
	// Doubled lists communes published both as a whole and by
	// arrondissement: both were added, which double counts if the whole
	// was a total. The portal publishes Paris, Lyon and Marseille by
	// arrondissement only; this flags a change of that.
	Doubled []string
}

// UnmappedRows is the number of rows left out because their code is unknown.
func (r CommuneReport) UnmappedRows() int {
	n := 0
	for _, u := range r.Unmapped {
		n += u.Rows
	}
	return n
}

// Employment is the commune × APE export aggregated by territory and
// sector: employer establishments (EtabUrssaf) and salaried jobs
// (EffectifsSal) for every year, for communes and arrondissements
// municipaux as published, Paris, Lyon and Marseille summed from their
// arrondissements, and EPCI, département, région and France summed from
// communes (the counts are additive).
//
// An empty cell means "none or not published": it adds nothing, and a
// figure whose cells were all empty has Status NotPublished, never 0.
//
// The aggregate is compact (float32 per commune cell, float64 above, sector
// breakdowns only for the last SectorYears years) and yields figures on
// demand; it does not hold []indicator.Figure, which for France would be
// millions of values.
type Employment struct {
	years   []int
	first   int      // index in years of the first year with sector breakdowns
	periods []string // years as Figure.Period
	vintage string
	dims    []urssafDim // 0 is the total
	leaves  urssafStore[float32]
	upper   urssafStore[float64]
	byID    map[string]urssafRef
	order   []urssafRef // territories sorted by kind, then code
	report  CommuneReport
}

type urssafDim struct {
	id    string // Figure.Dim: "", "GS=GS3"
	label string // "Commerce"
}

type urssafRef struct {
	upper bool
	slot  int32
}

// DecodeCommunes streams the CSV export of CommuneAPE from r and
// aggregates it as it reads: memory depends on the number of communes,
// sectors and years, not on the number of rows. Commune codes are resolved
// through g: arrondissements municipaux as such, retired codes to the
// current commune (listed in the report), unknown codes reported and left
// out. Years come from the header's column names.
func DecodeCommunes(r io.Reader, g Geo, opt CommuneOptions) (*Employment, error) {
	d, err := newUrssafCommuneDecoder(g, opt)
	if err != nil {
		return nil, err
	}
	if err := d.decode(r); err != nil {
		return nil, fmt.Errorf("decode %s: %w", CommuneAPE, err)
	}
	return d.finish(), nil
}

// urssafMaxCount bounds a count of the commune export: France has some 20
// million salaried jobs. A larger or negative cell is a damaged file, and
// would not fit the compact float32 store.
const urssafMaxCount = 1e9

// urssafCommuneDecoder holds the state of one streamed decode.
type urssafCommuneDecoder struct {
	g           Geo
	bds         []Breakdown
	sectorYears int
	e           *Employment
	codes       map[string]int32 // published code → index in entries
	entry       []urssafCodeEntry
	leafOf      map[*geo.Territory]int32
	dimOf       []map[string]int32 // per breakdown: label → dim
	dimIDs      map[string]int32   // Figure.Dim → dim
}

type urssafCodeEntry struct {
	code, name string
	leaf       int32 // -1: unknown code
	remapped   string
	rows       int
}

func newUrssafCommuneDecoder(g Geo, opt CommuneOptions) (*urssafCommuneDecoder, error) {
	bds := opt.Breakdowns
	if bds == nil {
		bds = []Breakdown{GS, NA17}
	}
	for _, b := range bds {
		if int(b) >= len(urssafBreakdowns) {
			return nil, fmt.Errorf("decode %s: unknown breakdown %d", CommuneAPE, b)
		}
	}
	if opt.SectorYears < 0 {
		return nil, fmt.Errorf("decode %s: SectorYears %d, want ≥ 0", CommuneAPE, opt.SectorYears)
	}
	return &urssafCommuneDecoder{
		g:           g,
		bds:         bds,
		sectorYears: opt.SectorYears,
		e:           &Employment{vintage: opt.Vintage, dims: []urssafDim{{}}},
		codes:       make(map[string]int32),
		leafOf:      make(map[*geo.Territory]int32),
		dimOf:       make([]map[string]int32, len(bds)),
		dimIDs:      map[string]int32{"": 0},
	}, nil
}

func (d *urssafCommuneDecoder) decode(r io.Reader) error {
	cr := newUrssafReader(r)
	header, err := readUrssafHeader(cr)
	if err != nil {
		return err
	}
	col := func(name string) int { return slices.Index(header, name) }
	iCode, iName := col("code_commune"), col("intitule_commune")
	if iCode < 0 {
		return fmt.Errorf("%w: no code_commune column in header %q", ErrFormat, header)
	}
	iBd := make([]int, len(d.bds))
	for i, b := range d.bds {
		iBd[i] = col(urssafBreakdowns[b].column)
		d.dimOf[i] = make(map[string]int32)
	}
	years := urssafYears(header)
	if len(years) == 0 {
		return fmt.Errorf("%w: no nombre_d_etablissements_YYYY or effectifs_salaries_YYYY column", ErrFormat)
	}
	// valueCol[k] is the column of value k = year*2 + measure, or -1.
	valueCol := make([]int, 2*len(years))
	for k := range valueCol {
		valueCol[k] = -1
	}
	for i, n := range header {
		if m, y, ok := urssafYearColumn(n); ok {
			valueCol[slices.Index(years, y)*2+m] = i
		}
	}
	e := d.e
	e.years = years
	e.report.Years = years
	if d.sectorYears > 0 {
		e.first = max(len(years)-d.sectorYears, 0)
	}
	widths := [2]int{2 * len(years), 2 * (len(years) - e.first)}
	e.leaves.init(widths)
	e.upper.init(widths)

	vals := make([]float64, len(valueCol))
	dims := make([]int32, 0, 1+len(d.bds))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		e.report.Rows++
		var name []byte
		if iName >= 0 {
			name = rec[iName]
		}
		leaf := d.resolve(rec[iCode], name)
		for k, c := range valueCol {
			if c < 0 {
				vals[k] = math.NaN()
				continue
			}
			v, err := parseUrssafNumber(rec[c])
			refused := refusedValue(urssafMeasures[k%2], v, err)
			if refused == nil && err == nil && v > urssafMaxCount {
				refused = fmt.Errorf("%s: %v is not a plausible count", urssafMeasures[k%2], v)
			}
			if refused != nil {
				e.report.SkippedCount++
				if len(e.report.Skipped) < maxSkipped {
					e.report.Skipped = append(e.report.Skipped, Skipped{
						Dataset: CommuneAPE, Territory: string(bytes.TrimSpace(rec[iCode])), Column: header[c],
						Value: string(bytes.TrimSpace(rec[c])), Line: cr.Line(), Reason: refused.Error(),
					})
				}
				v, err = math.NaN(), nil
			}
			if err != nil {
				return fmt.Errorf("%w: line %d, column %s: %w", ErrFormat, cr.Line(), header[c], err)
			}
			vals[k] = v
		}
		if leaf < 0 {
			continue
		}
		dims = append(dims[:0], 0)
		for i, c := range iBd {
			if c >= 0 && len(bytes.TrimSpace(rec[c])) > 0 {
				dims = append(dims, d.dim(i, rec[c]))
			}
		}
		urssafAdd(e.leaves.block(leaf, 0), vals)
		for _, dim := range dims[1:] {
			urssafAdd(e.leaves.block(leaf, dim), vals[2*e.first:])
		}
	}
	return nil
}

// resolve maps a published commune code to a leaf slot, or -1.
func (d *urssafCommuneDecoder) resolve(code, name []byte) int32 {
	if i, ok := d.codes[string(code)]; ok {
		d.entry[i].rows++
		return d.entry[i].leaf
	}
	norm := urssafCommuneCode(string(code))
	ent := urssafCodeEntry{code: string(code), name: string(bytes.TrimSpace(name)), leaf: -1, rows: 1}
	var t *geo.Territory
	if a, ok := d.g.Lookup(geo.Arrondissement, norm); ok {
		t = a
	} else if c, ok := d.g.CurrentCommune(norm); ok {
		t = c
		if c.Code != norm {
			ent.remapped = c.Code
		}
	}
	if t != nil {
		ent.leaf = d.leaf(t)
	}
	d.codes[ent.code] = int32(len(d.entry))
	d.entry = append(d.entry, ent)
	return ent.leaf
}

func (d *urssafCommuneDecoder) leaf(t *geo.Territory) int32 {
	if s, ok := d.leafOf[t]; ok {
		return s
	}
	s := d.e.leaves.add(t)
	d.leafOf[t] = s
	return s
}

// dim interns the sector label of breakdown i.
func (d *urssafCommuneDecoder) dim(i int, raw []byte) int32 {
	if id, ok := d.dimOf[i][string(raw)]; ok {
		return id
	}
	label := string(raw)
	code, rest := urssafDimValue(label)
	if rest == "" {
		rest = strings.TrimSpace(label)
	}
	id := d.bds[i].Key() + "=" + code
	dim, ok := d.dimIDs[id]
	if !ok {
		dim = int32(len(d.e.dims))
		d.e.dims = append(d.e.dims, urssafDim{id: id, label: rest})
		d.dimIDs[id] = dim
	}
	d.dimOf[i][label] = dim
	return dim
}

// finish rolls arrondissements up into their commune and communes up into
// their EPCI, département, région and France, then indexes territories.
func (d *urssafCommuneDecoder) finish() *Employment {
	e := d.e
	rep := &e.report
	for _, ent := range d.entry {
		switch {
		case ent.leaf < 0:
			rep.Unmapped = append(rep.Unmapped, Unmapped{Code: ent.code, Name: ent.name, Rows: ent.rows})
		case ent.remapped != "":
			rep.Remapped = append(rep.Remapped, Remapped{Code: ent.code, Current: ent.remapped, Rows: ent.rows})
		}
	}
	slices.SortFunc(rep.Unmapped, func(a, b Unmapped) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(rep.Remapped, func(a, b Remapped) int { return strings.Compare(a.Code, b.Code) })

	d.sortDims()
	// Arrondissements → Paris, Lyon, Marseille (kept as leaves too).
	n := len(e.leaves.terr)
	for s := range int32(n) {
		t := e.leaves.terr[s]
		if t.Kind != geo.Arrondissement || t.Commune == nil {
			continue
		}
		// A commune leaf made from rows (not by this roll-up) was
		// published whole.
		if c, ok := d.leafOf[t.Commune]; ok && c < int32(n) && !slices.Contains(rep.Doubled, t.Commune.Code) {
			rep.Doubled = append(rep.Doubled, t.Commune.Code)
		}
		c := d.leaf(t.Commune)
		for dim, b := range e.leaves.blocks(s) {
			urssafAddBlock(e.leaves.block(c, dim), b)
		}
	}
	// Communes → EPCI, département, région, France.
	upperOf := make(map[*geo.Territory]int32)
	for s := range int32(len(e.leaves.terr)) {
		t := e.leaves.terr[s]
		switch t.Kind {
		case geo.Commune:
			rep.Communes++
		case geo.Arrondissement:
			rep.Arrond++
			continue
		default:
			continue
		}
		for _, p := range t.Parents() {
			if p.Kind == geo.Commune || p.Kind == geo.Arrondissement {
				continue
			}
			u, ok := upperOf[p]
			if !ok {
				u = e.upper.add(p)
				upperOf[p] = u
			}
			for dim, b := range e.leaves.blocks(s) {
				urssafAddBlock(e.upper.block(u, dim), b)
			}
		}
	}
	// Index and order.
	e.byID = make(map[string]urssafRef, len(e.leaves.terr)+len(e.upper.terr))
	for s, t := range e.leaves.terr {
		ref := urssafRef{slot: int32(s)}
		e.byID[t.ID()] = ref
		e.order = append(e.order, ref)
	}
	for s, t := range e.upper.terr {
		ref := urssafRef{upper: true, slot: int32(s)}
		e.byID[t.ID()] = ref
		e.order = append(e.order, ref)
	}
	slices.SortFunc(e.order, func(a, b urssafRef) int {
		ta, tb := e.territory(a), e.territory(b)
		if ta.Kind != tb.Kind {
			return int(ta.Kind) - int(tb.Kind)
		}
		return strings.Compare(ta.Code, tb.Code)
	})
	for _, y := range e.years {
		e.periods = append(e.periods, strconv.Itoa(y))
	}
	if e.vintage == "" && len(e.years) > 0 {
		e.vintage = strconv.Itoa(e.years[len(e.years)-1])
	}
	d.codes, d.entry, d.leafOf, d.dimOf = nil, nil, nil, nil
	return e
}

// sortDims orders the dims: the total, then each breakdown in the order
// asked, codes ascending; and renumbers the leaf blocks accordingly.
func (d *urssafCommuneDecoder) sortDims() {
	e := d.e
	rank := func(id string) int {
		key, _, _ := strings.Cut(id, "=")
		for i, b := range d.bds {
			if b.Key() == key {
				return i
			}
		}
		return len(d.bds)
	}
	order := make([]int32, len(e.dims))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order[1:], func(a, b int32) int {
		da, db := e.dims[a].id, e.dims[b].id
		if ra, rb := rank(da), rank(db); ra != rb {
			return ra - rb
		}
		return strings.Compare(da, db)
	})
	newOf := make([]int32, len(order)) // old dim → new dim
	dims := make([]urssafDim, len(order))
	for n, o := range order {
		newOf[o] = int32(n)
		dims[n] = e.dims[o]
	}
	e.dims = dims
	for s, idx := range e.leaves.index {
		re := make([]int32, len(e.dims))
		for o, b := range idx {
			re[newOf[o]] = b
		}
		e.leaves.index[s] = re
	}
}

func (e *Employment) territory(r urssafRef) *geo.Territory {
	if r.upper {
		return e.upper.terr[r.slot]
	}
	return e.leaves.terr[r.slot]
}

// Years returns the years of the export, ascending.
func (e *Employment) Years() []int { return slices.Clone(e.years) }

// Report says what the decoder read and what it could not place.
func (e *Employment) Report() CommuneReport { return e.report }

// Vintage is the Figure.Vintage of the figures.
func (e *Employment) Vintage() string { return e.vintage }

// Territories returns the territories with data, sorted by kind, then code.
func (e *Employment) Territories() []*geo.Territory {
	out := make([]*geo.Territory, len(e.order))
	for i, r := range e.order {
		out[i] = e.territory(r)
	}
	return out
}

// Dims returns the breakdowns present: "" (all sectors) first, then each
// breakdown in the order of CommuneOptions.Breakdowns, codes
// ascending.
func (e *Employment) Dims() []string {
	out := make([]string, len(e.dims))
	for i, d := range e.dims {
		out[i] = d.id
	}
	return out
}

// DimLabel returns the sector's label as published ("Commerce" for
// "GS=GS3"), or "" when unknown.
func (e *Employment) DimLabel(dim string) string {
	for _, d := range e.dims {
		if d.id == dim {
			return d.label
		}
	}
	return ""
}

// Value returns one figure's value and status; ok is false when the export
// holds nothing for this territory and sector (no row at all).
func (e *Employment) Value(territoryID, measure, dim string, year int) (v float64, st indicator.Status, ok bool) {
	ref, found := e.byID[territoryID]
	if !found {
		return 0, 0, false
	}
	m := urssafMeasureIndex(measure)
	y := slices.Index(e.years, year)
	di := slices.IndexFunc(e.dims, func(d urssafDim) bool { return d.id == dim })
	if m < 0 || y < 0 || di < 0 {
		return 0, 0, false
	}
	off := 0
	if di > 0 {
		if y < e.first {
			return 0, 0, false
		}
		off = e.first
	}
	k := (y-off)*2 + m
	var x float64
	if ref.upper {
		b := e.upper.lookup(ref.slot, int32(di))
		if b == nil {
			return 0, 0, false
		}
		x = b[k]
	} else {
		b := e.leaves.lookup(ref.slot, int32(di))
		if b == nil {
			return 0, 0, false
		}
		x = float64(b[k])
	}
	if math.IsNaN(x) {
		return 0, indicator.NotPublished, true
	}
	return x, indicator.Present, true
}

func urssafMeasureIndex(measure string) int {
	switch measure {
	case indicator.EtabUrssaf:
		return urssafEtab
	case indicator.EffectifsSal:
		return urssafEff
	}
	return -1
}

var urssafMeasures = [...]string{urssafEtab: indicator.EtabUrssaf, urssafEff: indicator.EffectifsSal}

// AppendFigures appends the figures of one territory to dst: for each
// sector with data ("" first), establishments then jobs, years ascending
// (every year for the total, the last SectorYears for sectors).
func (e *Employment) AppendFigures(dst []indicator.Figure, territoryID string) []indicator.Figure {
	ref, ok := e.byID[territoryID]
	if !ok {
		return dst
	}
	e.each(ref, func(f indicator.Figure) bool { dst = append(dst, f); return true })
	return dst
}

// Figures yields every figure, territory by territory in the order of
// Territories, as AppendFigures does for one.
func (e *Employment) Figures() iter.Seq[indicator.Figure] {
	return func(yield func(indicator.Figure) bool) {
		for _, ref := range e.order {
			if !e.each(ref, yield) {
				return
			}
		}
	}
}

func (e *Employment) each(ref urssafRef, yield func(indicator.Figure) bool) bool {
	id := e.territory(ref).ID()
	emit := func(dim int32, b func(k int) float64) bool {
		from := 0
		if dim != 0 {
			from = e.first
		}
		for m, measure := range urssafMeasures {
			for y := from; y < len(e.years); y++ {
				f := indicator.Figure{
					Territory: id, Theme: indicator.Emploi, Measure: measure,
					Dim: e.dims[dim].id, Period: e.periods[y],
					Source: Source, Vintage: e.vintage,
				}
				if v := b((y-from)*2 + m); math.IsNaN(v) {
					f.Status = indicator.NotPublished
				} else {
					f.Value = v
				}
				if !yield(f) {
					return false
				}
			}
		}
		return true
	}
	if ref.upper {
		for dim, b := range e.upper.blocks(ref.slot) {
			if !emit(dim, func(k int) float64 { return b[k] }) {
				return false
			}
		}
		return true
	}
	for dim, b := range e.leaves.blocks(ref.slot) {
		if !emit(dim, func(k int) float64 { return float64(b[k]) }) {
			return false
		}
	}
	return true
}

// urssafStore holds, per territory slot and dim, one block of values
// (year × measure), NaN where no cell was published. The total (dim 0) and
// the sectors have blocks of their own widths (the sectors keep fewer
// years), in fixed-size chunks so that growing never copies the store.
type urssafStore[T float32 | float64] struct {
	width  [2]int // values per block: total, sectors
	terr   []*geo.Territory
	index  [][]int32 // slot → dim → block+1 in the dim's part (0: none)
	chunks [2][][]T
	n      [2]int // blocks used per part
}

const urssafChunkBlocks = 4096

func urssafPart(dim int32) int { return int(min(dim, 1)) }

func (s *urssafStore[T]) init(width [2]int) { s.width = width }

func (s *urssafStore[T]) add(t *geo.Territory) int32 {
	s.terr = append(s.terr, t)
	s.index = append(s.index, nil)
	return int32(len(s.terr) - 1)
}

func (s *urssafStore[T]) at(part int, b int32) []T {
	w := s.width[part]
	c, o := int(b)/urssafChunkBlocks, int(b)%urssafChunkBlocks*w
	return s.chunks[part][c][o : o+w : o+w]
}

// block returns the block of (slot, dim), creating it filled with NaN.
func (s *urssafStore[T]) block(slot, dim int32) []T {
	part := urssafPart(dim)
	idx := s.index[slot]
	if int(dim) < len(idx) && idx[dim] != 0 {
		return s.at(part, idx[dim]-1)
	}
	if int(dim) >= len(idx) {
		idx = append(idx, make([]int32, int(dim)+1-len(idx))...)
		s.index[slot] = idx
	}
	if s.n[part]/urssafChunkBlocks == len(s.chunks[part]) {
		s.chunks[part] = append(s.chunks[part], make([]T, urssafChunkBlocks*s.width[part]))
	}
	b := int32(s.n[part])
	s.n[part]++
	idx[dim] = b + 1
	blk := s.at(part, b)
	nan := T(math.NaN())
	for i := range blk {
		blk[i] = nan
	}
	return blk
}

// lookup returns the block of (slot, dim), or nil.
func (s *urssafStore[T]) lookup(slot, dim int32) []T {
	idx := s.index[slot]
	if int(dim) >= len(idx) || idx[dim] == 0 {
		return nil
	}
	return s.at(urssafPart(dim), idx[dim]-1)
}

// blocks yields the (dim, block) pairs of a slot, dims ascending.
func (s *urssafStore[T]) blocks(slot int32) iter.Seq2[int32, []T] {
	return func(yield func(int32, []T) bool) {
		for dim, b := range s.index[slot] {
			if b != 0 && !yield(int32(dim), s.at(urssafPart(int32(dim)), b-1)) {
				return
			}
		}
	}
}

// urssafAdd adds the published values (not NaN) of vals into dst; a NaN
// cell of dst becomes the value.
func urssafAdd[T float32 | float64](dst []T, vals []float64) {
	for k, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		if d := float64(dst[k]); math.IsNaN(d) {
			dst[k] = T(v)
		} else {
			dst[k] = T(d + v)
		}
	}
}

func urssafAddBlock[D, S float32 | float64](dst []D, src []S) {
	for k, v := range src {
		x := float64(v)
		if math.IsNaN(x) {
			continue
		}
		if d := float64(dst[k]); math.IsNaN(d) {
			dst[k] = D(x)
		} else {
			dst[k] = D(d + x)
		}
	}
}
