package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"territoires/fetch"
	"territoires/geo"
)

// Site is the content of site.toml.
type Site struct {
	Title   string `toml:"title"`
	BaseURL string `toml:"base_url"`
	Output  string `toml:"output"`
	// Workers renders pages in parallel; 0 means one per CPU.
	Workers int `toml:"workers"`
	// BuildDate is shown in page footers ("YYYY-MM-DD"). Empty: taken from
	// SOURCE_DATE_EPOCH when set, otherwise no date is shown, so that two
	// builds of the same data stay byte-identical.
	BuildDate string `toml:"build_date"`
	// Templates and Assets, when set, are folders whose files override the
	// embedded ones of the same name.
	Templates string `toml:"templates"`
	Assets    string `toml:"assets"`

	// Source of the figures: "offline" (synthetic, no network: the
	// default) or "api" (INSEE and URSSAF, through the fetch cache).
	// TERRITOIRES_SOURCE overrides it.
	Source string `toml:"source"`

	// Themes lists the dashboard sections to publish, by id (see
	// ThemeIDs); empty: all. The figures of every theme stay in the
	// downloads. A smaller set makes a smaller site (GitHub Pages refuses
	// sites over 1 GB).
	Themes []string `toml:"themes"`

	Territories Territories  `toml:"territories"`
	Fetch       fetch.Config `toml:"fetch"`

	// Dir is the folder holding site.toml; relative paths are relative to it.
	Dir string `toml:"-"`

	src   string
	file  string
	lines map[string]int // line of each key written in the file, built on first use
}

// ThemeIDs are the dashboard sections, in page order.
var ThemeIDs = []string{"population", "revenus", "emploi", "entreprises", "logement", "tourisme", "menages"}

// Territories selects what to build. Empty lists mean the whole country.
type Territories struct {
	Departements []string `toml:"departements"`
	Regions      []string `toml:"regions"`
}

// Default returns the configuration used when a key is absent.
func Default() Site {
	return Site{
		Title:   "Territoires",
		BaseURL: "http://localhost:8080/",
		Output:  "public",
		Source:  "offline",
	}
}

// MaxSize is the largest site.toml accepted: a site's configuration is a
// few hundred bytes, and a bigger file is a mistake or an attack on the
// decoder.
const MaxSize = 1 << 20

// Load reads and checks a site.toml file.
func Load(path string) (*Site, error) { return LoadContext(context.Background(), path) }

// LoadContext is Load that gives up when ctx is done (Ctrl-C during the
// decoding of a hostile file): the decoder cannot be interrupted, so it
// runs in a goroutine that is left to finish on its own.
func LoadContext(ctx context.Context, path string) (*Site, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: loading stopped: %w", path, context.Cause(ctx))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	} else if st.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a site.toml may hold", path, st.Size(), MaxSize)
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	type result struct {
		site *Site
		err  error
	}
	done := make(chan result, 1)
	go func() {
		s, err := parse(path, string(src), os.Getenv)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.site, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: loading stopped: %w", path, context.Cause(ctx))
	}
}

// parse is Parse, replaced by tests that need a slow decoder.
var parse = Parse

// Parse decodes site.toml content; file names it in errors, getenv supplies
// SOURCE_DATE_EPOCH and the TERRITOIRES_* overrides.
func Parse(file, src string, getenv func(string) string) (*Site, error) {
	if len(src) > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a site.toml may hold", file, len(src), MaxSize)
	}
	if line, err := checkNesting(src); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, line, err)
	}
	s := Default()
	s.src, s.file = src, file
	s.Dir = filepath.Dir(file)
	md, err := toml.Decode(src, &s)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			if perr.LastKey != "" { // name the key, as the other errors do: "fetch.window: ..."
				return nil, fmt.Errorf("%s:%d: %s: %s", file, perr.Position.Line, perr.LastKey, perr.Message)
			}
			return nil, fmt.Errorf("%s:%d: %s", file, perr.Position.Line, perr.Message)
		}
		if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%s:%s: %s: %s", file, m[1], m[2], m[3])
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		// A file of 20,000 unknown tables gets a short answer, fast.
		const shown = 10
		var errs []error
		for _, k := range keys[:min(len(keys), shown)] {
			errs = append(errs, s.errorf(k.String(), "unknown key %q", k.String()))
		}
		if len(keys) > shown {
			errs = append(errs, fmt.Errorf("%s: and %d more unknown keys", file, len(keys)-shown))
		}
		return nil, errors.Join(errs...)
	}
	if s.BuildDate == "" {
		if epoch := getenv("SOURCE_DATE_EPOCH"); epoch != "" {
			var secs int64
			if _, err := fmt.Sscan(epoch, &secs); err != nil {
				return nil, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", epoch)
			}
			s.BuildDate = time.Unix(secs, 0).UTC().Format(time.DateOnly)
		}
	}
	if v := getenv("TERRITOIRES_SOURCE"); v != "" {
		s.Source = v
	}
	if v := getenv("TERRITOIRES_BASE_URL"); v != "" {
		s.BaseURL = v // where a CI job publishes, e.g. GitHub Pages
	}
	s.Fetch = s.Fetch.WithDefaults()
	if err := s.Fetch.ApplyEnv(getenv); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// typeErrRE reads the line and key of the decoder's type errors, which are
