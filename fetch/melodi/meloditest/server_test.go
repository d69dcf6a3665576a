package meloditest

import (
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
