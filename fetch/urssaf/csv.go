package urssaf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"territoires/geo"
)

// Urssaf open-data datasets on open.urssaf.fr (OpenDataSoft Explore v2.1).
const (
	// CommuneAPE: one row per commune × APE code, wide by year
	// (nombre_d_etablissements_YYYY, effectifs_salaries_YYYY), about 1.2
	// million rows for France.
	CommuneAPE = "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last"
	// RegionNA38: quarterly salaried jobs and payroll by région × NA38.
	RegionNA38 = "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-region-x-na38"
	// DPAERegion: quarterly hirings (DPAE) by région × NA38 × contract.
	DPAERegion = "dpae-par-region-x-na38"
	// AEDepartement: auto-entrepreneurs by département.
	AEDepartement = "auto-entrepreneurs-par-departement"
	// AESecteur: auto-entrepreneurs by sector, France.
	AESecteur = "auto-entrepreneurs-par-secteur-dactivite"
	// ProcCollectives: collective proceedings, France.
	ProcCollectives = "procedures-collectives-france-entiere"
	// ParticuliersEmployeurs: employees of private households
	// (particuliers employeurs) by département and job category, 2018.
	ParticuliersEmployeurs = "salaries-des-particuliers-employeurs-en-2018"
)

// Source is the Source of every figure decoded from Urssaf open data.
const Source = "Urssaf, open data"

// ErrFormat reports an export that does not have the expected shape:
// a missing column, a cell that is not a number, a truncated line. Errors
// wrap it with the dataset, line and column.
var ErrFormat = errors.New("malformed Urssaf export")

// Geo is what the Urssaf decoders need from the territory
// referential; *geo.Referential satisfies it.
type Geo interface {
	Lookup(k geo.Kind, code string) (*geo.Territory, bool)
	CurrentCommune(code string) (*geo.Territory, bool)
}

var urssafBOM = []byte{0xEF, 0xBB, 0xBF}

// urssafReader splits an OpenDataSoft CSV export into records without
// allocating per record: fields are slices of an internal buffer, valid
// until the next Read. It drops the byte-order mark the portal sends unless
// with_bom=false and guesses the delimiter from the header (";" by default,
// "," or tab if the header uses them instead). Quoting is RFC 4180 and
// strict, like encoding/csv without LazyQuotes: a stray quote is an error,
// which is how a damaged file shows. Empty lines are skipped. Every record
// must have as many fields as the header.
type urssafReader struct {
	br     *bufio.Reader
	comma  byte
	line   int // lines read so far
	start  int // line of the current record
	nf     int // fields per record, from the header; 0 before it
	long   []byte
	buf    []byte
	ends   []int
	fields [][]byte
}

func newUrssafReader(r io.Reader) *urssafReader {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(len(urssafBOM)); err == nil && bytes.Equal(b, urssafBOM) {
		br.Discard(len(urssafBOM)) //nolint:errcheck // cannot fail after Peek
	}
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	comma := byte(';')
	if bytes.IndexByte(head, ';') < 0 {
		switch {
		case bytes.IndexByte(head, ',') >= 0:
			comma = ','
		case bytes.IndexByte(head, '\t') >= 0:
			comma = '\t'
		}
	}
	return &urssafReader{br: br, comma: comma}
}

// Line is the line where the last record read starts.
func (r *urssafReader) Line() int { return r.start }

// readLine returns the next physical line without its end of line, or
// io.EOF. The slice is valid until the next call.
func (r *urssafReader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if len(b) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.line++
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'}), nil
}

func (r *urssafReader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrFormat, r.start, fmt.Sprintf(format, args...))
}

