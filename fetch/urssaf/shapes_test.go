package urssaf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"territoires/indicator"
)

func decodeSeriesFile(t *testing.T, dataset, file string) *Series {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := DecodeSeries(f, dataset, urssafSampleGeo(), "2025-06-30")
	if err != nil {
		t.Fatalf("DecodeSeries(%s): %v", file, err)
	}
	return s
}

func seriesIndex(s *Series) map[urssafKey]indicator.Figure {
	out := map[urssafKey]indicator.Figure{}
	for _, f := range s.Figures {
		out[urssafKey{f.Territory, f.Measure, f.Dim, f.Period}] = f
	}
	return out
}

// TestRealShapeFigures decodes one export per dataset, in the field names
// and order of the real exports (shared/API-FACTS.md), and checks figures
// computed by hand from the rows of testdata.
func TestRealShapeFigures(t *testing.T) {
	const absent = -1.0 // the figure must not exist
	const notPublished = -2.0
	tests := []struct {
		dataset, file string
		want          map[urssafKey]float64
	}{
		{RegionNA38, "region_na38.csv", map[urssafKey]float64{
			// 82 Rhône-Alpes and 83 Auvergne add up in région 84.
			{"region/84", indicator.EffSalTrim, "", "2023-T4"}:         144,
			{"region/84", indicator.EffSalTrim, "NA28I=FZ", "2023-T4"}: 100,
			{"region/84", indicator.EffSalTrim, "NA28I=CA", "2023-T4"}: 14,
			{"region/84", indicator.EffSalTrim, "GS=GS2", "2023-T4"}:   100,
			{"region/84", indicator.EffSalTrim, "SA=CVS", "2023-T4"}:   notPublished, // one empty CVS cell
			{"region/84", indicator.MasseSalTrim, "", "2023-T4"}:       1570000,
			{"france/FR", indicator.EffSalTrim, "", "2023-T4"}:         594,
			{"region/84", indicator.EffSalTrim, "NA38=FZ", "2023-T4"}:  absent, // the sector column is secteur_na28i
		}},
		{DPAERegion, "dpae_region.csv", map[urssafKey]float64{
			{"region/84", indicator.DPAE, "", "2024-T1"}:                            5100,
			{"region/84", indicator.DPAE, "CONTRAT=CDI", "2024-T1"}:                 1300,
			{"region/84", indicator.DPAE, "CONTRAT=CDD", "2024-T1"}:                 3800,
			{"region/84", indicator.DPAE, "DUREE=MOINS_D_UN_MOIS", "2024-T1"}:       3000,
			{"region/84", indicator.DPAE, "NA38=GZ", "2024-T1"}:                     5100,
			{"region/84", indicator.DPAE, "SA=CVS", "2024-T1"}:                      notPublished,
			{"region/11", indicator.DPAE, "CONTRAT=CDI;SA=CVS", "2024-T1"}:          490,
			{"france/FR", indicator.DPAE, "", "2024-T1"}:                            5600,
			{"region/84", indicator.DPAE, "CONTRAT=ENSEMBLE", "2024-T1"}:            absent,
			{"region/84", indicator.DPAE, "DUREE=SANS_OBJET", "2024-T1"}:            1300,
			{"region/84", indicator.DPAE, "DUREE=PLUS_D_UN_MOIS", "2024-T1"}:        800,
			{"region/84", indicator.DPAE, "CONTRAT=CDD;SA=CVS", "2024-T1"}:          notPublished,
			{"region/84", indicator.DPAE, "CONTRAT=CDI;SA=CVS", "2024-T1"}:          1279.5,
			{"region/84", indicator.DPAE, "GS=GS3", "2024-T1"}:                      5100,
			{"france/FR", indicator.DPAE, "CONTRAT=CDI", "2024-T1"}:                 1800,
			{"france/FR", indicator.DPAE, "DUREE=MOINS_D_UN_MOIS", "2024-T1"}:       3000,
			{"france/FR", indicator.DPAE, "NA38=FZ", "2024-T1"}:                     500,
			{"france/FR", indicator.DPAE, "GS=GS2", "2024-T1"}:                      500,
			{"france/FR", indicator.DPAE, "DUREE=PLUS_D_UN_MOIS;SA=CVS", "2024-T1"}: 790,
		}},
		{AEDepartement, "ae_departement.csv", map[urssafKey]float64{
			{"departement/69", indicator.AEActifs, "", "2024-T2"}:          52000,
			{"departement/69", indicator.AEChiffreAffaires, "", "2024-T2"}: notPublished,
			// Ain (01) is not in the sample referential: France only.
			{"region/84", indicator.AEActifs, "", "2024-T2"}: 67000,
			{"france/FR", indicator.AEActifs, "", "2024-T2"}: 196000,
			{"france/FR", indicator.AEImmat, "", "2024-T2"}:  12500,
		}},
		{AESecteur, "ae_secteur.csv", map[urssafKey]float64{
			{"france/FR", indicator.AEActifs, "", "2024-T2"}:                              1200000,
			{"france/FR", indicator.AEActifs, "SECTEUR=COMMERCE", "2024-T2"}:              400000,
			{"france/FR", indicator.AERadiations, "", "2024-T2"}:                          60000,
			{"france/FR", indicator.AEChiffreAffaires, "", "2024-T2"}:                     notPublished,
			{"france/FR", indicator.AEChiffreAffaires, "SECTEUR=CONSTRUCTION", "2024-T2"}: 6e9,
		}},
		{ProcCollectives, "proc_collectives.csv", map[urssafKey]float64{
			{"france/FR", indicator.ProcCollectives, "", "2024-T1"}:                   12250,
			{"france/FR", indicator.ProcCollectives, "NATURE=LJ", "2024-T1"}:          9000,
			{"france/FR", indicator.ProcCollectives, "NATURE=SAUV;SA=CVS", "2024-T1"}: notPublished,
		}},
		{ParticuliersEmployeurs, "particuliers.csv", map[urssafKey]float64{
			{"departement/69", indicator.SalariesPartEmp, "", "2018"}:            25200,
			{"departement/69", indicator.SalariesPartEmp, "CATEGORIE=2", "2018"}: 9000,
			{"departement/75", indicator.SalariesPartEmp, "CATEGORIE=2", "2018"}: absent,
			{"region/84", indicator.SalariesPartEmp, "", "2018"}:                 37000,
			{"region/84", indicator.SalariesPartEmp, "CATEGORIE=1", "2018"}:      2000,
			{"region/11", indicator.SalariesPartEmp, "", "2018"}:                 36000,
			{"france/FR", indicator.SalariesPartEmp, "", "2018"}:                 73000,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			s := decodeSeriesFile(t, tt.dataset, tt.file)
			got := seriesIndex(s)
			for k, want := range tt.want {
				f, ok := got[k]
				switch {
				case want == absent:
					if ok {
						t.Errorf("%v = %v, want no such figure", k, f.Value)
					}
				case !ok:
					t.Errorf("%v missing", k)
				case want == notPublished:
					if f.Status != indicator.NotPublished {
						t.Errorf("%v = %v (%v), want not published", k, f.Value, f.Status)
					}
				case f.Status != indicator.Present || f.Value != want:
					t.Errorf("%v = %v (%v), want %v", k, f.Value, f.Status, want)
				}
			}
			if len(s.MissingColumns) > 0 {
				t.Errorf("MissingColumns = %v on a real-shape export", s.MissingColumns)
			}
			if s.SkippedCount != 0 {
				t.Errorf("SkippedCount = %d, want 0", s.SkippedCount)
			}
		})
	}
}

