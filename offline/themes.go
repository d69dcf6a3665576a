package offline

import (
	"math"
	"math/rand/v2"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// Synthetic figures of the themes of issue 12: tourist accommodation,
// business creations, housing, diplomas, households and families. Every
// value is a count, generated for communes and summed for their parents.
// Tourist communes (a list of well-known resorts, names such as
// "…-sur-Mer" or "…-Plage", and a share of the communes of coastal and
// mountain départements) have many secondary homes, hotels and campsites;
// small communes often have none.

const (
	tourYear    = 2025 // vintage of DS_TOUR_CAP
	sideFirst   = 2012 // first year of business creations (SIDE)
	sideLast    = 2024
	sideSectors = sideLast // the communal files break down the latest year only by sector
)

// Codes of the breakdowns, as the MELODI decoder writes them in Figure.Dim.
var (
	tourRankings = []string{"NC", "1", "2", "3", "4", "5"}
	a10Sectors   = []string{"BE", "FZ", "GI", "JZ", "KZ", "LZ", "MN", "OQ", "RU"}
	a10Shares    = []float64{0.04, 0.11, 0.27, 0.06, 0.05, 0.04, 0.23, 0.11, 0.09}
	educCodes    = []string{"001T100_RP", "200_RP", "300_RP", "350T351_RP", "500_RP", "600_RP", "700_RP"}
	educShares   = []float64{0.21, 0.05, 0.23, 0.17, 0.11, 0.10, 0.13} // France, 15+ out of school
	educTilt     = []float64{-0.35, -0.1, -0.25, 0, 0.1, 0.25, 0.5}    // with wealth and city size
	npersCodes   = []string{"1", "2", "3", "4", "5+"}
	npersShares  = []float64{0.37, 0.33, 0.13, 0.11, 0.06}
	tfnCodes     = []string{"1", "21", "22"} // single parent, couple without children, couple with children
	// France's business creations by year, in thousands: the trend the
	// communes follow (micro-entrepreneurs included).
	sideProfile = []float64{550, 540, 550, 525, 554, 591, 691, 815, 848, 996, 1072, 1051, 1111}
)

// resorts are well-known seaside and mountain resorts: their figures are
// those of a tourist commune.
var resorts = map[string]bool{
	"74056": true, "73304": true, "73296": true, "73227": true, "73257": true, "74173": true, "74236": true,
	"38253": true, "38191": true, "73015": true, "74191": true, "74134": true, "74080": true, "74063": true,
	"74143": true, "74085": true, "74258": true, "74014": true, "73150": true, "73176": true, "73306": true,
	"73206": true, "73290": true, "05119": true, "05177": true, "05133": true, "05079": true, "05096": true,
	"38548": true, "65388": true, "65138": true, "66124": true, "66004": true, "04006": true, "06120": true,
	"06073": true, "06094": true, "25380": true, "39470": true, "88196": true, "88075": true, "63236": true,
	"83119": true, "83101": true, "83036": true, "83070": true, "83115": true, "83123": true, "83009": true,
	"64122": true, "33009": true, "33236": true, "33214": true, "33540": true, "40304": true, "40296": true,
	"40328": true, "40184": true, "40046": true, "44055": true, "44132": true, "44135": true, "14220": true,
	"14117": true, "14333": true, "76254": true, "62826": true, "35288": true, "56186": true, "56034": true,
	"56234": true, "85234": true, "85226": true, "85194": true, "85163": true, "85294": true, "17306": true,
	"17333": true, "34344": true, "34003": true, "34324": true, "30133": true, "11170": true, "11202": true,
	"66008": true, "66037": true, "66171": true, "06029": true, "06083": true, "06121": true, "2A247": true,
	"2A041": true, "2B050": true,
}

// seaAndMountains are the départements on the coasts or in the mountains,
// where tourist communes are common.
var seaAndMountains = map[string]bool{
	"04": true, "05": true, "06": true, "09": true, "11": true, "13": true, "14": true, "17": true, "22": true,
	"29": true, "2A": true, "2B": true, "30": true, "33": true, "34": true, "35": true, "38": true, "40": true,
	"44": true, "50": true, "56": true, "62": true, "64": true, "65": true, "66": true, "73": true, "74": true,
	"76": true, "80": true, "83": true, "85": true, "971": true, "972": true, "973": true, "974": true, "976": true,
}

// themeValues holds the counts of the themes of issue 12 for a commune, or
// their sums for a parent. Fixed-size arrays: the zero value is ready and
// summing allocates nothing.
type themeValues struct {
	hotels, rooms     [6]float64 // by tourRankings
	camps, pitches    [6]float64
	others, otherBeds float64
	creaEnt, creaEtab [sideLast - sideFirst + 1]float64
	creaSector        [sideLast - sideSectors + 1][9]float64 // enterprises, by year and a10Sectors
	ocs               [3]float64                             // principal, secondary and occasional, vacant
	tdw               [2]float64                             // houses, flats
	tsh               [3]float64                             // owners, tenants, lodged free (of principal)
	educ              [7]float64
	npers             [5]float64
	tfn               [3]float64
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

func (v *themeValues) add(w *themeValues) {
	for _, p := range [][2][]float64{
		{v.hotels[:], w.hotels[:]}, {v.rooms[:], w.rooms[:]}, {v.camps[:], w.camps[:]}, {v.pitches[:], w.pitches[:]},
		{v.creaEnt[:], w.creaEnt[:]}, {v.creaEtab[:], w.creaEtab[:]},
		{v.ocs[:], w.ocs[:]}, {v.tdw[:], w.tdw[:]}, {v.tsh[:], w.tsh[:]},
		{v.educ[:], w.educ[:]}, {v.npers[:], w.npers[:]}, {v.tfn[:], w.tfn[:]},
	} {
		addTo(p[0], p[1])
	}
	for i := range v.creaSector {
		addTo(v.creaSector[i][:], w.creaSector[i][:])
	}
	v.others += w.others
	v.otherBeds += w.otherBeds
}

// poisson draws a count of mean lambda: exactly for small means, from the
// normal approximation for large ones.
func poisson(r *rand.Rand, lambda float64) float64 {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return math.Max(0, math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64()))
	}
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// pick draws an index with the given weights.
func pick(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// apportion divides a count into parts proportional to weights, in whole
// numbers that add up to it (largest remainders).
func apportion(n float64, weights []float64, out []float64) {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	left := n
	for i, w := range weights {
		out[i] = math.Floor(n * w / total)
		left -= out[i]
	}
	for left > 0 {
		best, bestRem := 0, -1.0
		for i, w := range weights {
			if rem := n*w/total - out[i]; rem > bestRem {
				best, bestRem = i, rem
			}
		}
		out[best]++
		left--
	}
}

// tourism returns how touristic a commune is, from 0 to 1.
func tourism(t *geo.Territory, r *rand.Rand) float64 {
	switch {
	case resorts[t.Code]:
		return between(r, 0.75, 1)
	case strings.Contains(t.Name, "-sur-Mer") || strings.Contains(t.Name, "-Plage") || strings.Contains(t.Name, "-les-Bains"):
		return between(r, 0.4, 0.8)
	}
	dep := ""
	if t.Departement != nil {
		dep = t.Departement.Code
	}
	if seaAndMountains[dep] {
		if r.Float64() < 0.12 {
			return between(r, 0.2, 0.7)
		}
		return between(r, 0, 0.12)
	}
	if r.Float64() < 0.03 {
		return between(r, 0.15, 0.5)
	}
	return between(r, 0, 0.06)
}

// communeThemes generates the values of one commune, whose population,
// income and jobs are in a.
func communeThemes(t *geo.Territory, a *agg) themeValues {
	var v themeValues
	r := rngFor("themes " + t.ID())
	pop := a.pop
	tour := tourism(t, r)
	wealth := (a.medianW/a.pop - 23000) / 4500
	size := math.Log10(pop + 1) // 0 .. 5.7
	urban := math.Max(0, size-3.5) / 2

	// Tourist accommodation: hotels in towns and resorts, campsites in the
	// countryside and on the coasts, other collective accommodation
	// (holiday villages, tourist residences) mostly in resorts.
	hotelShares := []float64{0.20, 0.05, 0.22, 0.35, 0.15 + 0.1*tour, 0.02 + 0.05*tour}
	roomsPer := []float64{14, 22, 28, 40, 65, 55}
	nh := poisson(r, pop/25000*(1+size/1.5)+tour*tour*(10+pop/250))
	for range int(nh) {
		k := pick(r, hotelShares)
		v.hotels[k]++
		v.rooms[k] += math.Max(4, math.Round(roomsPer[k]*(1+urban/2)*between(r, 0.5, 1.5)))
	}
	campShares := []float64{0.10, 0.05, 0.20, 0.35, 0.22, 0.08}
	lc := 0.3 * tour * tour * 20
	if pop < 20000 {
		lc += 0.12
	}
	for range int(poisson(r, lc)) {
		k := pick(r, campShares)
		v.camps[k]++
		v.pitches[k] += math.Round(float64(30+25*k) * between(r, 0.4, 2.5))
	}
	for range int(poisson(r, 3*tour*tour+pop/80000)) {
		v.others++
		v.otherBeds += math.Round(250 * between(r, 0.3, 2))
	}

	// Business creations: France's trend, more per inhabitant in towns.
	local := between(r, 0.6, 1.4) * (0.7 + 0.1*size)
	for i := range v.creaEnt {
		y := sideFirst + i
		mean := pop * sideProfile[i] * 1000 / 68e6 * local
		if y >= sideSectors {
			s := &v.creaSector[y-sideSectors]
			for j, sh := range a10Shares {
				s[j] = poisson(r, mean*sh*between(r, 0.7, 1.3))
				v.creaEnt[i] += s[j]
			}
		} else {
			v.creaEnt[i] = poisson(r, mean)
		}
		v.creaEtab[i] = v.creaEnt[i] + poisson(r, v.creaEnt[i]*0.08+pop*0.0004)
	}

	// Housing: households from the population, dwellings from the share of
	// principal residences; resorts have many secondary homes.
	hhSize := between(r, 2.05, 2.5) - 0.1*urban
	households := math.Max(1, math.Round(pop/hhSize))
	secBase := math.Max(0.02, 0.12-0.025*size)
	sec := math.Min(0.8, secBase+tour*(0.75-secBase)*between(r, 0.6, 1))
	vac := between(r, 0.05, 0.12)
	total := households / (1 - sec - vac)
	v.ocs = [3]float64{households, math.Round(total * sec), math.Round(total * vac)}
	dwellings := v.ocs[0] + v.ocs[1] + v.ocs[2]
	houses := math.Max(0.05, math.Min(0.98, between(r, 0.85, 1.05)-0.17*math.Max(0, size-2.5)-0.4*tour))
	other := math.Round(dwellings * between(r, 0.002, 0.02)) // mobile homes, rooms in hostels...
	v.tdw[0] = math.Round((dwellings - other) * houses)
	v.tdw[1] = dwellings - other - v.tdw[0]
	owners := math.Max(0.2, math.Min(0.9, between(r, 0.65, 0.85)-0.12*math.Max(0, size-3)+0.05*wealth))
	free := between(r, 0.015, 0.04)
	apportion(households, []float64{owners, 1 - owners - free, free}, v.tsh[:])

	// Diplomas of the population aged 15 or more out of school.
	adults := math.Round(pop * between(r, 0.74, 0.8))
	w := make([]float64, len(educShares))
	for i, sh := range educShares {
		w[i] = math.Max(0.01, sh*(1+educTilt[i]*(wealth+urban))*between(r, 0.9, 1.1))
	}
	apportion(adults, w, v.educ[:])

	// Households by size: more people alone in towns, fewer in villages.
	w = w[:len(npersShares)]
	for i, sh := range npersShares {
		tilt := 1.0
		if i == 0 {
			tilt = 1 + 0.4*(urban-0.3)
		} else if i >= 2 {
			tilt = 1 - 0.2*(urban-0.3)
		}
		w[i] = sh * tilt * between(r, 0.9, 1.1)
	}
	apportion(households, w, v.npers[:])

	// Families: couples with children fewer in resorts and towns.
	families := math.Round(households * between(r, 0.55, 0.68) * (1 - 0.15*urban))
	apportion(families, []float64{0.16 * (1 + 0.3*urban), 0.45 * (1 + 0.3*tour), 0.39 * between(r, 0.85, 1.15)}, v.tfn[:])
	return v
}

// themeFigures appends the figures of the themes of issue 12.
func (v *themeValues) figures(add func(theme indicator.Theme, measure, dim string, period int, v float64, st indicator.Status, vintage string)) {
	present := indicator.Present
	tv := vintageTourism
	tour := func(act string, n, places []float64) {
		var tn, tp float64
		for i := range n {
			tn += n[i]
			tp += places[i]
		}
		dim := tourDims[act]       // the total, then the rankings
		if tn != 0 && len(n) > 1 { // no breakdown of what is not there
			for _, i := range rankingOrder { // in the order of their Dim, the total ("_T") last
				add(indicator.Tourisme, indicator.TourCapacite, dim[1+i], tourYear, n[i], present, tv)
				add(indicator.Tourisme, indicator.TourPlaces, dim[1+i], tourYear, places[i], present, tv)
			}
		}
		add(indicator.Tourisme, indicator.TourCapacite, dim[0], tourYear, tn, present, tv)
		add(indicator.Tourisme, indicator.TourPlaces, dim[0], tourYear, tp, present, tv)
	}
	tour("I551", v.hotels[:], v.rooms[:])
	tour("I552", []float64{v.others}, []float64{v.otherBeds})
	tour("I553", v.camps[:], v.pitches[:])

	sv := vintageSIDE
	for i := range v.creaEnt {
		y := sideFirst + i
		add(indicator.Entreprises, indicator.CreationsEnt, "", y, v.creaEnt[i], present, sv)
		add(indicator.Entreprises, indicator.CreationsEtab, "", y, v.creaEtab[i], present, sv)
		if y >= sideSectors {
			for j, dim := range a10Dims {
				add(indicator.Entreprises, indicator.CreationsEnt, dim, y, v.creaSector[y-sideSectors][j], present, sv)
			}
		}
	}

	rp := vintageRP
	add(indicator.Logement, indicator.Logements, "", census, v.ocs[0]+v.ocs[1]+v.ocs[2], present, rp)
	for i, dim := range []string{"OCS=DW_MAIN", "OCS=DW_SEC_DW_OCC", "OCS=DW_VAC"} {
		add(indicator.Logement, indicator.Logements, dim, census, v.ocs[i], present, rp)
	}
	for i, dim := range []string{"TDW=1", "TDW=2"} {
		add(indicator.Logement, indicator.Logements, dim, census, v.tdw[i], present, rp)
	}
	for i, dim := range []string{"TSH=100", "TSH=200", "TSH=300"} {
		add(indicator.Logement, indicator.Logements, dim, census, v.tsh[i], present, rp)
	}
	parts := func(measure string, dims []string, vals []float64) { // the total (Dim "") first
		total := 0.0
		for i := range dims {
			total += vals[i]
		}
		add(indicator.Menages, measure, "", census, total, present, rp)
		for i, dim := range dims {
			add(indicator.Menages, measure, dim, census, vals[i], present, rp)
		}
	}
	parts(indicator.Diplomes, educDims, v.educ[:])
	parts(indicator.MenagesTaille, npersDims, v.npers[:])
	parts(indicator.Familles, tfnDims, v.tfn[:])
}