// Read returns the next record, or io.EOF after the last one.
func (r *urssafReader) Read() ([][]byte, error) {
	var line []byte
	for len(line) == 0 {
		var err error
		if line, err = r.readLine(); err != nil {
			return nil, err
		}
	}
	r.start = r.line
	r.fields = r.fields[:0]
	if bytes.IndexByte(line, '"') < 0 {
		for {
			i := bytes.IndexByte(line, r.comma)
			if i < 0 {
				r.fields = append(r.fields, line)
				break
			}
			r.fields = append(r.fields, line[:i])
			line = line[i+1:]
		}
	} else if err := r.readQuoted(line); err != nil {
		return nil, err
	}
	if r.nf == 0 {
		r.nf = len(r.fields)
	} else if len(r.fields) != r.nf {
		return nil, r.errorf("%d fields, the header has %d", len(r.fields), r.nf)
	}
	return r.fields, nil
}

// readQuoted splits a record that holds quotes, reading more lines while
// a quoted field is open.
func (r *urssafReader) readQuoted(line []byte) error {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	for {
		// At the start of a field.
		if len(line) > 0 && line[0] == '"' {
			line = line[1:]
			for {
				i := bytes.IndexByte(line, '"')
				if i < 0 {
					// The quoted field goes on to the next line.
					r.buf = append(r.buf, line...)
					r.buf = append(r.buf, '\n')
					next, err := r.readLine()
					if err == io.EOF {
						return r.errorf("quoted field not closed")
					}
					if err != nil {
						return err
					}
					line = next
					continue
				}
				r.buf = append(r.buf, line[:i]...)
				line = line[i+1:]
				if len(line) > 0 && line[0] == '"' { // "" is a quote
					r.buf = append(r.buf, '"')
					line = line[1:]
					continue
				}
				break
			}
			switch {
			case len(line) == 0:
				r.ends = append(r.ends, len(r.buf))
				return r.split()
			case line[0] == r.comma:
				r.ends = append(r.ends, len(r.buf))
				line = line[1:]
				continue
			default:
				return r.errorf("extraneous character after a quoted field")
			}
		}
		i := bytes.IndexByte(line, r.comma)
		field := line
		if i >= 0 {
			field = line[:i]
		}
		if bytes.IndexByte(field, '"') >= 0 {
			return r.errorf("bare quote in a field")
		}
		r.buf = append(r.buf, field...)
		r.ends = append(r.ends, len(r.buf))
		if i < 0 {
			return r.split()
		}
		line = line[i+1:]
	}
}

func (r *urssafReader) split() error {
	from := 0
	for _, end := range r.ends {
		r.fields = append(r.fields, r.buf[from:end:end])
		from = end
	}
	return nil
}

// readUrssafHeader reads the header line and returns the column names,
// trimmed and copied.
func readUrssafHeader(r *urssafReader) ([]string, error) {
	rec, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty export, no header", ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	names := make([]string, len(rec))
	for i, n := range rec {
		names[i] = string(bytes.TrimSpace(n))
	}
	return names, nil
}

// errNotFinite is a cell that parses as NaN or an infinity: a value no
// figure takes, refused like an out-of-range one, not a damaged file.
var errNotFinite = errors.New("not a finite number")

// parseUrssafNumber parses a numeric cell. An empty cell is "none or not
// published": it returns NaN and no error, never zero. Integers, the
// common case, are parsed without allocating.
func parseUrssafNumber(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return math.NaN(), nil
	}
	if len(b) <= 15 {
		n, ok := int64(0), true
		for _, c := range b {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok {
			return float64(n), nil
		}
	}
	s := string(b)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// The portal writes "1234.5"; accept a decimal comma from a
		// spreadsheet-made mirror.
		if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
			v, err = strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		}
		if err != nil {
			return 0, fmt.Errorf("not a number: %q", s)
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: %q", errNotFinite, s)
	}
	return v, nil
}

