package indicator

import (
	"fmt"
	"math"
)

// MaxValue bounds every published value: no French figure (euros of
// payroll included) comes near 1e15, and a value beyond it is a decoding
// error or a hostile answer, never a figure.
const MaxValue = 1e15

// nonNegative lists the measures that count things (people, jobs,
// establishments, dwellings...) or are rates and amounts that cannot be
// negative. Measures not listed (changes, balances) may be negative.
var nonNegative = map[string]bool{
	PopLegale: true, PopHistorique: true, PopAgeSexe: true, Naissances: true, Deces: true,
	RevenuMedian: true, RevenuD1: true, RevenuD9: true, TauxPauvrete: true,
	TauxActivite: true, TauxChomage: true, EmploisLieu: true, EtabInsee: true,
	EffectifsSal: true, EtabUrssaf: true, EffSalTrim: true, MasseSalTrim: true, DPAE: true,
	AEActifs: true, AEImmat: true, AERadiations: true, ProcCollectives: true,
	Actifs: true, SalariesPartEmp: true,
	TourCapacite: true, TourPlaces: true, CreationsEnt: true, CreationsEtab: true,
	Logements: true, Diplomes: true, MenagesTaille: true, Familles: true,
}

// CheckValue says whether v can be a value of measure: a finite number,
// within ±MaxValue, not negative for a count, a rate or an amount. Decoders
// refuse a figure for which it returns an error (and say so, naming the
// dataset and the territory), so that a hostile or broken answer is never
// cached, indexed or published as data.
func CheckValue(measure string, v float64) error {
	switch {
	case math.IsNaN(v):
		return fmt.Errorf("%s: value is NaN", measure)
	case math.IsInf(v, 0):
		return fmt.Errorf("%s: value is infinite", measure)
	case math.Abs(v) > MaxValue:
		return fmt.Errorf("%s: value %g is out of range (|v| > %g)", measure, v, float64(MaxValue))
	case v < 0 && nonNegative[measure]:
		return fmt.Errorf("%s: negative value %g for a measure that cannot be negative", measure, v)
	}
	return nil
}
