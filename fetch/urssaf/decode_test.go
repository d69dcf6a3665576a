package urssaf

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"territoires/fetch/urssaf/urssaftest"
	"territoires/geo"
	"territoires/indicator"
)

var update = flag.Bool("update", false, "rewrite golden files")

func urssafUpdating() bool { return *update }

// golden compares got with testdata/name, or rewrites it with -update.
func urssafGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if urssafUpdating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\ngot  %q\nwant %q\n(run with -update if the change is intended)", name, i+1, g, w)
			}
		}
	}
}

func urssafSampleGeo() *urssaftest.Geo {
	return urssaftest.NewGeo(urssaftest.SampleCommunes(), urssaftest.SampleRetired())
}

func decodeUrssafFile(t *testing.T, name string, g Geo, opt CommuneOptions) *Employment {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	emp, err := DecodeCommunes(f, g, opt)
	if err != nil {
		t.Fatalf("DecodeCommunes(%s): %v", name, err)
	}
	return emp
}

// dumpUrssafEmployment writes the report, the dims and every figure, one a line.
func dumpUrssafEmployment(emp *Employment) []byte {
	var b bytes.Buffer
	r := emp.Report()
	fmt.Fprintf(&b, "rows %d\nyears %v\ncommunes %d\narrondissements %d\nvintage %s\n", r.Rows, r.Years, r.Communes, r.Arrond, emp.Vintage())
	for _, m := range r.Remapped {
		fmt.Fprintf(&b, "remapped %s -> %s (%d rows)\n", m.Code, m.Current, m.Rows)
	}
	for _, u := range r.Unmapped {
		fmt.Fprintf(&b, "unmapped %s %q (%d rows)\n", u.Code, u.Name, u.Rows)
	}
	for _, d := range emp.Dims() {
		fmt.Fprintf(&b, "dim %q %q\n", d, emp.DimLabel(d))
	}
	for f := range emp.Figures() {
		writeUrssafFigure(&b, f)
	}
	return b.Bytes()
}

func writeUrssafFigure(b *bytes.Buffer, f indicator.Figure) {
	fmt.Fprintf(b, "%s %s %q %s %s %s | %s | %s | %s\n", f.Territory, f.Measure, f.Dim, f.Period,
		strconv.FormatFloat(f.Value, 'f', -1, 64), f.Status, f.Theme, f.Source, f.Vintage)
}

func TestDecodeUrssafCommunesGolden(t *testing.T) {
	emp := decodeUrssafFile(t, "commune_ape.csv", urssafSampleGeo(), CommuneOptions{})
	urssafGolden(t, "commune_ape.golden", dumpUrssafEmployment(emp))

	// Without the byte-order mark and with "," (with_bom=false, delimiter=","):
	// the same figures.
	other := decodeUrssafFile(t, "commune_ape_nobom_comma.csv", urssafSampleGeo(), CommuneOptions{})
	if got, want := dumpUrssafEmployment(other), dumpUrssafEmployment(emp); !bytes.Equal(got, want) {
		t.Errorf("commune_ape_nobom_comma.csv decodes differently from commune_ape.csv")
	}
}

