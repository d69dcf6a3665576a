package config

import (
	"strings"
	"testing"
)

// TestFetchDurationsNeedUnits: a bare number for a duration of [fetch]
// (read by Go as nanoseconds) is an error naming the file, the line, the
// key and how to write it; a max_body without a known unit too.
func TestFetchDurationsNeedUnits(t *testing.T) {
	noenv := func(string) string { return "" }
	tests := []struct{ src, want string }{
		{"[fetch]\nwindow = 60\n", `site.toml:2: fetch.window: 60 is a duration without a unit: use "60s"`},
		{"title = \"x\"\n[fetch]\nquota = 20\nstall_timeout = 30\n", `site.toml:4: fetch.stall_timeout: 30 is a duration without a unit: use "30s"`},
		{"[fetch]\nwindow = 1.5\n", `site.toml:2: fetch.window: 1.5 is a duration without a unit: use "1.5s"`},
		{"[fetch]\nwindow = \"60\"\n", `site.toml:2: fetch.window: "60" is a duration without a unit: use "60s"`},
		{"[fetch]\nwindow = \"a minute\"\n", `site.toml:2: fetch.window: "a minute" is not a duration`},
		{"[fetch]\nmax_body = \"2 GB of data\"\n", `site.toml:2: fetch.max_body: "2 GB of data" is not a size`},
	}
	for _, tt := range tests {
		if _, err := Parse("site.toml", tt.src, noenv); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tt.src, err, tt.want)
		}
	}
	s, err := Parse("site.toml", "[fetch]\nwindow = \"30s\"\nstall_timeout = \"2m\"\nmax_body = \"512MiB\"\n", noenv)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Fetch.Window.String() + " " + s.Fetch.StallTimeout.String() + " " + s.Fetch.MaxBody.String(); got != "30s 2m0s 512 MiB" {
		t.Errorf("window, stall_timeout, max_body = %s, want 30s 2m0s 512 MiB", got)
	}
}
