package offline

import (
	"slices"
	"strconv"
	"strings"
)

// The strings a territory's figures repeat (periods, breakdowns, vintages)
// are made once, here, rather than for each figure: a build reads some
// 70,000 territories' figures, 150 each, those of communes twice.

// years holds the periods "1950" to "2049".
var years = func() []string {
	ys := make([]string, 100)
	for i := range ys {
		ys[i] = strconv.Itoa(1950 + i)
	}
	return ys
}()

// year returns the period of a year.
func year(y int) string {
	if i := y - 1950; i >= 0 && i < len(years) {
		return years[i]
	}
	return strconv.Itoa(y)
}

// sortedOrder returns the indexes of codes in the order of the codes. A
// source may give a measure's figures in any order; giving them in the
// order of their Dim, for one territory and period, spares the builder a
// sort of each measure of each page (its figureSet).
func sortedOrder(codes []string) []int {
	order := make([]int, len(codes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(codes[a], codes[b]) })
	return order
}

// dims returns prefix+code+suffix for each code: the breakdowns of a
// measure, as the INSEE clients write them in Figure.Dim.
func dims(prefix string, codes []string, suffix string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = prefix + c + suffix
	}
	return out
}

var (
	ageDims   = [2][]string{dims("AGE=", ageBands, ";SEX=M"), dims("AGE=", ageBands, ";SEX=F")}
	inseeDims = dims("A5=", inseeSectors, "")
	gsDims    = dims("GS=", urssafGS, "")
	a10Dims   = dims("ACTIVITY=", a10Sectors, "")
	educDims  = dims("EDUC=", educCodes, "")
	npersDims = dims("NPERS=", npersCodes, "")
	tfnDims   = dims("TFN=", tfnCodes, "")
	// ageOrder lists the age and sex breakdowns in the order of their
	// Dim: the builder then finds them in its order, with nothing to sort
	// (see sortedOrder).
	ageOrder = func() []struct{ sex, band int } {
		var order []struct{ sex, band int }
		for sex := range ageDims {
			for band := range ageDims[sex] {
				order = append(order, struct{ sex, band int }{sex, band})
			}
		}
		slices.SortFunc(order, func(a, b struct{ sex, band int }) int {
			return strings.Compare(ageDims[a.sex][a.band], ageDims[b.sex][b.band])
		})
		return order
	}()
	// rankingOrder lists the indexes of tourRankings in the order of their
	// Dim ("1" … "5", "NC").
	rankingOrder = sortedOrder(tourRankings)
	// tourDims[act] are an activity's total ("_T") then its rankings.
	tourDims = func() map[string][]string {
		m := map[string][]string{}
		for _, act := range []string{"I551", "I552", "I553"} {
			m[act] = dims("ACTIVITY="+act+";RANKING=", append([]string{"_T"}, tourRankings...), "")
		}
		return m
	}()

	vintageRP       = "RP " + year(census)
	vintageCivil    = "État civil " + year(civilYears[len(civilYears)-1])
	vintageFilosofi = "Filosofi " + year(filosofi)
	vintageFlores   = "Flores " + year(flores)
	vintageUrssaf   = "Urssaf " + year(urssafYears[len(urssafYears)-1])
	vintageTourism  = "Capacités touristiques " + year(tourYear)
	vintageSIDE     = "SIDE " + year(sideLast)
	vintageQuarters = "Urssaf " + quarters[len(quarters)-1]
)
