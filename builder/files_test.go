package builder

import (
	"encoding/csv"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// childTableCSV matches the CSV of a table of children:
// api/departement/69-communes.csv.
var childTableCSV = regexp.MustCompile(`^api/[a-z-]+/[0-9A-Za-z]+-[a-z-]+\.csv$`)

// TestFileCounts checks what a small build publishes, kind by kind: one
// page and one JSON file per territory, one embed page for all, the CSV of
// the communes in one zip per département and one CSV per other kind, one
// CSV per table of children (children.go), and nothing else but the search
// shards and a few site-wide files.
func TestFileCounts(t *testing.T) {
	site := newSite(t, rhone)
	sum := mustBuild(t, site)
	out := site.Path(site.Output)
	count := map[string]int{}
	var others, tables []string
	communes := 0 // pages of communes: their JSON is in their département's bundle
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasPrefix(rel, "commune/") && isRedirect(t, p):
			count["redirect"]++ // a retired commune code (zones.go)
		case strings.HasSuffix(rel, "/index.html") && !strings.HasPrefix(rel, "embed/") && !strings.HasPrefix(rel, "a-propos/") && !strings.HasPrefix(rel, "departements/") || rel == "index.html":
			count["page"]++
			if strings.HasPrefix(rel, "commune/") {
				communes++
			}
		case strings.HasPrefix(rel, "api/commune/") && strings.HasSuffix(rel, ".json"):
			count["bundle"]++
			others = append(others, rel)
		case strings.HasPrefix(rel, "api/") && strings.HasSuffix(rel, ".json") && rel != "api/index.json" && rel != "api/comparer.json":
			count["json"]++
		case strings.HasPrefix(rel, "api/") && childTableCSV.MatchString(rel):
			count["table"]++ // the CSV of a table of children
			tables = append(tables, rel)
		case strings.HasPrefix(rel, "api/") && (strings.HasSuffix(rel, ".csv") || strings.HasSuffix(rel, ".zip")):
			count["csv"]++
			others = append(others, rel)
		case strings.HasPrefix(rel, "search/"):
			count["search"]++
		case strings.HasPrefix(rel, "embed/"):
			count["embed"]++
			others = append(others, rel)
		default:
			count["other"]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count["page"] != sum.Pages || count["json"] != sum.Pages-communes || communes < 200 {
		t.Errorf("%d pages and %d JSON files, want %d pages and one JSON file for each but the %d communes", count["page"], count["json"], sum.Pages, communes)
	}
	if count["embed"] != 1 {
		t.Errorf("%d embed files, want the one embed page", count["embed"])
	}
	// France, the Auvergne-Rhône-Alpes région, the Rhône, its EPCI, its
	// communes (zipped; and their JSON bundle), Lyon's arrondissements, the
	// Rhône's arrondissements.
	slices.Sort(others)
	want := []string{"api/arrondissement-municipal.csv", "api/arrondissement.csv", "api/commune/departement-69.json", "api/commune/departement-69.zip", "api/departement.csv",
		"api/epci.csv", "api/france.csv", "api/region.csv", "embed/index.html"}
	if !slices.Equal(others, want) {
		t.Errorf("CSV, bundle and embed files = %q\nwant %q", others, want)
	}
	// One table for each group of children of a parent's page.
	for _, want := range []string{"api/france/FR-departements.csv", "api/departement/69-communes.csv", "api/epci/200046977-communes.csv", "api/commune/69123-arrondissements.csv"} {
		if !slices.Contains(tables, want) {
			t.Errorf("no table %s among %q", want, tables)
		}
	}
	if len(tables) > sum.Pages/5 {
		t.Errorf("%d tables of children for %d pages", len(tables), sum.Pages)
	}
	if count["redirect"] == 0 || count["redirect"] > sum.Pages {
		t.Errorf("%d redirect pages of retired commune codes", count["redirect"])
	}
	if count["other"] > 20 {
		t.Errorf("%d other files: the site grew files beside pages, downloads and search", count["other"])
	}
	total := 0
	for _, n := range count {
		total += n
	}
	if total != sum.Files {
		t.Errorf("%d files in the output, the build says %d", total, sum.Files)
	}
	t.Logf("files: %v", count)

	// Each kind's CSV holds the rows of every territory of that kind, one
	// block each, in the order of their codes.
	for _, name := range []string{"epci.csv", "arrondissement-municipal.csv", "departement.csv"} {
		f, err := os.Open(filepath.Join(out, "api", name))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.Comma = ';'
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var codes []string
		for _, row := range rows[1:] {
			if len(codes) == 0 || codes[len(codes)-1] != row[0] {
				codes = append(codes, row[0])
			}
		}
		jsons, _ := filepath.Glob(filepath.Join(out, "api", strings.TrimSuffix(name, ".csv"), "*.json"))
		var want []string
		for _, j := range jsons {
			want = append(want, strings.TrimSuffix(path.Base(filepath.ToSlash(j)), ".json"))
		}
		slices.Sort(want)
		if !slices.Equal(codes, want) {
			t.Errorf("%s: territories %q, want those with a JSON file %q", name, codes, want)
		}
	}
}

// isRedirect reports whether the page at name sends readers elsewhere.
func isRedirect(t *testing.T, name string) bool {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(b), `http-equiv=refresh`)
}
