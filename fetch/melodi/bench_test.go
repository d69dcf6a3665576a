package melodi

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"territoires/fetch/melodi/meloditest"
)

// BenchmarkDecodeMelodi decodes a page of the census by sex and age for
// every commune of the test referential.
func BenchmarkDecodeMelodi(b *testing.B) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(b)})
	defer srv.Close()
	resp, err := http.Get(srv.MelodiURL + "/data/DS_RP_POPULATION_PRINC?GEO=COM&TIME_PERIOD=2022&maxResult=100000")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := decodeMelodi(bytes.NewReader(body), func(melodiObs) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