func TestDecodeUrssafCommunesValues(t *testing.T) {
	emp := decodeUrssafFile(t, "commune_ape.csv", urssafSampleGeo(), CommuneOptions{
		Breakdowns: []Breakdown{GS, NA17, NA38},
	})
	tests := []struct {
		name      string
		territory string
		measure   string
		dim       string
		year      int
		want      float64
		status    indicator.Status
		ok        bool
	}{
		{"commune", "commune/94065", indicator.EffectifsSal, "", 2023, 130 + 15, indicator.Present, true},
		{"commune, one empty cell of two", "commune/94065", indicator.EffectifsSal, "", 2022, 120, indicator.Present, true},
		{"sector whose only cell is empty", "commune/94065", indicator.EffectifsSal, "NA17=HZ", 2022, 0, indicator.NotPublished, true},
		{"sector present", "commune/94065", indicator.EtabUrssaf, "NA17=HZ", 2023, 2, indicator.Present, true},
		{"sector absent", "commune/94065", indicator.EffectifsSal, "NA17=FZ", 2023, 0, 0, false},
		{"arrondissement kept", "arrondissement-municipal/75101", indicator.EffectifsSal, "", 2023, 310, indicator.Present, true},
		{"Paris from its arrondissements", "commune/75056", indicator.EffectifsSal, "", 2022, 300 + 50, indicator.Present, true},
		{"Paris, one arrondissement empty", "commune/75056", indicator.EffectifsSal, "", 2023, 310, indicator.Present, true},
		{"Lyon from its arrondissements", "commune/69123", indicator.EtabUrssaf, "GS=GS1", 2023, 2, indicator.Present, true},
		{"Marseille: zero is zero", "commune/13055", indicator.EffectifsSal, "", 2023, 0, indicator.Present, true},
		{"retired code folded into Annecy", "commune/74010", indicator.EffectifsSal, "GS=GS2", 2023, 42 + 58.5, indicator.Present, true},
		{"retired code not a territory", "commune/74011", indicator.EffectifsSal, "", 2023, 0, 0, false},
		{"every cell empty", "commune/29083", indicator.EtabUrssaf, "", 2023, 0, indicator.NotPublished, true},
		{"EPCI", "epci/200054781", indicator.EffectifsSal, "", 2023, 145 + 310, indicator.Present, true},
		{"EPCI by NA38", "epci/200054781", indicator.EffectifsSal, "NA38=GZ", 2023, 130 + 310, indicator.Present, true},
		{"département", "departement/74", indicator.EtabUrssaf, "", 2022, 4 + 3 + 2, indicator.Present, true},
		{"région", "region/84", indicator.EffectifsSal, "", 2023, 14 + 42 + 58.5 + 27, indicator.Present, true},
		{"France leaves the unknown code out", "france/FR", indicator.EffectifsSal, "", 2022, 120 + 300 + 50 + 12 + 40 + 60 + 25 + 0 + 80, indicator.Present, true},
		{"commune without EPCI has no EPCI total", "epci/", indicator.EffectifsSal, "", 2022, 0, 0, false},
		{"unknown year", "france/FR", indicator.EffectifsSal, "", 2021, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st, ok := emp.Value(tt.territory, tt.measure, tt.dim, tt.year)
			if ok != tt.ok || st != tt.status || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Value(%q, %s, %q, %d) = %v, %v, %v; want %v, %v, %v",
					tt.territory, tt.measure, tt.dim, tt.year, got, st, ok, tt.want, tt.status, tt.ok)
			}
		})
	}
	r := emp.Report()
	if want := []Unmapped{{Code: "99999", Name: "99999 Commune inconnue", Rows: 1}}; !slices.Equal(r.Unmapped, want) {
		t.Errorf("Report().Unmapped = %v, want %v", r.Unmapped, want)
	}
	if want := []Remapped{{Code: "74011", Current: "74010", Rows: 1}}; !slices.Equal(r.Remapped, want) {
		t.Errorf("Report().Remapped = %v, want %v", r.Remapped, want)
	}
	if r.Doubled != nil {
		t.Errorf("Report().Doubled = %v, want none", r.Doubled)
	}
	if got, want := emp.DimLabel("NA17=GZ"), "Commerce ; réparation d'automobiles et de motocycles"; got != want {
		t.Errorf("DimLabel(NA17=GZ) = %q, want %q", got, want)
	}
}

func TestUrssafSectorYears(t *testing.T) {
	emp := decodeUrssafFile(t, "commune_ape.csv", urssafSampleGeo(), CommuneOptions{SectorYears: 1})
	var periods = map[bool]map[string]bool{false: {}, true: {}}
	for f := range emp.Figures() {
		periods[f.Dim == ""][f.Period] = true
	}
	if got := periods[true]; !got["2022"] || !got["2023"] {
		t.Errorf("SectorYears 1: totals cover %v, want 2022 and 2023", got)
	}
	if got := periods[false]; got["2022"] || !got["2023"] {
		t.Errorf("SectorYears 1: sectors cover %v, want 2023 only", got)
	}
	if _, _, ok := emp.Value("commune/75056", indicator.EffectifsSal, "GS=GS3", 2022); ok {
		t.Errorf("SectorYears 1: Value of a sector in 2022 found")
	}
	if v, _, ok := emp.Value("commune/75056", indicator.EffectifsSal, "GS=GS3", 2023); !ok || v != 310 {
		t.Errorf("SectorYears 1: Value(commune/75056, GS=GS3, 2023) = %v, %v; want 310", v, ok)
	}
	one := emp.AppendFigures(nil, "commune/75056")
	if len(one) == 0 || one[0].Territory != "commune/75056" || one[0].Dim != "" {
		t.Errorf("AppendFigures(commune/75056) starts with %v, want the commune's total", one[:min(len(one), 1)])
	}
}

