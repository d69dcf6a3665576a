package melodi

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"territoires/geo"
	"territoires/indicator"
)

var update = flag.Bool("update", false, "rewrite golden files")

func inseeGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
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
		t.Errorf("%s: got\n%s\nwant\n%s\n(run with -update if the change is intended)", path, got, want)
	}
}

// nantesRef is a referential holding Nantes and its parents.
func nantesRef(t testing.TB) *geo.Referential {
	t.Helper()
	const tsv = "G\t2026\ttest\nY\t2023\n" +
		"F\tFR\tFrance\t68350798\n" +
		"R\t52\tPays de la Loire\t3907156\n" +
		"D\t44\tLoire-Atlantique\t52\t1494970\n" +
		"E\t244400404\tNantes Métropole\tMET\t691000\n" +
		"C\t44109\tNantes\t44\t52\t244400404\t44000,44100,44200,44300\t327734\n"
	ref, err := geo.Parse(strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func writeFigure(b *bytes.Buffer, f indicator.Figure) {
	fmt.Fprintf(b, "%s\t%s\t%s\t%q\t%s\t%g\t%s\t%s\t%s\n",
		f.Territory, f.Theme, f.Measure, f.Dim, f.Period, f.Value, f.Status, f.Source, f.Vintage)
}

// datasetByID returns the description of a dataset.
func datasetByID(t testing.TB, id string) *dataset {
	t.Helper()
	for i := range datasets {
		if datasets[i].ID == id {
			return &datasets[i]
		}
	}
	t.Fatalf("no dataset %s", id)
	return nil
}

// decodeGolden decodes observations with a dataset's description and
// writes the figures, then what was skipped and why.
func decodeGolden(t *testing.T, ds *dataset, latest string, ref *geo.Referential, each func(fn func(*obs) error) error) []byte {
	t.Helper()
	mp := newMapper(ds, latest, newGeoMapper(ref))
	var b bytes.Buffer
	var rates *rateAcc
	if ds.Rates {
		rates = newRateAcc()
	}
	err := each(func(o *obs) error {
		if f, ok := mp.figure(o); ok {
			if rates != nil {
				rates.add(f)
			} else {
				writeFigure(&b, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rates != nil {
		for f := range rates.figures(ds, mp) {
			writeFigure(&b, f)
		}
	}
	fmt.Fprintf(&b, "read %d kept %d skipped %s\n", mp.t.Read, mp.t.Kept, strings.Join(mp.t.reasons(), ", "))
	for _, n := range mp.t.Notes(ds.ID) {
		fmt.Fprintln(&b, n)
	}
	return b.Bytes()
}

// TestGoldenData: one answer of /data per dataset, in the shape of the
// recorded answers (testdata/README.md), decodes to the expected figures,
// and every observation not kept is counted with its reason.
func TestGoldenData(t *testing.T) {
	ref := nantesRef(t)
	for _, ds := range Datasets() {
		t.Run(ds, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "data", ds+".json"))
			if err != nil {
				t.Fatal(err)
			}
			latest := ""
			decodeData(bytes.NewReader(data), func(o *obs) error {
				latest = max(latest, o.get("TIME_PERIOD"))
				return nil
			})
			got := decodeGolden(t, datasetByID(t, ds), latest, ref, func(fn func(*obs) error) error {
				_, _, err := decodeData(bytes.NewReader(data), fn)
				return err
			})
			if !bytes.Contains(got, []byte("\tpresent\t")) {
				t.Errorf("%s decodes to no present figure:\n%s", ds, got)
			}
			inseeGolden(t, filepath.Join("testdata", "data", ds+".golden"), got)
		})
	}
}

// TestGoldenRecorded: the real answers recorded by INSEE's melodi package
// (testdata/README.md) decode to the figures they hold.
func TestGoldenRecorded(t *testing.T) {
	ref := nantesRef(t)
	for _, tt := range []struct{ file, ds, latest string }{
		{"nantes", "DS_POPULATIONS_REFERENCE", "2023"},
		{"count", "DS_POPULATIONS_REFERENCE", "2023"},
		{"filosofi_secret", "DS_FILOSOFI_CC", "2021"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var pg paging
			got := decodeGolden(t, datasetByID(t, tt.ds), tt.latest, ref, func(fn func(*obs) error) error {
				var err error
				pg, _, err = decodeData(bytes.NewReader(data), fn)
				return err
			})
			count := "none"
			if pg.Count != nil {
				count = fmt.Sprint(*pg.Count)
			}
			got = fmt.Appendf(got, "isLast=%t next=%q count=%s\n", pg.IsLast, pg.Next, count)
			inseeGolden(t, filepath.Join("testdata", tt.file+".golden"), got)
		})
	}
}

// TestGoldenFile: the data CSV of a file product, with the real header of
// Flores and a secret Filosofi value, decodes to the expected figures.
func TestGoldenFile(t *testing.T) {
	ref := nantesRef(t)
	for _, tt := range []struct{ file, ds, latest string }{
		{"DS_FLORES_A17_2023", "DS_FLORES_A17", "2023"},
		{"DS_FILOSOFI_CC_2021", "DS_FILOSOFI_CC", "2021"},
	} {
		t.Run(tt.ds, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "file", tt.file+"_data.csv"))
			if err != nil {
				t.Fatal(err)
			}
			got := decodeGolden(t, datasetByID(t, tt.ds), tt.latest, ref, func(fn func(*obs) error) error {
				_, err := decodeCSV(bytes.NewReader(data), fn)
				return err
			})
			inseeGolden(t, filepath.Join("testdata", "file", tt.file+".golden"), got)
		})
	}
}

// TestRefusedValues: values indicator.CheckValue refuses (a negative
// count, one beyond any French figure) are counted as skipped and named,
// never kept as figures.
func TestRefusedValues(t *testing.T) {
	const data = `"GEO";"GEO_OBJECT";"EC_MEASURE";"FREQ";"OBS_STATUS";"TIME_PERIOD";"OBS_VALUE"
"44109";"COM";"LVB";"A";"A";"2023";"-5"
"44";"DEP";"LVB";"A";"A";"2023";"1E+300"
"52";"REG";"LVB";"A";"A";"2023";"40123"
"FM";"FRANCE";"LVB";"A";"A";"2023";"600000"
`
	mp := newMapper(datasetByID(t, "DS_ETAT_CIVIL_NAIS_COMMUNES"), "2023", newGeoMapper(nantesRef(t)))
	var kept []string
	if _, err := decodeCSV(strings.NewReader(data), func(o *obs) error {
		if f, ok := mp.figure(o); ok {
			kept = append(kept, f.Territory)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, " ") != "region/52" {
		t.Errorf("kept %q, want only region/52", kept)
	}
	if mp.t.Skipped[skipRefused] != 2 || mp.t.Skipped[skipFranceFM] != 1 || len(mp.t.Refused) != 2 ||
		!strings.Contains(mp.t.Refused[0], "DS_ETAT_CIVIL_NAIS_COMMUNES: commune/44109 2023") {
		t.Errorf("skipped %v, refused %q; want 2 refused naming dataset, territory and period, 1 FRANCE-FM", mp.t.Skipped, mp.t.Refused)
	}
}