// urssafYears finds the years of the wide commune export from its column
// names (nombre_d_etablissements_YYYY, effectifs_salaries_YYYY), from the
// CSV header or from the dataset metadata's fields[]. It never assumes a
// range: a new year appears when the portal adds its columns.
func urssafYears(names []string) []int {
	seen := map[int]bool{}
	for _, n := range names {
		if _, y, ok := urssafYearColumn(n); ok {
			seen[y] = true
		}
	}
	years := make([]int, 0, len(seen))
	for y := range seen {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

const (
	urssafEtab = 0 // nombre_d_etablissements_YYYY
	urssafEff  = 1 // effectifs_salaries_YYYY
)

// urssafYearColumn parses "nombre_d_etablissements_2021" or
// "effectifs_salaries_2021" into its measure and year.
func urssafYearColumn(name string) (measure, year int, ok bool) {
	for m, prefix := range [...]string{urssafEtab: "nombre_d_etablissements_", urssafEff: "effectifs_salaries_"} {
		rest, found := strings.CutPrefix(name, prefix)
		if !found || len(rest) != 4 {
			continue
		}
		y, err := strconv.Atoi(rest)
		if err != nil || y < 1900 || y > 2999 {
			continue
		}
		return m, y, true
	}
	return 0, 0, false
}

// urssafDimValue turns a label such as "GS3 Commerce" or "GZ Commerce ;
// réparation d'automobiles" into its code ("GS3", "GZ") and the rest of
// the label. A label without a leading code is turned into an upper-case
// slug ("CDD de plus d'un mois" → "CDD_DE_PLUS_D_UN_MOIS") so that it can
// never break the "KEY=value;KEY=value" syntax of Figure.Dim.
func urssafDimValue(label string) (code, rest string) {
	label = strings.TrimSpace(label)
	first, after, _ := strings.Cut(label, " ")
	after = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(after), "-–:"))
	if isUrssafCode(first) {
		// "GS3 Commerce", "47 Commerce de détail": a code, then a label
		// starting with a capital. "CDD de plus d'un mois" is not a code.
		if after == "" {
			return first, ""
		}
		if r, _ := utf8.DecodeRuneInString(after); unicode.IsUpper(r) {
			return first, after
		}
	}
	return urssafSlug(label), label
}

// isUrssafCode reports whether s looks like a nomenclature code: upper-case
// letters and digits, at most 6 characters ("GS3", "GZ", "C1", "47", "4711F").
func isUrssafCode(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, c := range []byte(s) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// urssafSlug maps a free label to [A-Z0-9_]+, folding French accents.
func urssafSlug(s string) string {
	var b strings.Builder
	underscore := false
	word := func(w string) {
		if !underscore && b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(w)
		b.WriteByte('_')
		underscore = true
	}
	for _, r := range s {
		r = urssafFoldAccent(r)
		switch {
		case r == '<':
			word("MOINS") // "CDD < 1 mois" and "CDD > 1 mois" must differ
		case r == '>':
			word("PLUS")
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
			fallthrough
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			b.WriteRune(r)
			underscore = false
		default:
			if !underscore && b.Len() > 0 {
				b.WriteByte('_')
				underscore = true
			}
		}
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" {
		return "NA"
	}
	return out
}

func urssafFoldAccent(r rune) rune {
	switch r {
	case 'à', 'â', 'ä', 'À', 'Â', 'Ä':
		return 'a'
	case 'é', 'è', 'ê', 'ë', 'É', 'È', 'Ê', 'Ë':
		return 'e'
	case 'î', 'ï', 'Î', 'Ï':
		return 'i'
	case 'ô', 'ö', 'Ô', 'Ö':
		return 'o'
	case 'ù', 'û', 'ü', 'Ù', 'Û', 'Ü':
		return 'u'
	case 'ç', 'Ç':
		return 'c'
	case 'œ', 'Œ':
		return 'o'
	}
	return r
}

// urssafCommuneCode restores the leading zero a spreadsheet may have eaten
// ("1004" → "01004") and trims spaces.
func urssafCommuneCode(code string) string {
	code = strings.TrimSpace(code)
	if len(code) == 4 && urssafAllDigits(code) {
		return "0" + code
	}
	return code
}

// urssafShortCode pads a one-digit département or région code ("1" → "01").
func urssafShortCode(code string) string {
	code = strings.TrimSpace(code)
	if len(code) == 1 && urssafAllDigits(code) {
		return "0" + code
	}
	return code
}

func urssafAllDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