func TestDecodeUrssafCommunesErrors(t *testing.T) {
	const header = "code_commune;intitule_commune;grand_secteur_d_activite;nombre_d_etablissements_2023;effectifs_salaries_2023\n"
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"BOM only", "\uFEFF"},
		{"no code_commune", "commune;nombre_d_etablissements_2023\n01001;1\n"},
		{"no year column", "code_commune;effectifs_salaries_brut\n01001;1\n"},
		{"not a number", header + "94065;Rungis;GS3 Commerce;3;douze\n"},
		{"line cut short", header + "94065;Rungis;GS3 Commerce;3;12\n94065;Rungis;GS3\n"},
		{"quote left open", header + "94065;Rungis;\"GS3 Commerce;3;12\n"},
		{"bare quote", header + "94065;Rungis;GS3 \"Commerce\";3;12\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCommunes(strings.NewReader(tt.in), urssafSampleGeo(), CommuneOptions{})
			if !errors.Is(err, ErrFormat) {
				t.Errorf("DecodeCommunes(%q) error = %v, want %v", tt.in, err, ErrFormat)
			}
		})
	}
}

func TestUrssafDoubledCommune(t *testing.T) {
	in := "code_commune;effectifs_salaries_2023\n75101;3\n75056;100\n75102;4\n"
	emp, err := DecodeCommunes(strings.NewReader(in), urssafSampleGeo(), CommuneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := emp.Report().Doubled; !slices.Equal(got, []string{"75056"}) {
		t.Errorf("Report().Doubled = %v, want [75056]", got)
	}
	if v, _, _ := emp.Value("commune/75056", indicator.EffectifsSal, "", 2023); v != 107 {
		t.Errorf("Paris = %v, want 107 (both added, and reported)", v)
	}
}

func TestUrssafYears(t *testing.T) {
	tests := []struct {
		names []string
		want  []int
	}{
		{[]string{"code_commune", "nombre_d_etablissements_2006", "effectifs_salaries_2006", "effectifs_salaries_2024"}, []int{2006, 2024}},
		{[]string{"effectifs_salaries_brut", "effectifs_salaries_cvs", "nombre_d_etablissements_20231"}, []int{}},
		{[]string{"effectifs_salaries_2031", "nombre_d_etablissements_2030"}, []int{2030, 2031}},
	}
	for _, tt := range tests {
		if got := urssafYears(tt.names); !slices.Equal(got, tt.want) {
			t.Errorf("urssafYears(%q) = %v, want %v", tt.names, got, tt.want)
		}
	}
}

func TestUrssafDimValue(t *testing.T) {
	tests := []struct{ label, code, rest string }{
		{"GS3 Commerce", "GS3", "Commerce"},
		{"GZ Commerce ; réparation d'automobiles", "GZ", "Commerce ; réparation d'automobiles"},
		{"47 Commerce de détail", "47", "Commerce de détail"},
		{"CA Fabrication de denrées", "CA", "Fabrication de denrées"},
		{"JA Édition, audiovisuel", "JA", "Édition, audiovisuel"},
		{"CDI", "CDI", ""},
		{"CDD de plus d'un mois", "CDD_DE_PLUS_D_UN_MOIS", "CDD de plus d'un mois"},
		{"Activités spécialisées, scientifiques et techniques", "ACTIVITES_SPECIALISEES_SCIENTIFIQUES_ET_TECHNIQUES", "Activités spécialisées, scientifiques et techniques"},
		{"  Redressement judiciaire ", "REDRESSEMENT_JUDICIAIRE", "Redressement judiciaire"},
		{"a=b;c", "A_B_C", "a=b;c"},
		{"CDD < 1 mois", "CDD_MOINS_1_MOIS", "CDD < 1 mois"},
		{"CDD > 1 mois", "CDD_PLUS_1_MOIS", "CDD > 1 mois"},
		{"<>", "MOINS_PLUS", "<>"},
		{";;;", "NA", ";;;"},
	}
	for _, tt := range tests {
		code, rest := urssafDimValue(tt.label)
		if code != tt.code || rest != tt.rest {
			t.Errorf("urssafDimValue(%q) = %q, %q; want %q, %q", tt.label, code, rest, tt.code, tt.rest)
		}
	}
}

func TestDecodeUrssafSeriesGolden(t *testing.T) {
	for _, tt := range []struct{ dataset, file string }{
		{RegionNA38, "region_na38.csv"},
		{DPAERegion, "dpae_region.csv"},
		{AEDepartement, "ae_departement.csv"},
		{AESecteur, "ae_secteur.csv"},
		{ProcCollectives, "proc_collectives.csv"},
		{ParticuliersEmployeurs, "particuliers.csv"},
	} {
		t.Run(tt.dataset, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s, err := DecodeSeries(f, tt.dataset, urssafSampleGeo(), "2025-06-30")
			if err != nil {
				t.Fatalf("DecodeSeries(%s): %v", tt.file, err)
			}
			var b bytes.Buffer
			fmt.Fprintf(&b, "rows %d\nunmapped %q\n", s.Rows, s.Unmapped)
			labels := make([]string, 0, len(s.Labels))
			for k := range s.Labels {
				labels = append(labels, k)
			}
			slices.Sort(labels)
			for _, k := range labels {
				fmt.Fprintf(&b, "label %q %q\n", k, s.Labels[k])
			}
			for _, f := range s.Figures {
				writeUrssafFigure(&b, f)
			}
			urssafGolden(t, strings.TrimSuffix(tt.file, ".csv")+".golden", b.Bytes())
		})
	}
}

