package urssaftest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, s *Server, path string, hdr ...string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func mustGet(t *testing.T, s *Server, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := get(t, s, path, hdr...)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

func TestMetadata(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	resp, body := mustGet(t, s, "/catalog/datasets/"+CommuneAPE)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var m struct {
		DatasetID string `json:"dataset_id"`
		Fields    []struct{ Name, Type string }
		Metas     struct {
			Default struct {
				Modified     string `json:"modified"`
				RecordsCount int    `json:"records_count"`
			} `json:"default"`
		} `json:"metas"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.DatasetID != CommuneAPE || m.Metas.Default.Modified != "2025-06-30T08:15:00.000000Z" {
		t.Errorf("dataset_id, modified = %q, %q", m.DatasetID, m.Metas.Default.Modified)
	}
	names := map[string]bool{}
	for _, f := range m.Fields {
		names[f.Name] = true
	}
	for _, n := range []string{"code_commune", "intitule_commune", "secteur_na17", "nombre_d_etablissements_2019", "effectifs_salaries_2024"} {
		if !names[n] {
			t.Errorf("field %s missing from %v", n, names)
		}
	}
	n := 0
	for range s.Data().CommuneRows() {
		n++
	}
	if m.Metas.Default.RecordsCount != n {
		t.Errorf("records_count = %d, want %d", m.Metas.Default.RecordsCount, n)
	}

	// Conditional requests.
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	for _, hdr := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lm}} {
		if r, _ := mustGet(t, s, "/catalog/datasets/"+CommuneAPE, hdr...); r.StatusCode != http.StatusNotModified {
			t.Errorf("%s: status %d, want 304", hdr[0], r.StatusCode)
		}
	}
	s.Touch(CommuneAPE, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if r, _ := mustGet(t, s, "/catalog/datasets/"+CommuneAPE, "If-None-Match", etag); r.StatusCode != http.StatusOK {
		t.Errorf("after Touch: status %d, want 200", r.StatusCode)
	}
	if r, _ := mustGet(t, s, "/catalog/datasets/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown dataset: status %d, want 404", r.StatusCode)
	}
	if got := s.Calls(Metadata, CommuneAPE); got != 4 {
		t.Errorf("Calls(Metadata) = %d, want 4", got)
	}
}

func TestRecordsCaps(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	tests := []struct {
		query  string
		status int
		code   string
		n      int
	}{
		{"", 200, "", 10},
		{"?limit=100", 200, "", 100},
		{"?limit=101", 400, "InvalidRESTParameterError", 0},
		{"?limit=100&offset=9900", 200, "", 0},
		{"?limit=100&offset=9901", 400, "InvalidRESTParameterError", 0},
		{"?limit=5&where=code_commune%3D%2294065%22", 200, "", 5},
		{"?where=code_commune%20like", 400, "ODSQLError", 0},
	}
	for _, tt := range tests {
		resp, body := mustGet(t, s, "/catalog/datasets/"+CommuneAPE+"/records"+tt.query)
		if resp.StatusCode != tt.status {
			t.Errorf("records%s: status %d, want %d: %s", tt.query, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.status != 200 {
			var e struct {
				Message   string `json:"message"`
				ErrorCode string `json:"error_code"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.ErrorCode != tt.code || e.Message == "" {
				t.Errorf("records%s: body %s, want error_code %s", tt.query, body, tt.code)
			}
			continue
		}
		var r struct {
			TotalCount int              `json:"total_count"`
			Results    []map[string]any `json:"results"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Results) != min(tt.n, r.TotalCount) {
			t.Errorf("records%s: %d results, want %d", tt.query, len(r.Results), tt.n)
		}
	}
}

func TestExportCSV(t *testing.T) {
	s := NewServer(Options{Data: Data{Unknown: "99999"}})
	defer s.Close()
	_, withBOM := mustGet(t, s, "/catalog/datasets/"+CommuneAPE+"/exports/csv")
	_, noBOM := mustGet(t, s, "/catalog/datasets/"+CommuneAPE+"/exports/csv?with_bom=false")
	if !bytes.HasPrefix(withBOM, []byte("\uFEFFregion;ancienne_region;")) {
		t.Errorf("export starts with %q, want a BOM and region;ancienne_region;", withBOM[:20])
	}
	if !bytes.Equal(withBOM[3:], noBOM) {
		t.Errorf("with_bom=false changes more than the BOM")
	}
	text := string(noBOM)
	for _, want := range []string{
		";75101 Paris 1er Arrondissement;", ";75101;", // arrondissements, not Paris
		";69381;", ";13201;",
		";74011 Annecy (commune déléguée);", ";74011;", // a retired code
		";99999 Commune inconnue;", ";99999;", // an unknown code
		`;"GZ Commerce ; réparation d'automobiles et de motocycles";`,
		";;", // empty cells
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, absent := range []string{";75056;", ";69123;", ";13055;"} {
		if strings.Contains(text, absent) {
			t.Errorf("export has %q: Paris, Lyon, Marseille come by arrondissement", absent)
		}
	}
	// Same data, same bytes.
	s2 := NewServer(Options{Data: Data{Unknown: "99999"}})
	defer s2.Close()
	if _, again := mustGet(t, s2, "/catalog/datasets/"+CommuneAPE+"/exports/csv?with_bom=false"); !bytes.Equal(again, noBOM) {
		t.Errorf("two servers with the same Data export different bytes")
	}
	// JSON lines: one object per row, empty cells as null.
	_, jl := mustGet(t, s, "/catalog/datasets/"+CommuneAPE+"/exports/jsonl")
	lines := 0
	nulls := false
	sc := bufio.NewScanner(bytes.NewReader(jl))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("jsonl line %d: %v", lines+1, err)
		}
		for _, v := range m {
			nulls = nulls || v == nil
		}
		lines++
	}
	if csvRows := strings.Count(text, "\r\n") - 1; lines != csvRows {
		t.Errorf("jsonl has %d lines, csv %d rows", lines, csvRows)
	}
	if !nulls {
		t.Errorf("jsonl has no null")
	}
}

func TestSeriesMatchCommunes(t *testing.T) {
	d := Data{}.withDefaults()
	want := map[string]float64{}
	for r := range d.CommuneRows() {
		if v := r.Eff[len(d.Years)-1]; !math.IsNaN(v) && r.Commune.Region == "84" {
			want["84"] += v
		}
	}
	got := 0.0
	last := strconv.Itoa(d.Years[len(d.Years)-1])
	tb := d.regionTable()
	col := func(name string) int {
		return slices.IndexFunc(tb.fields, func(f Field) bool { return f.Name == name })
	}
	for cells := range tb.rows {
		if cells[col("annee")] == last && cells[col("trimestre")] == "4" && cells[col("code_region")] == "84" {
			v, _ := strconv.ParseFloat(cells[col("effectifs_salaries_brut")], 64)
			got += v
		}
	}
	if got != want["84"] {
		t.Errorf("région 84, Q4 %s: series %v, communes %v", last, got, want["84"])
	}
}

// TestRealFieldOrder: every dataset's metadata and export have the field
// names, in the order, of the real exports (shared/API-FACTS.md).
func TestRealFieldOrder(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	tests := map[string]string{
		CommuneAPE: "region;ancienne_region;departement;zone_d_emploi;epci;commune;intitule_commune;" +
			"grand_secteur_d_activite;secteur_na17;secteur_na38;secteur_na88;ape;code_region;" +
			"code_ancienne_region;code_departement;code_zone_d_emploi;code_epci;code_commune;code_ape;" +
			"nombre_d_etablissements_2019;effectifs_salaries_2019",
		RegionNA38: "region;ancienne_region;grand_secteur_d_activite;secteur_na28i;annee;trimestre;" +
			"dernier_jour_du_trimestre;code_region;code_ancienne_region;effectifs_salaries_brut;" +
			"effectifs_salaries_cvs;masse_salariale_brut;masse_salariale_cvs",
		DPAERegion: "region;ancienne_region;grand_secteur_d_activite;secteur_na38;duree_de_contrat;" +
			"nature_de_contrat;annee;trimestre;dernier_jour_du_trimestre;code_region;code_ancienne_region;" +
			"dpae_brut;dpae_cvs",
		AEDepartement: "region;departement;annee;trimestre;dernier_jour_du_trimestre;code_region;" +
			"code_departement;immatriculations;radiations;chiffres_d_affaires;economiquement_actifs;" +
			"administrativement_actifs",
		AESecteur: "secteur_d_activite_me;annee;trimestre;dernier_jour_du_trimestre;immatriculations;" +
			"radiations;economiquement_actifs;administrativement_actifs;chiffres_d_affaires",
		ProcCollectives: "nature_de_procedure;annee;trimestre;dernier_jour_du_trimestre;" +
			"nombre_de_procedures_brut;nombre_de_procedures_cvs",
		ParticuliersEmployeurs: "code_categorie_d_emploi;categorie_d_emploi;ancienne_region;region;" +
			"departement;code_ancienne_region;code_region;code_departement;nombre_de_salaries",
	}
	if len(tests) != len(Datasets()) {
		t.Errorf("%d datasets served, %d described here", len(Datasets()), len(tests))
	}
	for id, want := range tests {
		_, body := mustGet(t, s, "/catalog/datasets/"+id+"/exports/csv?with_bom=false")
		header, _, _ := strings.Cut(string(body), "\r\n")
		if !strings.HasPrefix(header, want) {
			t.Errorf("%s: header\n%s\nwant (prefix)\n%s", id, header, want)
		}
		_, meta := mustGet(t, s, "/catalog/datasets/"+id)
		var m struct {
			Fields []struct{ Name string } `json:"fields"`
		}
		if err := json.Unmarshal(meta, &m); err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			names[i] = f.Name
		}
		if got := strings.Join(names, ";"); got != header {
			t.Errorf("%s: metadata fields %s, export header %s", id, got, header)
		}
		// Every row has a value where the dataset has one.
		rows := strings.Count(string(body), "\r\n") - 1
		if rows < 1 {
			t.Errorf("%s: no row", id)
		}
	}
}

// TestMissingDataset: a dataset listed in Options.Missing answers 404 on
// every endpoint, as an unpublished dataset does; the others answer.
func TestMissingDataset(t *testing.T) {
	s := NewServer(Options{Missing: []string{DPAERegion}})
	defer s.Close()
	for _, p := range []string{"", "/records", "/exports/csv"} {
		resp, body, err := get(t, s, "/catalog/datasets/"+DPAERegion+p)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "DatasetNotFound") {
			t.Errorf("GET %s: %d %s, want 404 DatasetNotFound", p, resp.StatusCode, body)
		}
	}
	if resp, _, _ := get(t, s, "/catalog/datasets/"+RegionNA38); resp.StatusCode != http.StatusOK {
		t.Errorf("another dataset answers %d", resp.StatusCode)
	}
}

// TestSubtotalsAndHostile: the options write what they say.
func TestSubtotalsAndHostile(t *testing.T) {
	s := NewServer(Options{Data: Data{Subtotals: true, Hostile: true}})
	defer s.Close()
	for id, want := range map[string][]string{
		DPAERegion:             {";Ensemble;Ensemble;", ";-42;"},
		RegionNA38:             {";Ensemble;Ensemble;", ";1e300;"},
		AESecteur:              {"\nEnsemble;"},
		AEDepartement:          {";NaN;"},
		ParticuliersEmployeurs: {";-1\r\n"},
	} {
		_, body := mustGet(t, s, "/catalog/datasets/"+id+"/exports/csv")
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: export lacks %q", id, w)
			}
		}
	}
}

func TestQuotaAndRateLimit(t *testing.T) {
	now := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	s := NewServer(Options{Quota: 3, Now: func() time.Time { return now }})
	defer s.Close()
	resp, _ := mustGet(t, s, "/catalog/datasets/"+RegionNA38)
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "2" {
		t.Errorf("X-RateLimit-Remaining = %q, want 2", got)
	}
	if got := resp.Header.Get("X-RateLimit-Reset"); got != strconv.FormatInt(time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC).Unix(), 10) {
		t.Errorf("X-RateLimit-Reset = %q, want next midnight", got)
	}
	mustGet(t, s, "/catalog/datasets/"+RegionNA38)
	mustGet(t, s, "/catalog/datasets/"+RegionNA38)
	resp, body := mustGet(t, s, "/catalog/datasets/"+RegionNA38)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over quota: status %d, want 429", resp.StatusCode)
	}
	var e struct {
		ErrorCode     int    `json:"errorcode"`
		ResetTime     string `json:"reset_time"`
		LimitTimeUnit string `json:"limit_time_unit"`
		CallLimit     int    `json:"call_limit"`
		Error         string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	if e.ErrorCode != 10005 || e.LimitTimeUnit != "day" || e.CallLimit != 3 || !strings.HasPrefix(e.ResetTime, "2025-07-02T00:00:00") {
		t.Errorf("429 body = %+v", e)
	}

	// A RateLimited fault: 429 until the reset time, then normal.
	s2 := NewServer(Options{Now: func() time.Time { return now }})
	defer s2.Close()
	s2.Inject(Fault{Kind: RateLimited, Reset: 2 * time.Second})
	for range 2 {
		if r, _ := mustGet(t, s2, "/catalog/datasets/"+RegionNA38); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("during the limit: status %d, want 429", r.StatusCode)
		}
	}
	now = now.Add(2 * time.Second)
	if r, _ := mustGet(t, s2, "/catalog/datasets/"+RegionNA38); r.StatusCode != http.StatusOK {
		t.Errorf("after the reset: status %d, want 200", r.StatusCode)
	}
}

func TestFaults(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	path := "/catalog/datasets/" + CommuneAPE + "/exports/csv"
	_, full := mustGet(t, s, path)

	s.Inject(Fault{Kind: Cut, Path: "/exports/csv", After: len(full) / 2})
	_, body, err := get(t, s, path)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != len(full)/2 {
		t.Errorf("Cut: %d bytes, %v; want %d bytes and an unexpected EOF", len(body), err, len(full)/2)
	}
	s.Inject(Fault{Kind: Truncate, Path: "/exports/csv", After: 5000})
	if _, body, err := get(t, s, path); err != nil || len(body) != 5000 {
		t.Errorf("Truncate: %d bytes, %v; want 5000 bytes, no error", len(body), err)
	}
	s.Inject(Fault{Kind: ServerError, Count: 2})
	for range 2 {
		if r, _ := mustGet(t, s, path); r.StatusCode != http.StatusInternalServerError {
			t.Errorf("ServerError: status %d", r.StatusCode)
		}
	}
	start := time.Now()
	s.Inject(Fault{Kind: Slow, Delay: 100 * time.Millisecond})
	s.Inject(Fault{Kind: Stall, After: 100, Delay: 100 * time.Millisecond, Path: "/exports/csv"})
	mustGet(t, s, "/catalog/datasets/"+CommuneAPE)
	if _, body := mustGet(t, s, path); !bytes.Equal(body, full) {
		t.Errorf("Stall: the body changed")
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("Slow and Stall took %v, want ≥ 200ms", d)
	}
	if r, _ := mustGet(t, s, path); r.StatusCode != http.StatusOK {
		t.Errorf("faults outlived their count")
	}
	if got := s.Calls(Export, CommuneAPE); got != 7 {
		t.Errorf("Calls(Export) = %d, want 7", got)
	}
}
