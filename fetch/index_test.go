package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"territoires/indicator"
)

// TestFingerprintKeepsItsText: the index digests each figure as the line
// fmt made before, so that a site published by an earlier version is not
// rebuilt whole for a fingerprint that changed with no figure.
func TestFingerprintKeepsItsText(t *testing.T) {
	figs := []indicator.Figure{
		{Territory: "COM-69123", Theme: indicator.Population, Measure: "POP_LEGALE", Period: "2023", Value: 520774, Source: "Insee, populations légales", Vintage: "2023"},
		{Territory: "COM-69123", Theme: indicator.Revenus, Measure: "MED_DISP", Dim: "UNIT_MEASURE=EUR", Period: "2021", Value: 23456.5, Source: "Insee, Filosofi", Vintage: "Filosofi 2021"},
		{Territory: "COM-69001", Theme: indicator.Revenus, Measure: "TP60", Period: "2021", Value: math.NaN(), Status: indicator.Secret, Source: "Insee, Filosofi"},
		{Territory: "DEP-69", Theme: indicator.Emploi, Measure: "EFF", Period: "2024-T3", Value: 1.25e-7, Status: indicator.NotPublished},
		{Territory: "REG-84", Theme: indicator.Tourisme, Measure: "HOT", Dim: "CLASS=3", Period: "2025", Value: -0.5},
		{Territory: "FRANCE-F", Theme: indicator.Logement, Measure: "LOG", Period: "2021", Value: 3.6593003e+21},
		{Territory: "FRANCE-F", Theme: indicator.Menages, Measure: "MEN", Period: "2021", Value: math.Inf(-1)},
		{Territory: "", Theme: indicator.Entreprises, Measure: "", Period: "", Value: 0, Status: 7},
	}
	want := sha256.New()
	ix := NewIndex()
	for _, f := range figs {
		fmt.Fprintf(want, "%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%d\x00%s\x00%s\n",
			f.Territory, f.Theme, f.Measure, f.Dim, f.Period, f.Value, f.Status, f.Source, f.Vintage)
		ix.Add(f)
	}
	if got, want := ix.Fingerprint(), hex.EncodeToString(want.Sum(nil)); got != want {
		t.Errorf("fingerprint %s, want %s (the text fmt gave)", got, want)
	}
	if ix.Len() != len(figs) {
		t.Errorf("%d figures, want %d", ix.Len(), len(figs))
	}
}
