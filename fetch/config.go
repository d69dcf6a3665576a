package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Default base URLs.
const (
	DefaultMelodiURL = "https://api.insee.fr/melodi"
	DefaultDDLURL    = "https://api.insee.fr/donnees-locales"
	DefaultURSSAFURL = "https://open.urssaf.fr/api/explore/v2.1"
	// DefaultMetadonneesURL is INSEE's geography metadata API (study
	// zonings and their communes), behind the same gateway and quota.
	DefaultMetadonneesURL = "https://api.insee.fr/metadonnees"
	// DefaultTokenURL is the token endpoint of INSEE's API portal, used
	// for OAuth2 client credentials when TERRITOIRES_INSEE_CLIENT_ID is set.
	DefaultTokenURL = "https://auth.insee.net/auth/realms/apim-gravitee/protocol/openid-connect/token"
)

// Config is the [fetch] table of site.toml. The zero value of a field
// means its default (see Defaults); Validate checks a filled Config.
type Config struct {
	// Source is the INSEE API: "melodi" (default) or "ddl".
	Source string `toml:"source"`
	// Sources lists the producers to refresh: "insee", "urssaf". Empty: both.
	Sources []string `toml:"sources"`

	MelodiURL string `toml:"melodi_url"` // base URL of MELODI
	DDLURL    string `toml:"ddl_url"`    // base URL of Données Locales
	URSSAFURL string `toml:"urssaf_url"` // base URL of the URSSAF Explore API v2.1
	// MetadonneesURL is the base URL of INSEE's Métadonnées API.
	MetadonneesURL string `toml:"metadonnees_url"`

	// Quota is the INSEE gateway's limit per Window, shared by MELODI and
	// DDL: 30 calls a minute per IP address.
	Quota int `toml:"quota"`
	// Margin is how many calls of each window's quota are held back. 1 by
	// default: 29 calls a minute, 96.7 % of the INSEE quota.
	Margin int `toml:"margin"`
	// Window is the length of the quota's sliding window: "60s".
	Window Duration `toml:"window"`
	// URSSAFQuota is the calls allowed per Window on the URSSAF host.
	URSSAFQuota int `toml:"urssaf_quota"`

	Workers  int    `toml:"workers"`   // concurrent requests: 4
	CacheDir string `toml:"cache_dir"` // on-disk cache: ".cache/fetch"

	BudgetCalls   int `toml:"budget_calls"`   // stop after this many calls; 0: no bound
	BudgetMinutes int `toml:"budget_minutes"` // start no call after this many minutes; 0: no bound

	Retries int `toml:"retries"` // attempts per request: 6
	// StallTimeout is the longest time an answer may take to start, and
	// then to bring each next 16 KiB: "60s".
	StallTimeout Duration `toml:"stall_timeout"`
	// MaxBody is the largest answer accepted and cached, checked while it
	// streams: "2GiB" (or a number of bytes). The largest real answer, a
	// MELODI file, is about 400 MB.
	MaxBody Size `toml:"max_body"`

	// MelodiGeo is how MELODI is asked for communes: "level" (default: all
	// communes of France in one paged query per dataset, the fewest calls)
	// or "parent" (one query per département, GEO=DEP-xx*COM).
	MelodiGeo string `toml:"melodi_geo"`
	// MelodiPageSize is maxResult, observations per MELODI page: 100000,
	// the most MELODI serves.
	MelodiPageSize int `toml:"melodi_page_size"`
	// Datasets restricts the refresh to these INSEE datasets (MELODI
	// identifiers such as "DS_FILOSOFI_CC", or DDL cube names such as
	// "INDICS_FILO_DISP"); empty: all.
	Datasets []string `toml:"datasets"`
	// DDLCubes are the Données Locales cubes, as croisement@jeu
	// ("IND_POPLEGALES@POPLEG2021"); empty: DefaultDDLCubes. DDL vintages are
	// frozen, so they are named here rather than read from a catalogue.
	DDLCubes []string `toml:"ddl_cubes"`

	creds *credentials // from the environment only; a pointer so %v never prints it
}

// credentials are secrets read from the environment. They are never
// logged, cached or written anywhere.
type credentials struct {
	apiKey       string
	clientID     string
	clientSecret string
	tokenURL     string
}