func TestDecodeUrssafSeriesErrors(t *testing.T) {
	tests := []struct {
		name, dataset, in string
	}{
		{"no territory column", RegionNA38, "annee;trimestre;effectifs_salaries_brut\n2024;1;3\n"},
		{"no period column", RegionNA38, "code_region;effectifs_salaries_brut\n84;3\n"},
		{"no value column", ProcCollectives, "annee;trimestre;nature_de_procedure\n2024;1;Sauvegarde\n"},
		{"bad quarter", ProcCollectives, "annee;trimestre;nombre_de_procedures_brut\n2024;5;3\n"},
		{"bad year", ProcCollectives, "annee;trimestre;nombre_de_procedures_brut\n24;1;3\n"},
		{"bad number", ProcCollectives, "annee;trimestre;nombre_de_procedures_brut\n2024;1;trois\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSeries(strings.NewReader(tt.in), tt.dataset, urssafSampleGeo(), "")
			if !errors.Is(err, ErrFormat) {
				t.Errorf("DecodeSeries(%q) error = %v, want %v", tt.in, err, ErrFormat)
			}
		})
	}
	if _, err := DecodeSeries(strings.NewReader(""), "no-such-dataset", urssafSampleGeo(), ""); err == nil {
		t.Errorf("DecodeSeries(no-such-dataset) error = nil, want one")
	}
}

