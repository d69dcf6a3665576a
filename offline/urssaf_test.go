package offline

import (
	"strings"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

// TestHomeEmployeesAddUp: a région's home employees are the sum of its
// départements', France's the sum of every département's, and each total
// is the sum of its categories; the figures are the same on a second run.
func TestHomeEmployeesAddUp(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	reg, _ := ref.Lookup(geo.Region, "84")
	key := indicator.SalariesPartEmp + "||2018"
	var sum float64
	for _, d := range reg.Children {
		f := figures(t, s, d)
		tot, ok := f[key]
		if !ok || tot.Value <= 0 {
			t.Fatalf("%s: no home employees", d.ID())
		}
		cats := 0.0
		for _, c := range homeCategories {
			cats += f[indicator.SalariesPartEmp+"|CATEGORIE="+c.code+"|2018"].Value
		}
		if cats != tot.Value {
			t.Errorf("%s: categories add up to %v, total %v", d.ID(), cats, tot.Value)
		}
		sum += tot.Value
	}
	if got := figures(t, s, reg)[key].Value; got != sum {
		t.Errorf("région 84: %v home employees, its départements %v", got, sum)
	}
	var fr float64
	for _, d := range ref.OfKind(geo.Departement) {
		fr += figures(t, s, d)[key].Value
	}
	france, _ := ref.Lookup(geo.France, "FR")
	if got := figures(t, s, france)[key].Value; got != fr {
		t.Errorf("France: %v home employees, its départements %v", got, fr)
	}
	if again := figures(t, New(ref), reg)[key].Value; again != sum {
		t.Errorf("a second run gives %v, the first %v", again, sum)
	}
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	if _, ok := figures(t, s, lyon)[key]; ok {
		t.Error("a commune has home employees: the dataset is by département")
	}
}

// TestRegionalSectorsAddUp: the NA28I sectors of a région's latest quarter
// add up to its salaried jobs of that quarter; a département has none.
func TestRegionalSectorsAddUp(t *testing.T) {
	ref, _ := geo.Load()
	s := New(ref)
	for _, code := range []string{"84", "11", "94"} {
		reg, _ := ref.Lookup(geo.Region, code)
		f := figures(t, s, reg)
		last := quarters[len(quarters)-1]
		total := f[indicator.EffSalTrim+"||"+last]
		sum, n := 0.0, 0
		for k, v := range f {
			if strings.HasPrefix(k, indicator.EffSalTrim+"|NA28I=") {
				if v.Period != last {
					t.Errorf("%s: sector figure of %s, want only the latest quarter %s", code, v.Period, last)
				}
				sum += v.Value
				n++
			}
		}
		if n != len(na28iSectors) || sum != total.Value {
			t.Errorf("région %s: %d sectors adding up to %v, total %v", code, n, sum, total.Value)
		}
	}
	dep, _ := ref.Lookup(geo.Departement, "69")
	for k := range figures(t, s, dep) {
		if strings.Contains(k, "NA28I=") {
			t.Errorf("département 69 has the sector figure %s", k)
		}
	}
}
