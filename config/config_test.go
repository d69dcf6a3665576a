package config

import (
	"strings"
	"testing"
)

func noenv(string) string { return "" }

func TestParseValid(t *testing.T) {
	src := `title = "Mon site"
base_url = "https://example.org/stats"
output = "out"
workers = 3

[territories]
departements = ["69", "2A"]
regions = ["84"]
`
	s, err := Parse("site.toml", src, noenv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if s.Title != "Mon site" || s.BaseURL != "https://example.org/stats/" || s.Output != "out" || s.WorkerCount() != 3 {
		t.Errorf("Parse = %+v", s)
	}
	if got := strings.Join(s.Territories.Departements, ","); got != "69,2A" {
		t.Errorf("departements = %q, want 69,2A", got)
	}
}

func TestParseErrorsNameKeyAndLine(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown key", "title = \"x\"\ntitel = \"y\"\n", `site.toml:2: unknown key "titel"`},
		{"unknown key in table", "[territories]\ndepartement = [\"69\"]\n", `site.toml:2: unknown key "territories.departement"`},
		{"wrong type", "title = \"x\"\nworkers = \"four\"\n", "site.toml:2:"},
		{"negative workers", "workers = -1\n", "site.toml:1: workers: -1 is out of range"},
		{"relative base url", "base_url = \"example.org\"\n", `site.toml:1: base_url: "example.org" is not an absolute http(s) URL`},
		{"output is dot", "\n\noutput = \".\"\n", "site.toml:3: output:"},
		{"unknown département", "[territories]\ndepartements = [\"69\", \"99\"]\n", `site.toml:2: territories.departements: unknown code "99"`},
		{"unknown région", "[territories]\nregions = [\"69\"]\n", `site.toml:2: territories.regions: unknown code "69"`},
		{"bad date", "build_date = \"yesterday\"\n", "site.toml:1: build_date:"},
		{"syntax", "title = \n", "site.toml:1:"},
		{"unknown theme", "title = \"x\"\nthemes = [\"population\", \"meteo\"]\n", `site.toml:2: themes: unknown theme "meteo", want some of population, revenus`},
	}
	for _, tt := range tests {
		_, err := Parse("site.toml", tt.src, noenv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestBuildDateFromEpoch(t *testing.T) {
	env := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1767225600"
		}
		return ""
	}
	s, err := Parse("site.toml", "", env)
	if err != nil {
		t.Fatal(err)
	}
	if s.BuildDate != "2026-01-01" {
		t.Errorf("BuildDate = %q, want 2026-01-01", s.BuildDate)
	}
}

func TestKeyLine(t *testing.T) {
	src := "a = 1\n# c\n[fetch] # comment\nquota = 3\n[territories]\nregions = []\n"
	for _, tt := range []struct {
		key  string
		want int
	}{{"a", 1}, {"fetch", 3}, {"fetch.quota", 4}, {"territories.regions", 6}, {"quota", 0}, {"nope", 0}} {
		if got := keyLine(src, tt.key); got != tt.want {
			t.Errorf("keyLine(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestSourceAndFetch(t *testing.T) {
	s, err := Parse("site.toml", "source = \"api\"\n[fetch]\nquota = 20\ncache_dir = \"cache\"\n", noenv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != "api" || s.Fetch.Quota != 20 || s.Fetch.CacheDir != "cache" {
		t.Errorf("source %q, fetch %+v", s.Source, s.Fetch)
	}
	env := func(k string) string {
		return map[string]string{"TERRITOIRES_SOURCE": "offline", "TERRITOIRES_INSEE_QUOTA": "12", "TERRITOIRES_BASE_URL": "https://x.github.io/t"}[k]
	}
	s, err = Parse("site.toml", "source = \"api\"\n", env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != "offline" || s.Fetch.Quota != 12 || s.BaseURL != "https://x.github.io/t/" {
		t.Errorf("environment not applied: source %q, quota %d", s.Source, s.Fetch.Quota)
	}
	for _, tt := range []struct{ src, want string }{
		{"source = \"web\"\n", `site.toml:1: source: "web", want "offline" or "api"`},
		{"[fetch]\nquota = -1\n", "site.toml:1:"},
		{"[fetch]\nquotas = 3\n", `site.toml:2: unknown key "fetch.quotas"`},
	} {
		if _, err := Parse("site.toml", tt.src, noenv); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tt.src, err, tt.want)
		}
	}
}
