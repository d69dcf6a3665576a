package geo

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed cog.tsv.gz
var cogData []byte

// Load returns the embedded referential. It is parsed once; the result is
// shared and must not be modified.
var Load = sync.OnceValues(func() (*Referential, error) {
	return Parse(bytes.NewReader(cogData))
})

// Parse reads a referential in the format written by geo/gen (gzip-compressed
// or not) and links every territory to its parents and children.
func Parse(r io.Reader) (*Referential, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("referential: %w", err)
		}
		br = bufio.NewReader(zr)
	}
	p := parser{ref: &Referential{byID: make(map[string]*Territory, 40000), former: map[string]*Former{}}, formerOf: map[string]string{}}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		p.line++
		if err := p.record(sc.Text()); err != nil {
			return nil, fmt.Errorf("referential line %d: %w", p.line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("referential: %w", err)
	}
	if err := p.link(); err != nil {
		return nil, fmt.Errorf("referential: %w", err)
	}
	return p.ref, nil
}

type pending struct {
	t                               *Territory
	commune, epci, dep, region, arr string
}

type parser struct {
	ref      *Referential
	line     int
	links    []pending
	formerOf map[string]string // retired code → current commune code
}

// fieldCount is the number of tab-separated fields of each record type.
var fieldCount = map[string]int{"G": 3, "Y": 2, "F": 4, "R": 4, "D": 5, "X": 4, "E": 5, "C": 9, "A": 6, "O": 5, "N": 5}

// shortForm is the number of fields of the records of the format before
// issue 12, still read so that small hand-written referentials (test
// fixtures) keep working: C without the arrondissement, O without name and
// status.
var shortForm = map[string]int{"C": 8, "O": 3}

func (p *parser) record(line string) error {
	if line == "" || line[0] == '#' {
		return nil
	}
	f := strings.Split(line, "\t")
	want, ok := fieldCount[f[0]]
	if !ok {
		return fmt.Errorf("unknown record type %q", f[0])
	}
	if n, ok := shortForm[f[0]]; ok && len(f) == n {
		f = widen(f)
	}
	if len(f) != want {
		return fmt.Errorf("record %s has %d fields, want %d", f[0], len(f), want)
	}
	ref := p.ref
	switch f[0] {
	case "G":
		y, err := strconv.Atoi(f[1])
		if err != nil {
			return fmt.Errorf("geography year %q: %w", f[1], err)
		}
		ref.GeoYear = y
		return nil
	case "Y":
		for _, s := range strings.Split(f[1], ",") {
			y, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("population year %q: %w", s, err)
			}
			ref.PopYears = append(ref.PopYears, y)
		}
		return nil
	case "O":
		if _, dup := ref.former[f[1]]; dup {
			return fmt.Errorf("retired commune %s listed twice", f[1])
		}
		ref.former[f[1]] = &Former{Code: f[1], Name: f[3], Folded: Fold(f[3]), Status: f[4]}
		p.formerOf[f[1]] = f[2]
		return nil
	}
	t := &Territory{Code: f[1], Name: f[2], Folded: Fold(f[2])}
	var pl pending
	var pops string
	switch f[0] {
	case "F":
		t.Kind, pops = France, f[3]
		ref.France = t
	case "R":
		t.Kind, pops = Region, f[3]
	case "D":
		t.Kind, pl.region, pops = Departement, f[3], f[4]
	case "X":
		t.Kind, pops = Collectivite, f[3]
	case "E":
		t.Kind, t.EPCIType, pops = EPCI, f[3], f[4]
	case "N":
		t.Kind, pl.dep = ArrondissementDep, f[3]
		n, err := strconv.Atoi(f[4])
		if err != nil || n < 0 || n > 8 {
			return fmt.Errorf("arrondissement %s: type of name %q, want 0 to 8", f[1], f[4])
		}
		t.liaison = uint8(n)
	case "C":
		t.Kind, pl.dep, pl.region, pl.epci, pl.arr, pops = Commune, f[3], f[4], f[5], f[6], f[8]
		t.PostalCodes = splitList(f[7])
	case "A":
		t.Kind, pl.commune, pops = Arrondissement, f[3], f[5]
		t.PostalCodes = splitList(f[4])
	}
	var err error
	if t.Kind == ArrondissementDep {
		// summed over its communes once they are linked
	} else if t.Population, err = p.pops(pops); err != nil {
		return fmt.Errorf("%s: %w", t.ID(), err)
	}
	if _, dup := ref.byID[t.ID()]; dup {
		return fmt.Errorf("duplicate territory %s", t.ID())
	}
	ref.byID[t.ID()] = t
	ref.All = append(ref.All, t)
	pl.t = t
	p.links = append(p.links, pl)
	return nil
}

// widen turns a record of the short form into the current one: a commune
// with no arrondissement, a retired code with no name (its code stands for
// it) and no status.
func widen(f []string) []string {
	switch f[0] {
	case "C":
		return append(f[:6:6], append([]string{""}, f[6:]...)...)
	case "O":
		return append(f, f[1], "")
	}
	return f
}

