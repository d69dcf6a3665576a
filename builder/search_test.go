package builder

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"territoires/geo"
)

// searchSite builds the whole country once for the search tests.
func searchIndexOf(t *testing.T, terrs []*geo.Territory) (dir string, sizes map[string]int) {
	t.Helper()
	dir = t.TempDir()
	pub, err := NewPublisher(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	b := &build{site: &siteView{Root: "/", BaseURL: "https://example.org/"}}
	sizes, err = b.writeSearchIndex(pub, terrs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Commit(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "out"), sizes
}

// search runs a query against the published shards, as search.js does.
func search(t *testing.T, dir, q string) []searchEntry {
	t.Helper()
	words := searchWords(q)
	shard := searchShard(words)
	if shard == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "search", shard+".json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var entries []searchEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("shard %s: %v", shard, err)
	}
	return searchRank(words, entries)
}

func TestSearch(t *testing.T) {
	ref, _ := geo.Load()
	dir, sizes := searchIndexOf(t, ref.All)
	tests := []struct {
		q, wantKind, wantCode string
	}{
		{"st etienne", "commune", "42218"},
		{"Saint-Étienne", "commune", "42218"},
		{"saint etienne metropole", "epci", "244200770"},
		{"42000", "commune", "42218"},
		{"42218", "commune", "42218"},
		{"lyon 3e", "arrondissement-municipal", "69383"},
		{"lyon", "commune", "69123"},
		{"metropole de lyon", "epci", "200046977"},
		{"69", "departement", "69"},
		{"2A004", "commune", "2A004"},
		{"paris", "commune", "75056"},
		{"l'hay les roses", "commune", "94038"},
		{"ly", "commune", "69123"},
	}
	for _, tt := range tests {
		res := search(t, dir, tt.q)
		if len(res) == 0 {
			t.Errorf("search %q found nothing", tt.q)
			continue
		}
		if got := res[0].Kind.Slug() + " " + res[0].Code; got != tt.wantKind+" "+tt.wantCode {
			t.Errorf("search %q first = %s (%s), want %s %s", tt.q, got, res[0].Name, tt.wantKind, tt.wantCode)
		}
	}
	if res := search(t, dir, "x"); len(res) != 0 {
		t.Errorf("one letter found %d results, want none (too short)", len(res))
	}
	total, biggest, name := 0, 0, ""
	for n, s := range sizes {
		total += s
		if s > biggest {
			biggest, name = s, n
		}
	}
	if biggest > 100_000 {
		t.Errorf("shard %s weighs %d bytes, want under 100 KB", name, biggest)
	}
	t.Logf("search index: %d files, %d bytes in all, biggest %s %d bytes", len(sizes), total, name, biggest)
}

func TestSearchWords(t *testing.T) {
	for _, tt := range []struct{ q, words, shard string }{
		{"St-Étienne", "saint etienne", "weti"},
		{"Ste Foy", "sainte foy", "wfoy"},
		{"saint", "saint", "wsai"},
		{"le ly", "le ly", "tly"},
		{"42 000", "42 000", "w000"},
		{"  ", "", ""},
	} {
		w := searchWords(tt.q)
		if got := strings.Join(w, " "); got != tt.words {
			t.Errorf("searchWords(%q) = %q, want %q", tt.q, got, tt.words)
		}
		if got := searchShard(w); got != tt.shard {
			t.Errorf("searchShard(%q) = %q, want %q", tt.q, got, tt.shard)
		}
	}
}