func TestUrssafSeriesSlugCollision(t *testing.T) {
	in := "annee;trimestre;nature_de_procedure;nombre_de_procedures_brut\n" +
		"2024;1;Liquidation judiciaire;10\n2024;1;Liquidation (judiciaire);20\n2024;1;Liquidation judiciaire;1\n"
	s, err := DecodeSeries(strings.NewReader(in), ProcCollectives, urssafSampleGeo(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range s.Figures {
		got[f.Dim] = f.Value
	}
	// "Liquidation judiciaire" has the site's short code LJ.
	want := map[string]float64{"": 31, "NATURE=LJ": 11, "NATURE=LJ_2": 20}
	if !maps.Equal(got, want) {
		t.Errorf("figures by Dim = %v, want %v", got, want)
	}
	if l := s.Labels["NATURE=LJ_2"]; l != "Liquidation (judiciaire)" {
		t.Errorf("label = %q", l)
	}
}

func TestUrssafPeriod(t *testing.T) {
	tests := []struct {
		header []string
		row    []string
		want   string
	}{
		{[]string{"annee", "trimestre"}, []string{"2024", "3"}, "2024-T3"},
		{[]string{"annee", "trimestre"}, []string{"2024", "T3"}, "2024-T3"},
		{[]string{"trimestre"}, []string{"2024-T2"}, "2024-T2"},
		{[]string{"trimestre"}, []string{"2024-06-30"}, "2024-T2"},
		{[]string{"annee", "mois"}, []string{"2024", "9"}, "2024-09"},
		{[]string{"annee", "mois"}, []string{"2024", "2024-11"}, "2024-11"},
		{[]string{"annee"}, []string{"2024"}, "2024"},
		{[]string{"dernier_jour_du_trimestre"}, []string{"2023-12-31"}, "2023-T4"},
	}
	for _, tt := range tests {
		find := func(names ...string) int {
			for _, n := range names {
				if i := slices.Index(tt.header, n); i >= 0 {
					return i
				}
			}
			return -1
		}
		p, err := newUrssafPeriodCols(tt.header, find)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := p.period(tt.row); got != tt.want || err != nil {
			t.Errorf("period(%q = %q) = %q, %v; want %q", tt.header, tt.row, got, err, tt.want)
		}
	}
}

func TestCheckUrssafRegions(t *testing.T) {
	emp := decodeUrssafFile(t, "commune_ape.csv", urssafSampleGeo(), CommuneOptions{})
	f, err := os.Open(filepath.Join("testdata", "region_na38.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := DecodeSeries(f, RegionNA38, urssafSampleGeo(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := CheckRegions(emp, s)
	want := []RegionCheck{
		{Region: "region/11", Year: 2023, Communes: 145 + 310, Series: 450},
		{Region: "region/84", Year: 2023, Communes: 14 + 42 + 58.5 + 27, Series: 100 + 30 + 14},
	}
	if !slices.Equal(got, want) {
		t.Errorf("CheckRegions() = %v, want %v", got, want)
	}
}

// FuzzDecodeCommunes: any input either fails with ErrFormat or
// decodes into figures that add up: France is the sum of its communes.
func FuzzDecodeCommunes(f *testing.F) {
	for _, name := range []string{"commune_ape.csv", "commune_ape_nobom_comma.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("code_commune;effectifs_salaries_2023\n75101;3\n75056;4\n74011;1e3\n"))
	f.Add([]byte("\uFEFFcode_commune,nombre_d_etablissements_2023,secteur_na17\n1004,2,\"GZ ; x\"\n"))
	f.Add([]byte("code_commune;effectifs_salaries_2023;grand_secteur_d_activite\n\"94065\";\"\";\"\"\n"))
	g := urssafSampleGeo()
	f.Fuzz(func(t *testing.T, in []byte) {
		emp, err := DecodeCommunes(bytes.NewReader(in), g, CommuneOptions{})
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v is not %v", err, ErrFormat)
			}
			return
		}
		for _, y := range emp.Years() {
			for _, m := range []string{indicator.EtabUrssaf, indicator.EffectifsSal} {
				sum, any := 0.0, false
				for _, tr := range emp.Territories() {
					if tr.Kind != geo.Commune {
						continue
					}
					if v, st, ok := emp.Value(tr.ID(), m, "", y); ok && st == indicator.Present {
						sum, any = sum+v, true
					}
				}
				v, st, ok := emp.Value("france/FR", m, "", y)
				if any != (ok && st == indicator.Present) {
					t.Fatalf("%s %d: communes published %v, France %v %v", m, y, any, st, ok)
				}
				if any && !math.IsInf(sum, 0) && math.Abs(v-sum) > 1e-6*math.Max(1, math.Abs(sum)) {
					t.Fatalf("%s %d: France %v, sum of communes %v", m, y, v, sum)
				}
			}
		}
		for fig := range emp.Figures() {
			if fig.Status == indicator.NotPublished && fig.Value != 0 {
				t.Fatalf("%v: not published with a value", fig)
			}
			if !urssafDimOK(fig.Dim) {
				t.Fatalf("%v: malformed Dim", fig)
			}
		}
	})
}

// FuzzDecodeSeries: any input either fails with ErrFormat or
// decodes into well-formed figures.
func FuzzDecodeSeries(f *testing.F) {
	for _, name := range []string{"region_na38.csv", "dpae_region.csv", "ae_departement.csv", "proc_collectives.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	datasets := SeriesDatasets()
	g := urssafSampleGeo()
	f.Fuzz(func(t *testing.T, in []byte, which uint8) {
		ds := datasets[int(which)%len(datasets)]
		s, err := DecodeSeries(bytes.NewReader(in), ds, g, "v")
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v is not %v", err, ErrFormat)
			}
			return
		}
		for _, fig := range s.Figures {
			if fig.Territory == "" || fig.Period == "" || fig.Measure == "" {
				t.Fatalf("incomplete figure %+v", fig)
			}
			if fig.Status == indicator.Present && math.IsNaN(fig.Value) {
				t.Fatalf("present figure with NaN: %+v", fig)
			}
			if !urssafDimOK(fig.Dim) {
				t.Fatalf("%+v: malformed Dim", fig)
			}
		}
	})
}

// urssafDimOK reports whether dim is "" or KEY=value pairs with sorted
// keys, keys and values in [A-Z0-9_].
func urssafDimOK(dim string) bool {
	if dim == "" {
		return true
	}
	prev := ""
	for _, kv := range strings.Split(dim, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" || k <= prev || !urssafDimToken(k) || !urssafDimToken(v) {
			return false
		}
		prev = k
	}
	return true
}

func urssafDimToken(s string) bool {
	for _, c := range []byte(s) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// FuzzUrssafReader checks the allocation-free record reader against
// encoding/csv: same records, same fields, an error on the same record.
// Carriage returns are taken out of the input: encoding/csv folds them in
// ways the portal's CRLF line ends never exercise (those are covered by the
// golden files).
func FuzzUrssafReader(f *testing.F) {
	for _, name := range []string{"commune_ape.csv", "commune_ape_nobom_comma.csv", "dpae_region.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a;b\n\"x\ny\";\"q\"\"uote\"\n\n1;2\n"))
	f.Add([]byte("a,b\n\"x\",y\n\"x\"z,y\n"))
	f.Add([]byte("a;b\nx\"y;z\n"))
	f.Add([]byte("a;b\n\"open;z\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		in = bytes.ReplaceAll(in, []byte("\r"), nil)
		mine := newUrssafReader(bytes.NewReader(in))
		theirs := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(in, urssafBOM)))
		theirs.Comma = rune(mine.comma)
		for n := 0; ; n++ {
			got, gerr := mine.Read()
			want, werr := theirs.Read()
			if (gerr != nil) != (werr != nil) {
				t.Fatalf("record %d: urssafReader %q, %v; encoding/csv %q, %v", n, got, gerr, want, werr)
			}
			if gerr != nil {
				if (gerr == io.EOF) != (werr == io.EOF) {
					t.Fatalf("record %d: urssafReader error %v, encoding/csv %v", n, gerr, werr)
				}
				return
			}
			if len(got) != len(want) {
				t.Fatalf("record %d: %d fields, encoding/csv %d", n, len(got), len(want))
			}
			for i := range got {
				if string(got[i]) != want[i] {
					t.Fatalf("record %d field %d: %q, encoding/csv %q", n, i, got[i], want[i])
				}
			}
		}
	})
}

