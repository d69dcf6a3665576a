package melodi

import (
	"bytes"
	"encoding/json"
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

func writeInseeFigure(b *bytes.Buffer, f indicator.Figure) {
	fmt.Fprintf(b, "%s\t%s\t%s\t%q\t%s\t%g\t%s\t%s\t%s\n",
		f.Territory, f.Theme, f.Measure, f.Dim, f.Period, f.Value, f.Status, f.Source, f.Vintage)
}

func TestDecodeMelodiGolden(t *testing.T) {
	ref := nantesRef(t)
	m := &Melodi{ref: ref, pageSize: 100000}
	for _, name := range []string{"nantes", "count", "filosofi_secret"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			ds := &melodiDatasets[0]
			if strings.HasPrefix(name, "filosofi") {
				ds = &melodiDatasets[3]
			}
			q := melodiQuery{ds: ds, label: ds.ID + " 2023"}
			var b bytes.Buffer
			paging, n, err := decodeMelodi(bytes.NewReader(data), func(o melodiObs) error {
				fmt.Fprintf(&b, "obs GEO=%s TIME_PERIOD=%s measure=%s value=%g has=%t attrs=%v\n",
					o.Dims["GEO"], o.Dims["TIME_PERIOD"], o.Measure, o.Value, o.HasVal, o.Attrs)
				if f, ok := m.figure(q, o); ok {
					writeInseeFigure(&b, f)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("decodeMelodi: %v", err)
			}
			count := "none"
			if paging.Count != nil {
				count = fmt.Sprint(*paging.Count)
			}
			fmt.Fprintf(&b, "observations=%d isLast=%t next=%q count=%s\n", n, paging.IsLast, paging.Next, count)
			inseeGolden(t, filepath.Join("testdata", name+".golden"), b.Bytes())
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	melodi := []string{
		``, `[]`, `{"observations":`, `{"observations":[{"dimensions":{}}]}`,
		`{"paging":{}}`, `{"observations":[]} {}`, `{"observations":[{"dimensions":{"GEO":"COM-1"},"measures":{"V":{"value":"abc"}}}]}`,
	}
	for _, in := range melodi {
		if _, _, err := decodeMelodi(strings.NewReader(in), nil); err == nil {
			t.Errorf("decodeMelodi(%q) = nil error, want an error", in)
		}
	}
}

func FuzzDecodeMELODI(f *testing.F) {
	for _, name := range []string{"nantes", "count", "filosofi_secret"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"observations":[{"dimensions":{"GEO":"2025-ARM-69381"},"measures":{}}],"paging":{"isLast":true}}`))
	ref := nantesRef(f)
	m := &Melodi{ref: ref, pageSize: 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ds := range melodiDatasets {
			q := melodiQuery{ds: &ds}
			_, n, err := decodeMelodi(bytes.NewReader(data), func(o melodiObs) error {
				if o.Dims["GEO"] == "" {
					t.Fatalf("observation without GEO accepted: %+v", o)
				}
				if fig, ok := m.figure(q, o); ok {
					if fig.Status != indicator.Present && fig.Value != 0 {
						t.Fatalf("figure %+v has a value but status %v", fig, fig.Status)
					}
					if !strings.Contains(fig.Territory, "/") {
						t.Fatalf("figure territory %q is not an ID", fig.Territory)
					}
				}
				return nil
			})
			if err == nil && !json.Valid(data) {
				t.Fatalf("decodeMelodi accepted invalid JSON %q", data)
			}
			if n < 0 {
				t.Fatalf("negative count %d", n)
			}
		}
	})
}