func (p *parser) pops(s string) ([]Pop, error) {
	vals := strings.Split(s, ",")
	if len(vals) != len(p.ref.PopYears) {
		return nil, fmt.Errorf("%d populations for %d years", len(vals), len(p.ref.PopYears))
	}
	var out []Pop
	for i, v := range vals {
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("population %q: %w", v, err)
		}
		out = append(out, Pop{Year: p.ref.PopYears[i], Value: n})
	}
	return out, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// link resolves parent codes into pointers and fills Children.
func (p *parser) link() error {
	ref := p.ref
	if ref.France == nil {
		return fmt.Errorf("no France record")
	}
	find := func(t *Territory, k Kind, code string) (*Territory, error) {
		if code == "" {
			return nil, nil
		}
		parent, ok := ref.Lookup(k, code)
		if !ok {
			return nil, fmt.Errorf("%s %q (%s): %s %q not found", t.Kind.Label(), t.Code, t.Name, k.Label(), code)
		}
		return parent, nil
	}
	var err error
	for _, pl := range p.links {
		t := pl.t
		if t.Kind != France {
			t.Country = ref.France
		}
		switch t.Kind {
		case Region, Collectivite:
			t.Region = t
		case Departement:
			t.Departement = t
			if t.Region, err = find(t, Region, pl.region); err != nil {
				return err
			}
		case Commune:
			if t.EPCI, err = find(t, EPCI, pl.epci); err != nil {
				return err
			}
			if _, com := ref.Lookup(Collectivite, pl.dep); com {
				t.Departement, _ = ref.Lookup(Collectivite, pl.dep)
				t.Region = t.Departement
				break
			}
			if t.Departement, err = find(t, Departement, pl.dep); err != nil {
				return err
			}
			if t.Region, err = find(t, Region, pl.region); err != nil {
				return err
			}
		case Arrondissement:
			if t.Commune, err = find(t, Commune, pl.commune); err != nil {
				return err
			}
		case ArrondissementDep:
			if t.Departement, err = find(t, Departement, pl.dep); err != nil {
				return err
			}
			t.Region = t.Departement.Region
		}
		if t.Kind == Commune {
			if t.ArrondissementDep, err = find(t, ArrondissementDep, pl.arr); err != nil {
				return err
			}
		}
	}
	// Arrondissements inherit from their commune, which is linked by now.
	for _, t := range ref.All {
		switch t.Kind {
		case Region, Collectivite:
			t.Country.Children = append(t.Country.Children, t)
		case Departement:
			t.Region.Children = append(t.Region.Children, t)
		case ArrondissementDep:
			t.Departement.Arrondissements = append(t.Departement.Arrondissements, t)
		case Commune:
			t.Departement.Children = append(t.Departement.Children, t)
			if a := t.ArrondissementDep; a != nil {
				a.Children = append(a.Children, t)
			}
			if e := t.EPCI; e != nil {
				e.Children = append(e.Children, t)
				if d := t.Departement; !slices.Contains(d.EPCIs, e) {
					d.EPCIs = append(d.EPCIs, e)
				}
			}
		case Arrondissement:
			c := t.Commune
			t.EPCI, t.Departement, t.Region, t.ArrondissementDep = c.EPCI, c.Departement, c.Region, c.ArrondissementDep
			c.Children = append(c.Children, t)
		}
	}
	for _, t := range ref.All {
		slices.SortFunc(t.Children, compareByName)
		slices.SortFunc(t.EPCIs, compareByName)
	}
	for old, cur := range p.formerOf {
		c, ok := ref.Lookup(Commune, cur)
		if !ok {
			return fmt.Errorf("retired commune %s: current commune %q not found", old, cur)
		}
		f := ref.former[old]
		f.Current = c
		c.Former = append(c.Former, f)
	}
	for _, t := range ref.All {
		switch t.Kind {
		case ArrondissementDep:
			t.Population = sumPopulations(t.Children)
		case Commune:
			slices.SortFunc(t.Former, func(a, b *Former) int {
				return cmp.Or(strings.Compare(a.Folded, b.Folded), strings.Compare(a.Code, b.Code))
			})
		}
	}
	return nil
}

// sumPopulations adds up the legal populations of territories, for the
// years every one of them has.
func sumPopulations(ts []*Territory) []Pop {
	if len(ts) == 0 {
		return nil
	}
	sums := map[int]int{}
	counts := map[int]int{}
	for _, t := range ts {
		for _, p := range t.Population {
			sums[p.Year] += p.Value
			counts[p.Year]++
		}
	}
	var out []Pop
	for y, n := range counts {
		if n == len(ts) {
			out = append(out, Pop{Year: y, Value: sums[y]})
		}
	}
	slices.SortFunc(out, func(a, b Pop) int { return cmp.Compare(a.Year, b.Year) })
	return out
}

func compareByName(a, b *Territory) int {
	return cmp.Or(strings.Compare(a.Folded, b.Folded), strings.Compare(a.Code, b.Code))
}