// not ParseErrors.
var typeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): (.*)$`)

var codeRE = regexp.MustCompile(`^[0-9][0-9AB]{1,2}$`)

func (s *Site) check() error {
	var errs []error
	if strings.TrimSpace(s.Title) == "" {
		errs = append(errs, s.errorf("title", "title: must not be empty"))
	}
	if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, s.errorf("base_url", "base_url: %q is not an absolute http(s) URL", s.BaseURL))
	} else if !strings.HasSuffix(s.BaseURL, "/") {
		s.BaseURL += "/"
	}
	switch clean := filepath.Clean(s.Output); {
	case s.Output == "":
		errs = append(errs, s.errorf("output", "output: must not be empty"))
	case clean == "." || clean == "/" || clean == "..":
		errs = append(errs, s.errorf("output", "output: %q would replace the site's own folder", s.Output))
	default:
		errs = append(errs, s.checkOutput()...)
	}
	if s.Source != "offline" && s.Source != "api" {
		errs = append(errs, s.errorf("source", `source: %q, want "offline" or "api"`, s.Source))
	}
	if err := s.Fetch.Validate(); err != nil {
		errs = append(errs, s.errorf("fetch", "%v", err))
	}
	for _, th := range s.Themes {
		if !slices.Contains(ThemeIDs, th) {
			errs = append(errs, s.errorf("themes", "themes: unknown theme %q, want some of %s", th, strings.Join(ThemeIDs, ", ")))
		}
	}
	if s.Workers < 0 || s.Workers > 256 {
		errs = append(errs, s.errorf("workers", "workers: %d is out of range 0..256 (0 means one per CPU)", s.Workers))
	}
	if s.BuildDate != "" {
		if _, err := time.Parse(time.DateOnly, s.BuildDate); err != nil {
			errs = append(errs, s.errorf("build_date", "build_date: %q is not a date like 2026-01-31", s.BuildDate))
		}
	}
	ref, err := geo.Load()
	if err != nil {
		return err
	}
	for _, sel := range []struct {
		key   string
		codes []string
		kinds []geo.Kind
	}{
		{"territories.departements", s.Territories.Departements, []geo.Kind{geo.Departement, geo.Collectivite}},
		{"territories.regions", s.Territories.Regions, []geo.Kind{geo.Region}},
	} {
		for _, code := range sel.codes {
			found := false
			for _, k := range sel.kinds {
				if _, ok := ref.Lookup(k, code); ok {
					found = true
				}
			}
			if !found || !codeRE.MatchString(code) {
				errs = append(errs, s.errorf(sel.key, "%s: unknown code %q", sel.key, code))
			}
		}
	}
	return errors.Join(errs...)
}

// Workers returns the number of parallel workers to use.
func (s *Site) WorkerCount() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Path resolves a path of site.toml relative to its folder.
func (s *Site) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir, p)
}

// errorf formats an error about a key, prefixed by the file and the key's
// line when it can be found.
func (s *Site) errorf(key, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.lines == nil {
		s.lines = keyLines(s.src)
	}
	if line := s.lines[key]; line > 0 {
		return fmt.Errorf("%s:%d: %s", s.file, line, msg)
	}
	return fmt.Errorf("%s: %s", s.file, msg)
}

// keyLine finds the line that defines a dotted key ("fetch.quota"), by
// following [table] headers. It returns 0 when the key is not written in
// the file (a default value, or an environment override).
func keyLine(src, key string) int { return keyLines(src)[key] }

// keyLines maps every dotted key and table header of src to the line of its
// first definition, in one pass.
func keyLines(src string) map[string]int {
	lines := map[string]int{}
	set := func(k string, n int) {
		if _, ok := lines[k]; !ok {
			lines[k] = n
		}
	}
	table := ""
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			name := strings.Trim(line, "[] \t")
			if j := strings.Index(name, "#"); j >= 0 {
				name = strings.TrimSpace(strings.Trim(name[:j], "[] \t"))
			}
			table = name
			set(table, i+1)
			continue
		}
		eq := strings.Index(line, "=")
		if eq < 0 {
			continue
		}
		k := strings.Trim(strings.TrimSpace(line[:eq]), `"'`)
		if table != "" {
			k = table + "." + k
		}
		set(k, i+1)
	}
	return lines
}
