package offline

import (
	"strings"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

// themeMeasures are the measures of issue 12.
var themeMeasures = map[string]bool{
	indicator.TourCapacite: true, indicator.TourPlaces: true, indicator.CreationsEnt: true, indicator.CreationsEtab: true,
	indicator.Logements: true, indicator.Diplomes: true, indicator.MenagesTaille: true, indicator.Familles: true,
}

// TestThemeParentsSumTheirCommunes: every count of the new themes of an
// EPCI and of a département is the sum of its communes'.
func TestThemeParentsSumTheirCommunes(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	for _, id := range []string{"epci/200023372", "departement/74", "departement/69"} {
		parent, _ := ref.ByID(id)
		sums := map[string]float64{}
		for _, c := range parent.Children {
			for key, f := range figures(t, s, c) {
				if themeMeasures[f.Measure] {
					sums[key] += f.Value
				}
			}
		}
		n := 0
		for key, f := range figures(t, s, parent) {
			if !themeMeasures[f.Measure] {
				continue
			}
			n++
			if f.Value != sums[key] {
				t.Errorf("%s %s = %v, want the sum of its communes %v", id, key, f.Value, sums[key])
			}
			if f.Status != indicator.Present || f.Source != SourceLabel || f.Vintage == "" {
				t.Errorf("%s %s: status %v, source %q, vintage %q", id, key, f.Status, f.Source, f.Vintage)
			}
		}
		if n < 80 {
			t.Errorf("%s has %d figures of the new themes, want more than 80", id, n)
		}
	}
}

// TestThemeBreakdownsAddUp: the parts of a breakdown add up to its whole,
// as in Insee's files.
func TestThemeBreakdownsAddUp(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	for _, id := range []string{"commune/74056", "commune/69123", "france/FR"} {
		ter, _ := ref.ByID(id)
		fs := figures(t, s, ter)
		sum := func(measure, key, period string, codes ...string) float64 {
			v := 0.0
			for _, c := range codes {
				f, ok := fs[measure+"|"+key+"="+c+"|"+period]
				if !ok {
					t.Fatalf("%s: no figure %s %s=%s %s", id, measure, key, c, period)
				}
				v += f.Value
			}
			return v
		}
		total := func(measure, dim, period string) float64 { return fs[measure+"|"+dim+"|"+period].Value }
		checks := []struct {
			name      string
			got, want float64
		}{
			{"dwellings by category", sum(indicator.Logements, "OCS", "2021", "DW_MAIN", "DW_SEC_DW_OCC", "DW_VAC"), total(indicator.Logements, "", "2021")},
			{"tenure of principal residences", sum(indicator.Logements, "TSH", "2021", "100", "200", "300"), total(indicator.Logements, "OCS=DW_MAIN", "2021")},
			{"households and principal residences", total(indicator.MenagesTaille, "", "2021"), total(indicator.Logements, "OCS=DW_MAIN", "2021")},
			{"diplomas", sum(indicator.Diplomes, "EDUC", "2021", educCodes...), total(indicator.Diplomes, "", "2021")},
			{"households by size", sum(indicator.MenagesTaille, "NPERS", "2021", npersCodes...), total(indicator.MenagesTaille, "", "2021")},
			{"families", sum(indicator.Familles, "TFN", "2021", tfnCodes...), total(indicator.Familles, "", "2021")},
			{"creations by sector", sum(indicator.CreationsEnt, "ACTIVITY", "2024", a10Sectors...), total(indicator.CreationsEnt, "", "2024")},
		}
		if h := total(indicator.TourCapacite, "ACTIVITY=I551;RANKING=_T", "2025"); h > 0 {
			checks = append(checks, struct {
				name      string
				got, want float64
			}{"hotels by stars", sum(indicator.TourCapacite, "ACTIVITY=I551;RANKING", "2025", tourRankings...), h})
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: %s add up to %v, want %v", id, c.name, c.got, c.want)
			}
		}
		if houses := sum(indicator.Logements, "TDW", "2021", "1", "2"); houses > total(indicator.Logements, "", "2021") {
			t.Errorf("%s: %v houses and flats, more than the dwellings", id, houses)
		}
	}
}

// TestTouristCommunes: resorts have many secondary homes and beds, towns
// few secondary homes, and many villages have no accommodation at all.
func TestTouristCommunes(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	secondary := func(id string) float64 {
		ter, _ := ref.ByID(id)
		fs := figures(t, s, ter)
		return fs[indicator.Logements+"|OCS=DW_SEC_DW_OCC|2021"].Value / fs[indicator.Logements+"||2021"].Value * 100
	}
	for _, id := range []string{"commune/74056", "commune/83119", "commune/73296", "commune/85234"} {
		if got := secondary(id); got < 30 {
			t.Errorf("%s: %.1f %% of secondary homes, want a resort's (30 %% or more)", id, got)
		}
	}
	if got := secondary("commune/69123"); got > 8 {
		t.Errorf("Lyon: %.1f %% of secondary homes, want a city's", got)
	}
	dep, _ := ref.Lookup(geo.Departement, "69")
	none := 0
	for _, c := range dep.Children {
		fs := figures(t, s, c)
		if fs[indicator.TourCapacite+"|ACTIVITY=I551;RANKING=_T|2025"].Value == 0 && fs[indicator.TourCapacite+"|ACTIVITY=I553;RANKING=_T|2025"].Value == 0 {
			none++
			if _, ok := fs[indicator.TourCapacite+"|ACTIVITY=I551;RANKING=3|2025"]; ok {
				t.Errorf("%s: hotels broken down by stars without any hotel", c.Name)
			}
		}
	}
	if none < len(dep.Children)/2 {
		t.Errorf("%d of %d communes of the Rhône have neither hotel nor campsite, want most", none, len(dep.Children))
	}
}

// TestThemeMagnitudes: France's totals are of the real orders of magnitude.
func TestThemeMagnitudes(t *testing.T) {
	ref, _ := geo.Load()
	fr := figures(t, New(ref), ref.France)
	tests := []struct {
		key    string
		lo, hi float64
	}{
		{indicator.Logements + "||2021", 30e6, 45e6},                            // 37.8 million dwellings
		{indicator.TourCapacite + "|ACTIVITY=I551;RANKING=_T|2025", 12e3, 30e3}, // about 17,000 hotels
		{indicator.TourCapacite + "|ACTIVITY=I553;RANKING=_T|2025", 5e3, 12e3},  // about 7,500 campsites
		{indicator.CreationsEnt + "||2024", 0.8e6, 1.5e6},                       // 1.1 million creations
		{indicator.MenagesTaille + "||2021", 25e6, 35e6},                        // 30 million households
		{indicator.Diplomes + "||2021", 45e6, 58e6},                             // 52 million out of school
	}
	for _, tt := range tests {
		f, ok := fr[tt.key]
		if !ok || f.Value < tt.lo || f.Value > tt.hi {
			t.Errorf("France %s = %v, want in [%g, %g]", strings.ReplaceAll(tt.key, "|", " "), f.Value, tt.lo, tt.hi)
		}
	}
}