// Defaults returns the configuration used when site.toml says nothing.
func Defaults() Config {
	return Config{
		Source:         "melodi",
		Sources:        []string{"insee", "urssaf"},
		MelodiURL:      DefaultMelodiURL,
		DDLURL:         DefaultDDLURL,
		URSSAFURL:      DefaultURSSAFURL,
		MetadonneesURL: DefaultMetadonneesURL,
		Quota:          30,
		Margin:         1,
		Window:         Duration(time.Minute),
		URSSAFQuota:    60,
		Workers:        4,
		CacheDir:       ".cache/fetch",
		Retries:        6,
		StallTimeout:   Duration(time.Minute),
		MaxBody:        DefaultMaxBody,
		MelodiGeo:      "level",
		MelodiPageSize: 100000,
	}
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	d := Defaults()
	c.Source = orDefault(c.Source, d.Source)
	if len(c.Sources) == 0 {
		c.Sources = d.Sources
	}
	c.MelodiURL = orDefault(c.MelodiURL, d.MelodiURL)
	c.DDLURL = orDefault(c.DDLURL, d.DDLURL)
	c.URSSAFURL = orDefault(c.URSSAFURL, d.URSSAFURL)
	c.MetadonneesURL = orDefault(c.MetadonneesURL, d.MetadonneesURL)
	c.Quota = orDefault(c.Quota, d.Quota)
	c.Margin = orDefault(c.Margin, d.Margin)
	c.Window = orDefault(c.Window, d.Window)
	c.URSSAFQuota = orDefault(c.URSSAFQuota, d.URSSAFQuota)
	c.Workers = orDefault(c.Workers, d.Workers)
	c.CacheDir = orDefault(c.CacheDir, d.CacheDir)
	c.Retries = orDefault(c.Retries, d.Retries)
	c.StallTimeout = orDefault(c.StallTimeout, d.StallTimeout)
	c.MaxBody = orDefault(c.MaxBody, d.MaxBody)
	c.MelodiGeo = orDefault(c.MelodiGeo, d.MelodiGeo)
	c.MelodiPageSize = orDefault(c.MelodiPageSize, d.MelodiPageSize)
	return c
}

// Validate reports the first invalid field, named as in site.toml.
func (c Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("fetch config: %s: %s", field, fmt.Sprintf(format, args...))
	}
	switch c.Source {
	case "melodi", "ddl":
	default:
		return bad("source", "%q, want \"melodi\" or \"ddl\"", c.Source)
	}
	for _, s := range c.Sources {
		if s != "insee" && s != "urssaf" {
			return bad("sources", "%q, want \"insee\" or \"urssaf\"", s)
		}
	}
	for _, u := range []struct{ field, url string }{
		{"melodi_url", c.MelodiURL}, {"ddl_url", c.DDLURL}, {"urssaf_url", c.URSSAFURL},
		{"metadonnees_url", c.MetadonneesURL},
	} {
		p, err := url.Parse(u.url)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return bad(u.field, "%q is not an http(s) URL", u.url)
		}
		if p.User != nil {
			return bad(u.field, "credentials do not belong in URLs; use the environment")
		}
	}
	switch {
	case c.Quota <= 0:
		return bad("quota", "%d, want > 0", c.Quota)
	case c.Margin < 0 || c.Margin >= c.Quota:
		return bad("margin", "%d, want 0 ≤ margin < quota (%d)", c.Margin, c.Quota)
	case c.Window <= 0:
		return bad("window", "%v, want > 0", c.Window)
	case c.URSSAFQuota <= 0:
		return bad("urssaf_quota", "%d, want > 0", c.URSSAFQuota)
	case c.Workers <= 0 || c.Workers > 64:
		return bad("workers", "%d, want 1 to 64", c.Workers)
	case c.CacheDir == "":
		return bad("cache_dir", "empty")
	case c.BudgetCalls < 0:
		return bad("budget_calls", "%d, want ≥ 0", c.BudgetCalls)
	case c.BudgetMinutes < 0:
		return bad("budget_minutes", "%d, want ≥ 0", c.BudgetMinutes)
	case c.Retries <= 0:
		return bad("retries", "%d, want > 0", c.Retries)
	case c.StallTimeout <= 0:
		return bad("stall_timeout", "%v, want > 0", c.StallTimeout)
	case c.MaxBody < minMaxBody:
		return bad("max_body", "%v, want at least %v", c.MaxBody, Size(minMaxBody))
	case c.MelodiGeo != "level" && c.MelodiGeo != "parent":
		return bad("melodi_geo", "%q, want \"level\" or \"parent\"", c.MelodiGeo)
	case c.MelodiPageSize <= 0 || c.MelodiPageSize > 100000:
		return bad("melodi_page_size", "%d, want 1 to 100000", c.MelodiPageSize)
	}
	for _, s := range c.DDLCubes {
		if _, err := parseDDLCube(s); err != nil {
			return bad("ddl_cubes", "%v", err)
		}
	}
	if c.creds != nil && c.creds.clientID != "" && c.creds.clientSecret == "" {
		return bad("TERRITOIRES_INSEE_CLIENT_SECRET", "empty while TERRITOIRES_INSEE_CLIENT_ID is set")
	}
	return nil
}

