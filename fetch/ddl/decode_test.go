package ddl

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"territoires/fetch"
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

func TestDecodeDDLGolden(t *testing.T) {
	ref := nantesRef(t)
	nantes, _ := ref.Lookup(geo.Commune, "44109")
	tests := []struct{ file, cube string }{
		{"nantes", "IND_POPLEGALES@POPLEG2020"},
		{"nantes_lone", "IND_POPLEGALES@POPLEG2020"},
		{"filo_det", "INDICS_FILO_DISP_DET@GEO2024FILO2021"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := decodeDDL(f)
			if err != nil {
				t.Fatalf("decodeDDL: %v", err)
			}
			c, err := parseDDLCube(tt.cube)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			base := indicator.Figure{Territory: nantes.ID(), Theme: c.spec.Theme, Source: c.spec.Source, Vintage: c.Jeu}
			for _, fig := range ddlFigures(a, c, base) {
				writeInseeFigure(&b, fig)
			}
			inseeGolden(t, filepath.Join("testdata", tt.file+".golden"), b.Bytes())
		})
	}
	// Both shapes of the same answer decode alike.
	a, _ := os.ReadFile("testdata/nantes.golden")
	b, _ := os.ReadFile("testdata/nantes_lone.golden")
	if !bytes.Equal(a, b) {
		t.Errorf("lone objects decode to\n%s\nwant\n%s", b, a)
	}
}

// TestDDLNotPublished: a cached 404 "Aucune cellule" decodes to every
// measure of the cube, not published.
func TestDDLNotPublished(t *testing.T) {
	ref := nantesRef(t)
	nantes, _ := ref.Lookup(geo.Commune, "44109")
	c, _ := parseDDLCube("INDICS_FILO_DISP_DET@GEO2024FILO2021")
	d := &DDL{}
	figs, err := d.entryFigures(&fetch.Entry{Meta: fetch.Meta{Status: http.StatusNotFound}}, c, nantes)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range figs {
		if f.Status != indicator.NotPublished || f.Period != "2021" {
			t.Errorf("figure %+v, want not published in 2021", f)
		}
		got = append(got, f.Measure)
	}
	if want := "REV_D1 REV_D9 TAUX_PAUVRETE"; strings.Join(got, " ") != want {
		t.Errorf("measures %q, want %q", strings.Join(got, " "), want)
	}
}

func TestDecodeErrors(t *testing.T) {
	ddl := []string{``, `[]`, `{}`, `{"Cellule":`, `{"Cellule":[{"Valeur":"1"}]} x`, `<html>`}
	for _, in := range ddl {
		if _, err := decodeDDL(strings.NewReader(in)); err == nil {
			t.Errorf("decodeDDL(%q) = nil error, want an error", in)
		}
	}
}

func FuzzDecodeDDL(f *testing.F) {
	for _, name := range []string{"nantes", "nantes_lone", "filo_det"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Cellule":{"Mesure":{"code":"POP"},"Modalite":[{"code":"2","variable":"SEXE"},{"code":"15","variable":"AGE15_15_90"}],"Valeur":12}}`))
	var cubes []ddlCube
	for _, s := range append(DefaultDDLCubes, "INDICS_FILO_DISP_DET@GEO2024FILO2021") {
		c, err := parseDDLCube(s)
		if err != nil {
			f.Fatal(err)
		}
		cubes = append(cubes, c)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decodeDDL(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range cubes {
			for _, fig := range ddlFigures(a, c, indicator.Figure{Territory: "commune/44109"}) {
				if fig.Measure == "" {
					t.Fatalf("figure without measure: %+v", fig)
				}
				if fig.Status != indicator.Present && fig.Value != 0 {
					t.Fatalf("figure %+v has a value but status %v", fig, fig.Status)
				}
				for _, kv := range strings.Split(fig.Dim, ";") {
					if fig.Dim != "" && !strings.Contains(kv, "=") {
						t.Fatalf("malformed Dim %q", fig.Dim)
					}
				}
			}
		}
	})
}
