package meloditest

import (
	"archive/zip"
	"bytes"
	csv2 "encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"territoires/geo"
)

func testRef(t *testing.T) *geo.Referential {
	t.Helper()
	f, err := os.Open("../../testdata/ref69.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref, err := geo.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestQuota(t *testing.T) {
	srv := New(Options{Ref: testRef(t), Quota: 3, Window: time.Hour})
	defer srv.Close()
	for i := range 5 {
		code, h, _ := get(t, srv.MelodiURL+"/data/DS_POPULATIONS_REFERENCE?GEO=FRANCE-F")
		want := http.StatusOK
		if i >= 3 {
			want = http.StatusTooManyRequests
			if h.Get("Retry-After") == "" {
				t.Errorf("call %d: 429 without Retry-After", i+1)
			}
		}
		if code != want {
			t.Errorf("call %d: status %d, want %d", i+1, code, want)
		}
	}
	if st := srv.Stats(); st.Calls != 5 || st.Rejected != 2 {
		t.Errorf("stats %+v, want 5 calls, 2 rejected", st)
	}
}

// TestConsistency: additive counts add up, income does not.
func TestConsistency(t *testing.T) {
	srv := New(Options{Ref: testRef(t)})
	defer srv.Close()
	values := func(geo, measure string) map[string]float64 {
		_, _, b := get(t, srv.MelodiURL+"/data/"+measure+"&GEO="+geo+"&maxResult=100000")
		var ans struct {
			Observations []struct {
				Dimensions map[string]string
				Measures   map[string]struct{ Value *float64 }
			}
		}
		if err := json.Unmarshal(b, &ans); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		out := map[string]float64{}
		for _, o := range ans.Observations {
			for _, m := range o.Measures {
				if m.Value != nil {
					out[o.Dimensions["GEO"]] = *m.Value
				}
			}
		}
		return out
	}
	sum := func(m map[string]float64) float64 {
		s := 0.0
		for _, v := range m {
			s += v
		}
		return s
	}
	pop := "DS_POPULATIONS_REFERENCE?TIME_PERIOD=2023&POPREF_MEASURE=PMUN"
	if dep, com := values("DEP", pop)["2025-DEP-69"], sum(values("COM", pop)); dep != com || dep == 0 {
		t.Errorf("population of the département %v, sum of its communes %v, want equal", dep, com)
	}
	med := "DS_FILOSOFI_CC?TIME_PERIOD=2021&FILOSOFI_MEASURE=MED_SL"
	coms := values("COM", med)
	if dep := values("DEP", med)["2025-DEP-69"]; dep < 15000 || dep > 30000 || dep == sum(coms) {
		t.Errorf("median income of the département %v, want its own plausible value", dep)
	}
	if _, _, b := get(t, srv.MelodiURL+"/data/DS_FILOSOFI_CC?GEO=COM-69001"); !strings.Contains(string(b), `"CONF_STATUS":"C"`) {
		t.Errorf("income of Affoux (398 inhabitants) is not secret: %s", b)
	}
}

// TestShapes: the fake answers as the recordings do: 500 with a plain-text
// French message for an unknown dataset, a catalogue whose datasets carry a
// zipped CSV product, a range listing every dimension, zips holding
// *_data.csv and *_metadata.csv with no negative count.
func TestShapes(t *testing.T) {
	srv := New(Options{Ref: testRef(t)})
	defer srv.Close()
	code, h, b := get(t, srv.MelodiURL+"/data/DS_NEXISTEPAS?totalCount=TRUE&maxResult=0")
	if code != 500 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || string(b) != "Le serveur a rencontré une erreur inattendue." {
		t.Errorf("unknown dataset: %d %q %q", code, h.Get("Content-Type"), b)
	}
	_, _, b = get(t, srv.MelodiURL+"/catalog/all")
	var cat []struct {
		Identifier string
		Product    []struct{ ID, Format, PackageFormat, AccessURL string }
	}
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, d := range cat {
		if findDataset(d.Identifier) == nil {
			continue
		}
		var csv string
		for _, p := range d.Product {
			if p.Format == "CSV" && p.PackageFormat == "application/zip" {
				csv = p.ID
			}
		}
		if csv == "" {
			t.Errorf("%s: no zipped CSV product in %+v", d.Identifier, d.Product)
			continue
		}
		code, _, body := get(t, srv.MelodiURL+"/file/"+d.Identifier+"/"+csv)
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if code != 200 || err != nil || len(zr.File) != 2 || !strings.HasSuffix(zr.File[0].Name, "_data.csv") || !strings.HasSuffix(zr.File[1].Name, "_metadata.csv") {
			t.Errorf("%s: file %d %v", d.Identifier, code, err)
			continue
		}
		rc, _ := zr.File[0].Open()
		r := csv2.NewReader(rc)
		r.Comma = ';'
		rows, err := r.ReadAll()
		rc.Close()
		if err != nil || len(rows) < 2 || rows[0][0] != "GEO" || rows[0][len(rows[0])-1] != "OBS_VALUE" {
			t.Errorf("%s: data csv %v, header %v", d.Identifier, err, rows[0])
			continue
		}
		for _, row := range rows[1:] {
			if v := row[len(row)-1]; strings.HasPrefix(v, "-") {
				t.Errorf("%s: negative value %v", d.Identifier, row)
				break
			}
		}
		_, _, rb := get(t, srv.MelodiURL+"/range/"+d.Identifier)
		for _, dim := range findDataset(d.Identifier).dims {
			if !bytes.Contains(rb, []byte(`"code":"`+dim+`"`)) {
				t.Errorf("%s: range lacks %s", d.Identifier, dim)
			}
		}
	}
}