// Environment variables read by ApplyEnv.
const (
	EnvMelodiURL    = "TERRITOIRES_MELODI_URL"
	EnvDDLURL       = "TERRITOIRES_DDL_URL"
	EnvURSSAFURL    = "TERRITOIRES_URSSAF_URL"
	EnvMetadonnees  = "TERRITOIRES_METADONNEES_URL"
	EnvSource       = "TERRITOIRES_INSEE_SOURCE"
	EnvQuota        = "TERRITOIRES_INSEE_QUOTA"
	EnvAPIKey       = "TERRITOIRES_INSEE_API_KEY"       // sent as X-INSEE-Api-Key-Integration
	EnvClientID     = "TERRITOIRES_INSEE_CLIENT_ID"     // OAuth2 client credentials
	EnvClientSecret = "TERRITOIRES_INSEE_CLIENT_SECRET" //
	EnvTokenURL     = "TERRITOIRES_INSEE_TOKEN_URL"     // default DefaultTokenURL
)

// ApplyEnv overrides c with the environment, for CI and mirrors: base URLs,
// the INSEE source and quota, and the INSEE credentials, which only the
// environment can give. getenv is os.Getenv in production.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	for _, o := range []struct {
		env string
		dst *string
	}{
		{EnvMelodiURL, &c.MelodiURL}, {EnvDDLURL, &c.DDLURL}, {EnvURSSAFURL, &c.URSSAFURL}, {EnvSource, &c.Source},
		{EnvMetadonnees, &c.MetadonneesURL},
	} {
		if v := strings.TrimSpace(getenv(o.env)); v != "" {
			*o.dst = v
		}
	}
	if v := strings.TrimSpace(getenv(EnvQuota)); v != "" {
		q, err := strconv.Atoi(v)
		if err != nil || q <= 0 {
			return fmt.Errorf("fetch config: %s=%q, want a positive number of calls per minute", EnvQuota, v)
		}
		c.Quota = q
	}
	cr := &credentials{
		apiKey:       strings.TrimSpace(getenv(EnvAPIKey)),
		clientID:     strings.TrimSpace(getenv(EnvClientID)),
		clientSecret: strings.TrimSpace(getenv(EnvClientSecret)),
		tokenURL:     strings.TrimSpace(getenv(EnvTokenURL)),
	}
	if *cr != (credentials{}) {
		if cr.clientID == "" && cr.clientSecret != "" {
			return errors.New("fetch config: " + EnvClientSecret + " is set without " + EnvClientID)
		}
		c.creds = cr
	}
	return nil
}

// inseeHost returns the host shared by MELODI and DDL: same gateway, same
// quota. Credentials, if any, ride on the host's Header (API key) or Client
// (OAuth2), never in URLs.
func (c Config) inseeHost(ctx context.Context) (*Host, error) {
	lim, err := NewLimiter(c.Quota, c.Margin, c.Window.Std())
	if err != nil {
		return nil, fmt.Errorf("insee host: %w", err)
	}
	h := &Host{Name: "insee", Limiter: lim, KeepStatus: ddlKeepStatus, Origins: []string{c.MelodiURL, c.DDLURL}}
	if c.creds == nil {
		return h, nil
	}
	if c.creds.apiKey != "" {
		h.Header = http.Header{}
		h.Header.Set("X-INSEE-Api-Key-Integration", c.creds.apiKey)
	}
	if c.creds.clientID != "" {
		cc := clientcredentials.Config{
			ClientID:     c.creds.clientID,
			ClientSecret: c.creds.clientSecret,
			TokenURL:     orDefault(c.creds.tokenURL, DefaultTokenURL),
		}
		// The token request carries the client secret: it must not follow
		// a redirect to another host either.
		tokenClient := &http.Client{CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if origin(r.URL) != origin(via[0].URL) {
				return fmt.Errorf("token endpoint redirects to another host (%s): refused", r.URL.Host)
			}
			if len(via) >= 10 {
				return errors.New("token endpoint: stopped after 10 redirects")
			}
			return nil
		}}
		h.Client = cc.Client(context.WithValue(ctx, oauth2.HTTPClient, tokenClient))
	}
	return h, nil
}

