package main

import (
	"bytes"
	"strings"
	"testing"

	"territoires/geo"
)

func pop(n int) *int { return &n }

// tiny is a two-commune geography, the same in every version.
func tiny() map[string]*dataset {
	data := map[string]*dataset{}
	for _, v := range versions {
		data[v.version] = &dataset{
			regions:      []area{{Code: "84", Nom: "Auvergne-Rhône-Alpes", Zone: "metro"}},
			departements: []area{{Code: "69", Nom: "Rhône", Region: "84", Zone: "metro"}},
			communes: []commune{
				{Code: "69123", Nom: "Lyon", Type: "commune-actuelle", Zone: "metro", Departement: "69", Region: "84", Arrondissem: "691", Population: pop(519127), CodesPostau: []string{"69002", "69001"}, AnciensCode: []string{"69232"}},
				{Code: "69381", Nom: "Lyon 1er Arrondissement", Type: "arrondissement-municipal", Commune: "69123", Departement: "69", Region: "84", Population: pop(28717)},
				{Code: "69034", Nom: "Villeurbanne", Type: "commune-actuelle", Zone: "metro", Departement: "69", Region: "84", Arrondissem: "691", Population: pop(160000)},
				{Code: "69001", Nom: "Affoux", Type: "commune-deleguee", Zone: "metro", Departement: "69", Region: "84", ChefLieu: "69034"},
			},
			arrondissements: []arrondissement{{Code: "691", Nom: "Lyon", Departement: "69"}},
			epcis: []epci{{Code: "200046977", Nom: "Métropole de Lyon", Type: "MET69", Membres: []struct {
				Code string `json:"code"`
			}{{"69123"}, {"69034"}}}},
		}
	}
	return data
}

var tinyCounts = map[string]int{"commune": 2, "arrondissement-municipal": 1, "epci": 1, "departement": 1, "region": 1, "arrondissement": 1}

// withHistory adds to 0.7.0 the history that names the retired code 69232.
func withHistory(data map[string]*dataset) map[string]*dataset {
	data["0.7.0"].history = []event{
		{Code: "69232", Nom: "Saint-Rambert", Debut: ""},
		{Code: "69232", Nom: "Saint-Rambert-l'Île-Barbe", Debut: "1963-08-12"},
	}
	return data
}

func TestGenerateRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := generate(&buf, withHistory(tiny()), tinyCounts); err != nil {
		t.Fatalf("generate: %v", err)
	}
	ref, err := geo.Parse(&buf)
	if err != nil {
		t.Fatalf("Parse of generated data: %v", err)
	}
	lyon, ok := ref.Lookup(geo.Commune, "69123")
	if !ok {
		t.Fatal("Lyon missing")
	}
	if lyon.EPCI == nil || lyon.EPCI.Code != "200046977" || lyon.Region.Code != "84" {
		t.Errorf("Lyon links: EPCI %v, région %v", lyon.EPCI, lyon.Region)
	}
	if got := strings.Join(lyon.PostalCodes, ","); got != "69001,69002" {
		t.Errorf("postal codes = %q, want sorted 69001,69002", got)
	}
	// Repeated years are kept once: 7 versions, 5 distinct years.
	if len(lyon.Population) != 5 {
		t.Errorf("Lyon has %d populations, want 5", len(lyon.Population))
	}
	if p, _ := ref.France.LatestPopulation(); p.Value != 519127+160000 {
		t.Errorf("France population = %d, want the sum of its communes", p.Value)
	}
	if c, ok := ref.CurrentCommune("69232"); !ok || c != lyon {
		t.Error("retired code 69232 does not map to Lyon")
	}
	for _, tt := range []struct{ code, name, status, current string }{
		{"69232", "Saint-Rambert-l'Île-Barbe", "", "69123"}, // named by the latest period of the history
		{"69001", "Affoux", "deleguee", "69034"},
	} {
		f, ok := ref.Former(tt.code)
		if !ok || f.Name != tt.name || f.Status != tt.status || f.Current.Code != tt.current {
			t.Errorf("Former(%s) = %+v, %v; want %s, %q, in %s", tt.code, f, ok, tt.name, tt.status, tt.current)
		}
	}
	arr, ok := ref.Lookup(geo.ArrondissementDep, "691")
	if !ok || lyon.ArrondissementDep != arr || len(arr.Children) != 2 {
		t.Fatalf("arrondissement 691 = %v, Lyon's = %v", arr, lyon.ArrondissementDep)
	}
	if p, _ := arr.LatestPopulation(); p.Value != 519127+160000 {
		t.Errorf("arrondissement population = %d, want the sum of its communes", p.Value)
	}
}

func TestGenerateErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name   string
		mangle func(*dataset)
		want   string
	}{
		{"missing région", func(d *dataset) { d.departements[0].Region = "99" }, `département 69 (Rhône): région "99" not found`},
		{"commune without département", func(d *dataset) { d.communes[2].Departement = "" }, "commune 69034 (Villeurbanne) has no département or région"},
		{"unknown EPCI member", func(d *dataset) { d.epcis[0].Membres[1].Code = "69999" }, "EPCI 200046977 (Métropole de Lyon): member commune 69999 not found"},
		{"arrondissement of nowhere", func(d *dataset) { d.communes[1].Commune = "13055" }, `arrondissement 69381 (Lyon 1er Arrondissement): commune "13055" not found`},
		{"count changed", func(d *dataset) { d.communes = d.communes[:2] }, "found 1 commune, want 2"},
		{"arrondissement of nowhere", func(d *dataset) { d.communes[2].Arrondissem = "699" }, `commune 69034 (Villeurbanne): arrondissement "699" not found`},
		{"arrondissement without département", func(d *dataset) { d.arrondissements[0].Departement = "68" }, `arrondissement 691 (Lyon): département "68" not found`},
		{"retired code without a name", func(d *dataset) { d.communes[0].AnciensCode = []string{"69999"} }, "retired commune 69999: no name in any version"},
	}
	for _, tt := range tests {
		data := tiny()
		tt.mangle(data[geoVersion])
		err := generate(&bytes.Buffer{}, data, tinyCounts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: generate error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
