package fetchtest

import (
	"hash/fnv"
	"math"
	"strconv"
	"sync"

	"territoires/geo"
)

// Generator makes deterministic plausible figures for the territories of
// a referential. Additive counts of a commune derive from its legal
// population and a hash of its code; a parent's are the sums of its
// communes'. Non-additive figures (income) derive from each territory's
// own hash.
type Generator struct {
	ref      *geo.Referential
	members  map[*geo.Territory][]*geo.Territory // communes of each parent
	byDep    map[string][]*geo.Territory         // communes of each département
	communes []*geo.Territory
	parentIx map[*geo.Territory]int // index of each parent in a sums slice

	mu   sync.Mutex
	sums map[string][]float64 // key → sum of each parent, computed in one pass
}

func NewGenerator(ref *geo.Referential) *Generator {
	g := &Generator{ref: ref, members: map[*geo.Territory][]*geo.Territory{}, byDep: map[string][]*geo.Territory{},
		parentIx: map[*geo.Territory]int{}, sums: map[string][]float64{}}
	for _, t := range ref.All {
		if t.Kind != geo.Commune {
			continue
		}
		g.communes = append(g.communes, t)
		for _, p := range []*geo.Territory{t.EPCI, t.Departement, t.Region, t.Country} {
			if p != nil && p != t {
				g.members[p] = append(g.members[p], t)
				if _, ok := g.parentIx[p]; !ok {
					g.parentIx[p] = len(g.parentIx)
				}
			}
		}
		if t.Departement != nil {
			g.byDep[t.Departement.Code] = append(g.byDep[t.Departement.Code], t)
		}
	}
	return g
}

// hash01 returns a deterministic number in [0, 1) for a territory and a
// salt.
func Hash01(t *geo.Territory, salt string) float64 {
	h := fnv.New64a()
	h.Write([]byte(t.ID()))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	return float64(h.Sum64()>>11) / float64(1<<53)
}

// pop is a commune's or arrondissement's legal population.
func Pop(t *geo.Territory) float64 {
	p, ok := t.LatestPopulation()
	if !ok || p.Value <= 0 {
		return 100
	}
	return float64(p.Value)
}

// isLeaf says whether t's counts are its own rather than sums.
func IsLeaf(t *geo.Territory) bool {
	return t.Kind == geo.Commune || t.Kind == geo.Arrondissement
}

// Additive returns f of a commune or arrondissement, or the sum of f over
// a parent's communes. key names f with all its inputs ("pop|2023"): the
// sums of every parent are computed in one pass over the communes and
// remembered, so that a whole country stays fast.
func (g *Generator) Additive(t *geo.Territory, key string, f func(c *geo.Territory) float64) float64 {
	if IsLeaf(t) || len(g.members[t]) == 0 {
		return f(t) // a commune, or a zone whose members the referential does not give
	}
	ix, isParent := g.parentIx[t]
	if !isParent { // a zone added with AddMembers
		sum := 0.0
		for _, c := range g.members[t] {
			sum += f(c)
		}
		return sum
	}
	g.mu.Lock()
	sums, ok := g.sums[key]
	g.mu.Unlock()
	if !ok {
		sums = make([]float64, len(g.parentIx))
		for _, c := range g.communes {
			v := f(c)
			for _, p := range []*geo.Territory{c.EPCI, c.Departement, c.Region, c.Country} {
				if i, ok := g.parentIx[p]; ok && p != c {
					sums[i] += v
				}
			}
		}
		g.mu.Lock()
		g.sums[key] = sums
		g.mu.Unlock()
	}
	return sums[ix]
}

// AddMembers makes t (a study zone, which the referential does not hold)
// the parent of communes: its additive figures are their sums. Call it
// before serving.
func (g *Generator) AddMembers(t *geo.Territory, communes []*geo.Territory) {
	g.members[t] = communes
}

// PopulationOf returns the generated legal population of t for year: the
// referential's latest population, drifting 0.4 % a year; a parent's is
// the sum of its communes'.
func (g *Generator) Population(t *geo.Territory, year int) float64 {
	return g.Additive(t, "pop|"+strconv.Itoa(year), func(c *geo.Territory) float64 {
		p, ok := c.LatestPopulation()
		base, ref := Pop(c), 2023
		if ok {
			ref = p.Year
		}
		return math.Round(base * math.Pow(1+0.004*(Hash01(c, "growth")-0.3), float64(year-ref)))
	})
}

