package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"math"
	"strconv"

	"territoires/geo"
	"territoires/indicator"
)

// Index holds every cached figure in memory, compactly, so that the builder
// can ask for the figures of one territory at a time: each figure takes 32
// bytes, its strings (measure, breakdown, period, source, vintage) being
// numbers into one table. It satisfies the builder's Source interface.
type Index struct {
	strs  []string
	ids   map[string]uint32
	terrs map[string][]packedFigure
	n     int
	hash  hash.Hash // of every figure added, in order
	line  []byte    // the line of the figure being added to hash
	// reports are the provenance of the datasets whose figures the cache
	// holds.
	reports []Report
}

type packedFigure struct {
	value                                 float64
	measure, dim, period, source, vintage uint32
	theme                                 uint8
	status                                indicator.Status
}

var themes = []indicator.Theme{indicator.Population, indicator.Revenus, indicator.Emploi,
	indicator.Tourisme, indicator.Entreprises, indicator.Logement, indicator.Menages}

// LoadIndex decodes the whole cache of cfg into an Index, making no call;
// what the sources report while decoding goes to log (nil: discarded).
func LoadIndex(ctx context.Context, cfg Config, ref *geo.Referential, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := OpenStore(cfg, ref, log)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ix := NewIndex()
	for f, err := range st.Figures(ctx) {
		var de *DatasetError
		if errors.As(err, &de) {
			// One damaged dataset does not stop the build: its figures are
			// missing, and the log says so.
			log.Error("a dataset of the fetch cache does not decode", "dataset", de.Dataset, "err", de.Err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the fetch cache: %w", err)
		}
		ix.Add(f)
	}
	if ix.reports, err = LoadReports(st.e.Cache().Dir); err != nil {
		return nil, err
	}
	return ix, nil
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{ids: map[string]uint32{}, terrs: map[string][]packedFigure{}, hash: sha256.New()}
}

// Fingerprint digests every figure added, so that a build can tell whether
// the data changed since the site was published.
func (ix *Index) Fingerprint() string { return hex.EncodeToString(ix.hash.Sum(nil)) }

func (ix *Index) intern(s string) uint32 {
	if id, ok := ix.ids[s]; ok {
		return id
	}
	id := uint32(len(ix.strs))
	ix.strs = append(ix.strs, s)
	ix.ids[s] = id
	return id
}

// Add records a figure.
func (ix *Index) Add(f indicator.Figure) {
	ix.line = appendDigestLine(ix.line[:0], f)
	ix.hash.Write(ix.line)
	p := packedFigure{
		value: f.Value, status: f.Status,
		measure: ix.intern(f.Measure), dim: ix.intern(f.Dim), period: ix.intern(f.Period),
		source: ix.intern(f.Source), vintage: ix.intern(f.Vintage),
	}
	for i, t := range themes {
		if t == f.Theme {
			p.theme = uint8(i)
		}
	}
	ix.terrs[f.Territory] = append(ix.terrs[f.Territory], p)
	ix.n++
}

// appendDigestLine appends the line of a figure that the fingerprint
// digests, the fields separated by NUL bytes: the text that
// fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%d\x00%s\x00%s\n", ...)
// gives, without fmt's cost on ten million figures, so that sites
// published before keep their fingerprint.
func appendDigestLine(b []byte, f indicator.Figure) []byte {
	for _, s := range [...]string{f.Territory, string(f.Theme), f.Measure, f.Dim, f.Period} {
		b = append(append(b, s...), 0)
	}
	b = append(strconv.AppendFloat(b, f.Value, 'g', -1, 64), 0)
	b = append(strconv.AppendUint(b, uint64(f.Status), 10), 0)
	b = append(append(b, f.Source...), 0)
	return append(append(b, f.Vintage...), '\n')
}

// Len is the number of figures.
func (ix *Index) Len() int { return ix.n }

// Illustrative is false: the figures are the producers'.
func (ix *Index) Illustrative() bool { return false }

// AppendFigures appends to out the figures of a territory, and for a
// département those of its région too (the regional series its page shows).
func (ix *Index) AppendFigures(ctx context.Context, out []indicator.Figure, t *geo.Territory) ([]indicator.Figure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := []string{t.ID()}
	if t.Kind == geo.Departement && t.Region != nil {
		ids = append(ids, t.Region.ID())
	}
	for _, id := range ids {
		for _, p := range ix.terrs[id] {
			f := indicator.Figure{
				Territory: id, Theme: themes[p.theme], Measure: ix.strs[p.measure], Dim: ix.strs[p.dim],
				Period: ix.strs[p.period], Value: p.value, Status: p.status,
				Source: ix.strs[p.source], Vintage: ix.strs[p.vintage],
			}
			if id != t.ID() && f.Measure != indicator.EffSalTrim && f.Measure != indicator.MasseSalTrim && f.Measure != indicator.DPAE {
				continue
			}
			if math.IsNaN(f.Value) {
				f.Status = indicator.NotPublished
			}
			out = append(out, f)
		}
	}
	return out, nil
}
