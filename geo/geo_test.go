package geo

import (
	"strings"
	"testing"
)

func mustLoad(t testing.TB) *Referential {
	t.Helper()
	ref, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return ref
}

func TestCounts(t *testing.T) {
	ref := mustLoad(t)
	want := map[Kind]int{
		France: 1, Region: 18, Departement: 101, Collectivite: 8,
		EPCI: 1255, Commune: 34969, Arrondissement: 45,
	}
	for k, n := range want {
		if got := len(ref.OfKind(k)); got != n {
			t.Errorf("len(OfKind(%s)) = %d, want %d", k, got, n)
		}
	}
	if ref.GeoYear != 2026 {
		t.Errorf("GeoYear = %d, want 2026", ref.GeoYear)
	}
}

func TestLyonParents(t *testing.T) {
	ref := mustLoad(t)
	lyon, ok := ref.Lookup(Commune, "69123")
	if !ok {
		t.Fatal("Lyon 69123 not found")
	}
	var got []string
	for _, p := range lyon.Parents() {
		got = append(got, p.ID()+" "+p.Name)
	}
	want := []string{
		"epci/200046977 Métropole de Lyon",
		"departement/69 Rhône",
		"region/84 Auvergne-Rhône-Alpes",
		"france/FR France",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lyon parents = %q, want %q", got, want)
	}
	if lyon.Path() != "/commune/69123/" {
		t.Errorf("Path() = %q", lyon.Path())
	}
	if p, ok := lyon.LatestPopulation(); !ok || p.Year != 2023 || p.Value != 519127 {
		t.Errorf("LatestPopulation() = %v, %v; want {2023 519127}", p, ok)
	}
	if len(lyon.Population) < 4 {
		t.Errorf("Lyon has %d legal populations, want a history", len(lyon.Population))
	}
	if len(lyon.PostalCodes) != 9 || lyon.PostalCodes[0] != "69001" {
		t.Errorf("PostalCodes = %v", lyon.PostalCodes)
	}
}

func TestArrondissements(t *testing.T) {
	ref := mustLoad(t)
	for _, tt := range []struct {
		code string
		n    int
	}{{"75056", 20}, {"69123", 9}, {"13055", 16}} {
		c, _ := ref.Lookup(Commune, tt.code)
		if got := len(c.Children); got != tt.n {
			t.Errorf("%s has %d arrondissements, want %d", c.Name, got, tt.n)
		}
		for _, a := range c.Children {
			if a.Kind != Arrondissement || a.Commune != c || a.Departement != c.Departement {
				t.Errorf("%s: child %s is not linked to it", c.Name, a.ID())
			}
		}
	}
	a, _ := ref.Lookup(Arrondissement, "69381")
	if got := a.Parents(); len(got) != 5 || got[0].Code != "69123" || got[1].Code != "200046977" {
		t.Errorf("69381 parents = %v", got)
	}
}

func TestEveryTerritoryLinked(t *testing.T) {
	ref := mustLoad(t)
	for _, tt := range ref.All {
		if tt.Kind != France && tt.Country != ref.France {
			t.Errorf("%s has no country", tt.ID())
		}
		if tt.Kind == Commune && (tt.Departement == nil || tt.Region == nil) {
			t.Errorf("%s has no département or région", tt.ID())
		}
		if tt.Kind == Commune && tt.Departement.Kind == Departement && tt.Departement.Region != tt.Region {
			t.Errorf("%s: région %s differs from its département's %s", tt.ID(), tt.Region.Code, tt.Departement.Region.Code)
		}
	}
	// Island communes without EPCI are the exception, not the rule.
	without := 0
	for _, c := range ref.OfKind(Commune) {
		if c.EPCI == nil {
			without++
		}
	}
	if without > 100 {
		t.Errorf("%d communes without EPCI, want fewer than 100", without)
	}
}

func TestCurrentCommune(t *testing.T) {
	ref := mustLoad(t)
	if c, ok := ref.CurrentCommune("69232"); !ok || c.Code != "69123" {
		t.Errorf("CurrentCommune(69232) = %v, %v; want Lyon", c, ok)
	}
	if _, ok := ref.CurrentCommune("00000"); ok {
		t.Error("CurrentCommune(00000) found a commune")
	}
	if len(ref.RetiredCodes()) < 1000 {
		t.Errorf("only %d retired codes", len(ref.RetiredCodes()))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unknown record", "Z\tx\n", `line 1: unknown record type "Z"`},
		{"short record", "G\t2026\t@x\nY\t2023\nF\tFR\tFrance\n", "line 3: record F has 3 fields, want 4"},
		{"missing parent", "G\t2026\tx\nY\t2023\nF\tFR\tFrance\t1\nD\t69\tRhône\t84\t1\n", `Département "69" (Rhône): Région "84" not found`},
		{"bad population", "G\t2026\tx\nY\t2023\nF\tFR\tFrance\tabc\n", `population "abc"`},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(strings.NewReader(string(cogData))); err != nil {
			b.Fatal(err)
		}
	}
}
