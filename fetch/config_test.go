package fetch

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		field string
		edit  func(*Config)
	}{
		{"source", func(c *Config) { c.Source = "insee" }},
		{"sources", func(c *Config) { c.Sources = []string{"insee", "eurostat"} }},
		{"melodi_url", func(c *Config) { c.MelodiURL = "ftp://x" }},
		{"ddl_url", func(c *Config) { c.DDLURL = "https://user:pw@api.insee.fr/donnees-locales" }},
		{"urssaf_url", func(c *Config) { c.URSSAFURL = "not a url" }},
		{"metadonnees_url", func(c *Config) { c.MetadonneesURL = "api.insee.fr/metadonnees" }},
		{"quota", func(c *Config) { c.Quota = -1 }},
		{"margin", func(c *Config) { c.Margin = 30 }},
		{"window", func(c *Config) { c.Window = -Duration(time.Second) }},
		{"workers", func(c *Config) { c.Workers = 1000 }},
		{"budget_calls", func(c *Config) { c.BudgetCalls = -1 }},
		{"budget_minutes", func(c *Config) { c.BudgetMinutes = -5 }},
		{"melodi_geo", func(c *Config) { c.MelodiGeo = "region" }},
		{"melodi_page_size", func(c *Config) { c.MelodiPageSize = 200000 }},
		{"ddl_cubes", func(c *Config) { c.DDLCubes = []string{"IND_POPLEGALES"} }},
	}
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("Defaults().Validate() = %v, want nil", err)
	}
	for _, tt := range tests {
		c := Defaults()
		tt.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field+":") {
			t.Errorf("Validate with a bad %s = %v, want an error naming %s", tt.field, err, tt.field)
		}
	}
}

// TestConfigTOML decodes a [fetch] table as the site.toml loader will.
func TestConfigTOML(t *testing.T) {
	var site struct {
		Fetch Config `toml:"fetch"`
	}
	const doc = `
[fetch]
source = "ddl"
quota = 20
window = "30s"
budget_minutes = 50
ddl_cubes = ["IND_POPLEGALES@POPLEG2021"]
`
	if _, err := toml.Decode(doc, &site); err != nil {
		t.Fatal(err)
	}
	c := site.Fetch.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Source != "ddl" || c.Quota != 20 || c.Window.Std() != 30*time.Second || c.BudgetMinutes != 50 ||
		c.Margin != 1 || c.MelodiURL != DefaultMelodiURL || len(c.DDLCubes) != 1 {
		t.Errorf("decoded %+v", c)
	}
}

func TestConfigApplyEnv(t *testing.T) {
	env := map[string]string{
		EnvMelodiURL:    "http://mirror.test/melodi",
		EnvDDLURL:       "http://mirror.test/ddl",
		EnvURSSAFURL:    "http://mirror.test/urssaf",
		EnvMetadonnees:  "http://mirror.test/metadonnees",
		EnvSource:       "ddl",
		EnvQuota:        "12",
		EnvAPIKey:       "key-123-secret",
		EnvClientID:     "client-id",
		EnvClientSecret: "client-secret-456",
	}
	c := Defaults()
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.MelodiURL != env[EnvMelodiURL] || c.DDLURL != env[EnvDDLURL] || c.URSSAFURL != env[EnvURSSAFURL] ||
		c.MetadonneesURL != env[EnvMetadonnees] || c.Source != "ddl" || c.Quota != 12 {
		t.Errorf("after ApplyEnv: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// Secrets never show when the configuration is printed.
	for _, format := range []string{"%v", "%+v", "%#v"} {
		s := fmt.Sprintf(format, c)
		if strings.Contains(s, "secret") || strings.Contains(s, "key-123") {
			t.Errorf("Sprintf(%q, cfg) shows a credential: %s", format, s)
		}
	}
	h, err := c.inseeHost(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Header.Get("X-INSEE-Api-Key-Integration"); got != env[EnvAPIKey] {
		t.Errorf("API key header %q, want %q", got, env[EnvAPIKey])
	}
	if h.Client == nil {
		t.Errorf("no OAuth2 client with client credentials set")
	}

	bad := []map[string]string{
		{EnvQuota: "lots"},
		{EnvQuota: "0"},
		{EnvClientSecret: "s"},
	}
	for _, env := range bad {
		c := Defaults()
		err := c.ApplyEnv(func(k string) string { return env[k] })
		if err == nil {
			t.Errorf("ApplyEnv(%v) = nil, want an error", env)
			continue
		}
		for k := range env {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("ApplyEnv(%v) = %v, want an error naming %s", env, err, k)
			}
		}
	}
}

// TestDurationNeedsUnit: every duration key of [fetch] refuses a bare
// number with a message that says how to write it, and reads strings
// with units.
func TestDurationNeedsUnit(t *testing.T) {
	tests := []struct {
		doc  string
		want string // error; "" for none
	}{
		{`window = 60`, `60 is a duration without a unit: use "60s"`},
		{`stall_timeout = 30`, `30 is a duration without a unit: use "30s"`},
		{`window = 0.5`, `0.5 is a duration without a unit: use "0.5s"`},
		{`window = "60"`, `"60" is a duration without a unit: use "60s"`},
		{`window = true`, `true is not a duration`},
		{`window = "1 minute"`, `"1 minute" is not a duration`},
		{`window = "60s"`, ""},
		{`stall_timeout = "1m30s"`, ""},
	}
	for _, tt := range tests {
		var site struct {
			Fetch Config `toml:"fetch"`
		}
		_, err := toml.Decode("[fetch]\n"+tt.doc+"\n", &site)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Decode(%s): %v", tt.doc, err)
		case tt.want != "":
			var perr toml.ParseError
			if !errors.As(err, &perr) || perr.Line != 2 || !strings.Contains(perr.Message, tt.want) {
				t.Errorf("Decode(%s) = %v, want a ParseError at line 2 containing %q", tt.doc, err, tt.want)
			}
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size // -1: an error
	}{
		{"2GiB", 2 << 30},
		{"2 GiB", 2 << 30},
		{"500MB", 500e6},
		{"1.5KiB", 1536},
		{"64kb", 64000},
		{"123", 123},
		{"1e9", -1},
		{"GiB", -1},
		{"-1GiB", -1},
		{"9999999TiB", -1},
		{"2 GB of data", -1},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
		}
	}
	for s, want := range map[Size]string{2 << 30: "2 GiB", 1536: "1536 B", 1 << 20: "1 MiB", 500e6: "500000000 B"} {
		if got := s.String(); got != want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(s), got, want)
		}
	}
	var site struct {
		Fetch Config `toml:"fetch"`
	}
	if _, err := toml.Decode("[fetch]\nmax_body = 1048576\n", &site); err != nil || site.Fetch.MaxBody != 1<<20 {
		t.Errorf("max_body = 1048576: %v, %d", err, site.Fetch.MaxBody)
	}
	c := Defaults()
	c.MaxBody = 1000
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "max_body:") {
		t.Errorf("Validate with max_body = 1000 bytes: %v, want an error naming max_body", err)
	}
}