// AgeShares are the census age bands and their shares of the population.
var AgeShares = []struct {
	Code  string
	Share float64
}{
	{"Y_LT15", 0.17}, {"Y15T29", 0.17}, {"Y30T44", 0.19}, {"Y45T59", 0.20},
	{"Y60T74", 0.17}, {"Y75T89", 0.09}, {"Y_GE90", 0.01},
}

// CensusBands are the age bands of MELODI's DS_RP_POPULATION_PRINC and
// their shares of the population.
var CensusBands = []struct {
	Code  string
	Share float64
}{
	{"Y_LT15", 0.17}, {"Y15T24", 0.11}, {"Y25T39", 0.18}, {"Y40T54", 0.20},
	{"Y55T64", 0.13}, {"Y65T79", 0.15}, {"Y_GE80", 0.06},
}

var ageTable = append(append(CensusBands[:0:0], AgeShares...), CensusBands...)

// ageSex returns the census population of one sex ("M", "F") and age band.
func (g *Generator) AgeSex(t *geo.Territory, year int, sex, age string) float64 {
	return g.Additive(t, "agesex|"+strconv.Itoa(year)+"|"+sex+"|"+age, func(c *geo.Territory) float64 {
		p := g.Population(c, year)
		for _, a := range ageTable {
			if a.Code == age {
				share := a.Share * (0.8 + 0.4*Hash01(c, "age"+age))
				fem := 0.51
				if age == "Y75T89" || age == "Y_GE90" || age == "Y_GE80" {
					fem = 0.62
				}
				if sex == "M" {
					fem = 1 - fem
				}
				return math.Round(p * share * fem)
			}
		}
		return 0
	})
}

// income returns a Filosofi figure: each territory's own value.
func Income(t *geo.Territory, measure string) float64 {
	med := 19000 + 9000*Hash01(t, "median")
	switch measure {
	case "MED_SL", "MEDIANE":
		return math.Round(med/10) * 10
	case "D1_SL", "D1":
		return math.Round(med*(0.45+0.1*Hash01(t, "d1"))/10) * 10
	case "D9_SL", "D9":
		return math.Round(med*(1.7+0.5*Hash01(t, "d9"))/10) * 10
	case "PR_MD60", "TP60":
		return math.Round((6+22*Hash01(t, "pauvrete"))*10) / 10
	}
	return 0
}

// activity returns the census counts of the 15-64 by EMPSTA_ENQ: "1"
// employed, "2" unemployed, "_T" all.
func (g *Generator) Activity(t *geo.Territory, year int, status string) float64 {
	return g.Additive(t, "act|"+strconv.Itoa(year)+"|"+status, func(c *geo.Territory) float64 {
		total := math.Round(g.Population(c, year) * 0.62)
		act := 0.68 + 0.1*Hash01(c, "act")
		u := 0.05 + 0.1*Hash01(c, "chomage")
		switch status {
		case "1":
			return math.Round(total * act * (1 - u))
		case "2":
			return math.Round(total * act * u)
		}
		return total
	})
}

// jobs returns the jobs at place of work.
func (g *Generator) Jobs(t *geo.Territory, year int) float64 {
	return g.Additive(t, "jobs|"+strconv.Itoa(year), func(c *geo.Territory) float64 {
		return math.Round(g.Population(c, year) * (0.15 + 0.6*Hash01(c, "jobs")))
	})
}

var Sectors = []string{"AZ", "BE", "FZ", "GI", "OQ"}

// establishments returns establishments (UNIT_LOC) or their employees
// (EMPL3112) in a sector.
func (g *Generator) Establishments(t *geo.Territory, measure, sector string) float64 {
	return g.Additive(t, "etab|"+measure+"|"+sector, func(c *geo.Territory) float64 {
		n := math.Round(Pop(c) * 0.08 * (0.5 + Hash01(c, "etab"+sector)) / float64(len(Sectors)))
		if measure == "EMPL3112" {
			return math.Round(n * (1 + 6*Hash01(c, "empl"+sector)))
		}
		return n
	})
}

// events returns births ("NAIS") or deaths ("DECES") in a year.
func (g *Generator) Events(t *geo.Territory, kind string, year int) float64 {
	return g.Additive(t, "events|"+kind+"|"+strconv.Itoa(year), func(c *geo.Territory) float64 {
		rate := 0.008 + 0.006*Hash01(c, kind+strconv.Itoa(year))
		return math.Round(g.Population(c, year) * rate)
	})
}

// Communes returns the communes of a département, in referential order.
func (g *Generator) Communes(dep string) []*geo.Territory { return g.byDep[dep] }

// Members returns the communes of a parent (EPCI, département, région,
// France, or any zoning the referential links communes to).
func (g *Generator) Members(t *geo.Territory) []*geo.Territory { return g.members[t] }