func ExampleDecodeCommunes() {
	// Two arrondissements of Paris, as the portal publishes them: a
	// byte-order mark, ";", an empty cell for "none or not published".
	export := "\uFEFFcode_commune;intitule_commune;grand_secteur_d_activite;nombre_d_etablissements_2023;effectifs_salaries_2023\r\n" +
		"75101;75101 Paris 1er Arrondissement;GS3 Commerce;20;310\r\n" +
		"75120;75120 Paris 20e Arrondissement;GS4 Services;5;\r\n"
	g := urssaftest.NewGeo(urssaftest.SampleCommunes(), nil)
	emp, err := DecodeCommunes(strings.NewReader(export), g, CommuneOptions{Vintage: "2025-06-30"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range emp.AppendFigures(nil, "commune/75056") {
		fmt.Println(f.Territory, f.Measure, f.Dim, f.Period, f.Value, f.Status)
	}
	// Output:
	// commune/75056 ETAB_URSSAF  2023 25 present
	// commune/75056 EFF_SAL  2023 310 present
	// commune/75056 ETAB_URSSAF GS=GS3 2023 20 present
	// commune/75056 EFF_SAL GS=GS3 2023 310 present
	// commune/75056 ETAB_URSSAF GS=GS4 2023 5 present
	// commune/75056 EFF_SAL GS=GS4 2023 0 non-publie
}
