package indicator

import (
	"math"
	"testing"
)

func TestCheckValue(t *testing.T) {
	for _, tt := range []struct {
		measure string
		v       float64
		ok      bool
	}{
		{RevenuMedian, 21720, true},
		{PopLegale, 0, true},
		{PopLegale, -3, false},
		{"SOLDE", -3, true},
		{RevenuMedian, math.NaN(), false},
		{RevenuMedian, math.Inf(1), false},
		{"SOLDE", math.Inf(-1), false},
		{MasseSalTrim, 1e300, false},
		{MasseSalTrim, 9.9e14, true},
	} {
		err := CheckValue(tt.measure, tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("CheckValue(%q, %g) = %v, want ok=%v", tt.measure, tt.v, err, tt.ok)
		}
	}
}