// urssafHost returns the URSSAF host, without hooks: the URSSAF source adds
// its RateHint.
func (c Config) urssafHost() (*Host, error) {
	lim, err := NewLimiter(c.URSSAFQuota, min(c.Margin, c.URSSAFQuota-1), c.Window.Std())
	if err != nil {
		return nil, fmt.Errorf("urssaf host: %w", err)
	}
	return &Host{Name: "urssaf", Limiter: lim, Origins: []string{c.URSSAFURL}}, nil
}

// engineOptions turns the configuration into engine options.
func (c Config) engineOptions(cache *Cache) Options {
	return Options{
		Cache:        cache,
		Workers:      c.Workers,
		Budget:       Budget{Calls: c.BudgetCalls, Duration: time.Duration(c.BudgetMinutes) * time.Minute},
		Retry:        Retry{Attempts: c.Retries},
		StallTimeout: c.StallTimeout.Std(),
		MaxBody:      int64(c.MaxBody),
	}
}

// DefaultMaxBody is the default of Config.MaxBody and Options.MaxBody:
// 2 GiB, five times the largest real answer (a MELODI file of ~400 MB).
const DefaultMaxBody = 2 << 30

// minMaxBody is the least max_body accepted: less would refuse ordinary
// pages.
const minMaxBody = 1 << 20

// Duration is a length of time written with its unit in site.toml:
// "60s", "1m30s", "500ms". A bare number is refused, since nobody can tell
// whether window = 60 means seconds or, as Go would read it, nanoseconds.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as "1m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a duration with its unit, as time.ParseDuration does.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalTOML reads a TOML string with a unit; a TOML number is an
// error that says how to write it. The TOML decoder adds the line and key.
func (d *Duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		return d.UnmarshalText([]byte(v))
	case int64:
		return fmt.Errorf("%d is a duration without a unit: use \"%ds\" (or \"ms\", \"m\", \"h\")", v, v)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		return fmt.Errorf("%s is a duration without a unit: use \"%ss\" (or \"ms\", \"m\", \"h\")", s, s)
	default:
		return fmt.Errorf("%v is not a duration: write it as a string with its unit, like \"60s\"", v)
	}
}

func parseDuration(s string) (Duration, error) {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		if _, nerr := strconv.ParseFloat(strings.TrimSpace(s), 64); nerr == nil {
			return 0, fmt.Errorf("%q is a duration without a unit: use \"%ss\" (or \"ms\", \"m\", \"h\")", s, strings.TrimSpace(s))
		}
		return 0, fmt.Errorf("%q is not a duration: write it with its unit, like \"60s\" or \"2m\"", s)
	}
	return Duration(v), nil
}

// Size is a number of bytes, written in site.toml as a number or as a
// string with a unit: "2GiB", "500 MB", "64KiB". Units of 1000 (kB, MB, GB,
// TB) and of 1024 (KiB, MiB, GiB, TiB) are understood.
type Size int64

// String writes s in the largest binary unit that divides it: "2 GiB".
func (s Size) String() string {
	for _, u := range []struct {
		name string
		n    Size
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s >= u.n && s%u.n == 0 {
			return strconv.FormatInt(int64(s/u.n), 10) + " " + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10) + " B"
}

// MarshalText writes s as String does.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a size with or without a unit.
func (s *Size) UnmarshalText(b []byte) error {
	v, err := parseSize(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// UnmarshalTOML reads a TOML integer (bytes) or a string with a unit.
func (s *Size) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return fmt.Errorf("%d is not a size: want a positive number of bytes", v)
		}
		*s = Size(v)
		return nil
	case string:
		return s.UnmarshalText([]byte(v))
	default:
		return fmt.Errorf("%v is not a size: write a number of bytes or a string like \"2GiB\"", v)
	}
}

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

func parseSize(str string) (Size, error) {
	t := strings.TrimSpace(str)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	n, err := strconv.ParseFloat(t[:i], 64)
	if !ok || err != nil || i == 0 {
		return 0, fmt.Errorf("%q is not a size: write a number of bytes or a string like \"2GiB\" or \"500MB\"", str)
	}
	v := n * unit
	if v >= 1<<62 {
		return 0, fmt.Errorf("%q is too large a size", str)
	}
	return Size(v), nil
}