// TestSubtotalRowsNeverAdded decodes the DPAE export twice, without and
// with rows whose contract columns read "Ensemble" (sector subtotals and a
// grand total per ancienne région): every figure must be the same, none
// counted twice.
func TestSubtotalRowsNeverAdded(t *testing.T) {
	plain := decodeSeriesFile(t, DPAERegion, "dpae_region.csv")
	sub := decodeSeriesFile(t, DPAERegion, "dpae_region_subtotals.csv")
	if sub.SubtotalRows != 6 || plain.SubtotalRows != 0 {
		t.Errorf("SubtotalRows = %d and %d, want 0 and 6", plain.SubtotalRows, sub.SubtotalRows)
	}
	if sub.SubtotalMismatches != 0 {
		t.Errorf("SubtotalMismatches = %d (%s), want 0", sub.SubtotalMismatches, sub.Mismatch)
	}
	a, b := seriesIndex(plain), seriesIndex(sub)
	if len(a) != len(b) {
		t.Errorf("%d figures without subtotals, %d with", len(a), len(b))
	}
	for k, f := range a {
		if g, ok := b[k]; !ok || g.Value != f.Value || g.Status != f.Status {
			t.Errorf("%v = %v (%v) with subtotal rows, %v (%v) without", k, g.Value, g.Status, f.Value, f.Status)
		}
	}

	// A subtotal that disagrees with its details is used, and reported.
	in := "code_region;annee;trimestre;nature_de_contrat;dpae_brut\n" +
		"84;2024;1;CDI;10\n84;2024;1;CDD;20\n84;2024;1;Ensemble;50\n"
	s, err := DecodeSeries(strings.NewReader(in), DPAERegion, urssafSampleGeo(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := seriesIndex(s)[urssafKey{"region/84", indicator.DPAE, "", "2024-T1"}]; got.Value != 50 {
		t.Errorf("total = %v, want the published 50", got.Value)
	}
	if s.SubtotalMismatches != 2 || !strings.Contains(s.Mismatch, "2024-T1") { // région 84 and France
		t.Errorf("SubtotalMismatches = %d (%q), want 2 (région 84, France)", s.SubtotalMismatches, s.Mismatch)
	}
}

func TestIsTotalLabel(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"Ensemble", true}, {"ensemble des contrats", true}, {"Total", true}, {"Tous secteurs", true},
		{"Toutes durées", true}, {"_T", true}, {" Ensemble ", true},
		{"CDI", false}, {"Transports et entreposage", false}, {"Tourisme", false}, {"", false},
		{"GS3 Commerce", false}, {"Sans objet", false},
	} {
		if got := isTotalLabel(tt.in); got != tt.want {
			t.Errorf("isTotalLabel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestHostileValuesRefused: a negative count, an amount beyond
// indicator.MaxValue and a non-finite cell are refused and counted, each
// named with its dataset, territory and value; the figure they would
// enter is not published, and the other figures are.
func TestHostileValuesRefused(t *testing.T) {
	tests := []struct {
		name, dataset, in string
		refused           urssafKey
		kept              urssafKey
		keptValue         float64
		territory, value  string
	}{
		{"negative count", ParticuliersEmployeurs,
			"code_categorie_d_emploi;categorie_d_emploi;code_region;code_departement;nombre_de_salaries\n" +
				"1;Garde;84;69;-5\n2;Assistant maternel;84;69;10\n1;Garde;84;74;7\n",
			urssafKey{"departement/69", indicator.SalariesPartEmp, "", "2018"},
			urssafKey{"departement/74", indicator.SalariesPartEmp, "", "2018"}, 7, "69", "-5"},
		{"huge amount", RegionNA38,
			"code_region;annee;trimestre;secteur_na28i;effectifs_salaries_brut;masse_salariale_brut\n" +
				"84;2024;1;FZ Construction;10;1e300\n11;2024;1;FZ Construction;20;3000\n",
			urssafKey{"region/84", indicator.MasseSalTrim, "", "2024-T1"},
			urssafKey{"region/84", indicator.EffSalTrim, "", "2024-T1"}, 10, "84", "1e300"},
		{"not finite", AEDepartement,
			"code_departement;annee;trimestre;economiquement_actifs\n69;2024;1;NaN\n74;2024;1;12\n",
			urssafKey{"departement/69", indicator.AEActifs, "", "2024-T1"},
			urssafKey{"departement/74", indicator.AEActifs, "", "2024-T1"}, 12, "69", "NaN"},
		{"infinite", AESecteur,
			"secteur_d_activite_me;annee;trimestre;immatriculations;radiations\nCommerce;2024;1;+Inf;4\n",
			urssafKey{"france/FR", indicator.AEImmat, "", "2024-T1"},
			urssafKey{"france/FR", indicator.AERadiations, "", "2024-T1"}, 4, "FR", "+Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DecodeSeries(strings.NewReader(tt.in), tt.dataset, urssafSampleGeo(), "")
			if err != nil {
				t.Fatalf("DecodeSeries: %v (a refused value must not fail the dataset)", err)
			}
			if s.SkippedCount != 1 || len(s.Skipped) != 1 {
				t.Fatalf("SkippedCount = %d, Skipped = %v; want 1", s.SkippedCount, s.Skipped)
			}
			sk := s.Skipped[0]
			if sk.Dataset != tt.dataset || sk.Territory != tt.territory || sk.Value != tt.value {
				t.Errorf("Skipped = %+v, want dataset %s, territory %s, value %s", sk, tt.dataset, tt.territory, tt.value)
			}
			got := seriesIndex(s)
			if f, ok := got[tt.refused]; !ok || f.Status != indicator.NotPublished {
				t.Errorf("%v = %+v, want a figure not published", tt.refused, f)
			}
			if f := got[tt.kept]; f.Status != indicator.Present || f.Value != tt.keptValue {
				t.Errorf("%v = %v (%v), want %v", tt.kept, f.Value, f.Status, tt.keptValue)
			}
			for _, f := range s.Figures {
				if err := indicator.CheckValue(f.Measure, f.Value); err != nil {
					t.Errorf("figure %v passed a refused value: %v", f, err)
				}
			}
		})
	}

	// The commune export: the refused cell counts nowhere, the row's other
	// cells do.
	const header = "code_commune;intitule_commune;nombre_d_etablissements_2023;effectifs_salaries_2023\n"
	for _, cell := range []string{"-12", "1e12", "NaN"} {
		emp, err := DecodeCommunes(strings.NewReader(header+"94065;Rungis;3;"+cell+"\n94065;Rungis;1;5\n"), urssafSampleGeo(), CommuneOptions{})
		if err != nil {
			t.Fatalf("DecodeCommunes with %s: %v", cell, err)
		}
		r := emp.Report()
		if r.SkippedCount != 1 || r.Skipped[0].Territory != "94065" || r.Skipped[0].Value != cell {
			t.Errorf("%s: Skipped = %+v (%d), want one naming 94065", cell, r.Skipped, r.SkippedCount)
		}
		if v, _, _ := emp.Value("commune/94065", indicator.EffectifsSal, "", 2023); v != 5 {
			t.Errorf("%s: jobs of Rungis = %v, want 5", cell, v)
		}
		if v, _, _ := emp.Value("commune/94065", indicator.EtabUrssaf, "", 2023); v != 4 {
			t.Errorf("%s: establishments of Rungis = %v, want 4", cell, v)
		}
	}
}

// TestMissingBreakdownColumn: an export whose sector column was renamed
// still gives its totals, and says which breakdown it lacks.
func TestMissingBreakdownColumn(t *testing.T) {
	in := "code_region;annee;trimestre;secteur_renamed;effectifs_salaries_brut\n84;2024;1;FZ Construction;10\n"
	s, err := DecodeSeries(strings.NewReader(in), RegionNA38, urssafSampleGeo(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.MissingColumns) != 2 || s.MissingColumns[1] != "secteur_na28i" {
		t.Errorf("MissingColumns = %q, want grand_secteur_d_activite and secteur_na28i", s.MissingColumns)
	}
	if f := seriesIndex(s)[urssafKey{"region/84", indicator.EffSalTrim, "", "2024-T1"}]; f.Value != 10 {
		t.Errorf("total = %v, want 10", f.Value)
	}
}
