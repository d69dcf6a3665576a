package geo

import (
	"slices"
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
		EPCI: 1255, Commune: 34969, Arrondissement: 45, ArrondissementDep: 333,
		// The study zonings are not in the referential (see Zonings).
		ZoneEmploi: 0, UniteUrbaine: 0, AireAttraction: 0, BassinVie: 0,
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
	if got := len(ref.RetiredCodes()); got != 4240 {
		t.Errorf("%d retired codes, want 4240", got)
	}
	if c, ok := ref.CurrentCommune("74093"); !ok || c.Code != "74010" {
		t.Errorf("CurrentCommune(74093) = %v, %v; want Annecy 74010", c, ok)
	}
	for _, f := range ref.FormerCommunes() {
		if f.Name == "" || f.Current == nil || !slices.Contains(f.Current.Former, f) {
			t.Errorf("former commune %s (%q) is not linked to its current commune", f.Code, f.Name)
		}
	}
}

func TestAnnecyFormerCommunes(t *testing.T) {
	ref := mustLoad(t)
	annecy, _ := ref.Lookup(Commune, "74010")
	var got []string
	for _, f := range annecy.Former {
		got = append(got, f.Code+" "+f.Name+" "+f.StatusLabel())
	}
	want := []string{
		"74011 Annecy-le-Vieux commune déléguée",
		"74028 Balmont ancienne commune",
		"74093 Cran-Gevrier commune déléguée",
		"74125 Ferrières ancienne commune",
		"74182 Meythet commune déléguée",
		"74217 Pringy commune déléguée",
		"74268 Seynod commune déléguée",
		"74300 Vieugy ancienne commune",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Annecy's former communes =\n%q\nwant\n%q", got, want)
	}
}

func TestArrondissementsDepartementaux(t *testing.T) {
	ref := mustLoad(t)
	lyon, _ := ref.Lookup(Commune, "69123")
	a := lyon.ArrondissementDep
	if a == nil || a.ID() != "arrondissement/691" || a.Path() != "/arrondissement/691/" {
		t.Fatalf("Lyon's arrondissement = %v, want arrondissement/691", a)
	}
	if a.Departement.Code != "69" || a.Region.Code != "84" || a.Country != ref.France {
		t.Errorf("691 parents = %v", a.Parents())
	}
	if a.LongName() != "Arrondissement de Lyon" || !slices.Contains(a.Children, lyon) {
		t.Errorf("691: %q with %d communes", a.LongName(), len(a.Children))
	}
	if arm, _ := ref.Lookup(Arrondissement, "69381"); arm.ArrondissementDep != a {
		t.Errorf("69381's arrondissement = %v, want its commune's", arm.ArrondissementDep)
	}
	rhone, _ := ref.Lookup(Departement, "69")
	if len(rhone.Arrondissements) != 2 {
		t.Errorf("Rhône has %d arrondissements, want 2", len(rhone.Arrondissements))
	}
	// Every commune of a département belongs to one of its arrondissements,
	// and the arrondissement's population is the sum of its communes'.
	members := 0
	for _, a := range ref.OfKind(ArrondissementDep) {
		sum := 0
		for _, c := range a.Children {
			if c.Departement != a.Departement {
				t.Errorf("%s in %s belongs to %s of %s", c.ID(), c.Departement.Code, a.ID(), a.Departement.Code)
			}
			p, _ := c.LatestPopulation()
			sum += p.Value
		}
		members += len(a.Children)
		if p, _ := a.LatestPopulation(); p.Value != sum {
			t.Errorf("%s population %d, want %d", a.ID(), p.Value, sum)
		}
	}
	if members != 34969-111 { // the communes of Mayotte and of the overseas collectivities have none
		t.Errorf("%d communes in an arrondissement, want %d", members, 34969-111)
	}
	for _, tt := range []struct{ code, want string }{
		{"303", "Arrondissement du Vigan"}, {"173", "Arrondissement de La Rochelle"},
		{"271", "Arrondissement des Andelys"}, {"741", "Arrondissement d'Annecy"},
	} {
		a, _ := ref.Lookup(ArrondissementDep, tt.code)
		if got := a.LongName(); got != tt.want {
			t.Errorf("LongName(%s) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestZonings(t *testing.T) {
	ref := mustLoad(t)
	z, err := NewZonings(ref, []ZoneInput{
		{Kind: ZoneEmploi, Code: "8201", Name: "Annecy", Communes: []string{"74010", "74093", "74011", "99999"}},
		{Kind: BassinVie, Code: "74010", Name: "Annecy", Communes: []string{"74010"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	annecy, _ := ref.Lookup(Commune, "74010")
	ze, ok := z.ByID("zone-emploi/8201")
	if !ok || len(ze.Children) != 1 || ze.Children[0] != annecy || ze.Parents()[0] != ref.France {
		t.Fatalf("zone 8201 = %+v", ze)
	}
	if got := z.Of(annecy); len(got) != 2 || got[0] != ze || got[1].Kind != BassinVie {
		t.Errorf("Of(Annecy) = %v", got)
	}
	if strings.Join(z.Unknown, ",") != "zone-emploi/8201: 99999" {
		t.Errorf("Unknown = %q", z.Unknown)
	}
	if p, _ := ze.LatestPopulation(); p.Value != annecy.Population[len(annecy.Population)-1].Value {
		t.Errorf("zone population %d", p.Value)
	}
	var none *Zonings
	if none.Of(annecy) != nil || none.Len() != 0 {
		t.Error("a nil Zonings has zones")
	}
	if _, err := NewZonings(ref, []ZoneInput{{Kind: Commune, Code: "1"}}); err == nil {
		t.Error("NewZonings accepted a commune as a zone")
	}
	if _, err := NewZonings(ref, []ZoneInput{{Kind: BassinVie, Code: "1"}, {Kind: BassinVie, Code: "1"}}); err == nil {
		t.Error("NewZonings accepted a zone twice")
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

// The format before issue 12 (C without arrondissement, O without name) is
// still read: hand-written test referentials use it.
func TestParseShortForm(t *testing.T) {
	in := "G\t2026\tx\nY\t2023\nF\tFR\tFrance\t10\nR\t84\tARA\t10\nD\t69\tRhône\t84\t10\n" +
		"C\t69123\tLyon\t69\t84\t\t69001\t10\nO\t69232\t69123\n"
	ref, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	lyon, _ := ref.Lookup(Commune, "69123")
	if lyon.ArrondissementDep != nil || len(lyon.PostalCodes) != 1 || lyon.PostalCodes[0] != "69001" {
		t.Errorf("Lyon = %+v", lyon)
	}
	if f, ok := ref.Former("69232"); !ok || f.Current != lyon || f.Name != "69232" {
		t.Errorf("Former(69232) = %+v, %v", f, ok)
	}
	if _, err := Parse(strings.NewReader("G\t2026\tx\nC\t1\t2\t3\n")); err == nil || !strings.Contains(err.Error(), "record C has 4 fields, want 9") {
		t.Errorf("a short C record: %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(strings.NewReader(string(cogData))); err != nil {
			b.Fatal(err)
		}
	}
}
