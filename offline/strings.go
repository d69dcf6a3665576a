package offline

import "strconv"

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
