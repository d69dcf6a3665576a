package melodi

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"territoires/fetch/melodi/meloditest"
)

// BenchmarkDecodeData decodes a /data page of the census by sex and age
// for every commune of the test referential (encoding/json tokens).
func BenchmarkDecodeData(b *testing.B) {
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
		if _, _, err := decodeData(bytes.NewReader(body), func(*obs) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFile decodes the file product of the same dataset, every
// level and period of the test referential (zip, CSV).
func BenchmarkDecodeFile(b *testing.B) {
	srv := meloditest.New(meloditest.Options{Ref: testRef(b)})
	defer srv.Close()
	resp, err := http.Get(srv.MelodiURL + "/file/DS_RP_POPULATION_PRINC/DS_RP_POPULATION_PRINC_2022_CSV_FR")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := decodeFile(bytes.NewReader(body), int64(len(body)), func(*obs) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
