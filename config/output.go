package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkOutput refuses an output folder that is, holds or lies inside a
// folder the build must never replace: the site's own folder (where
// site.toml is), the fetch cache and the override folders. The build
// replaces the output folder whole, so any of these would be lost.
// Symbolic links are resolved, so that a link cannot hide an overlap.
func (s *Site) checkOutput() []error {
	if s.Output == "" {
		return nil // reported by check
	}
	out := realPath(s.Path(s.Output))
	if filepath.Dir(out) == out {
		return []error{s.errorf("output", "output: %q is the root of a file system", s.Output)}
	}
	var errs []error
	if project := realPath(s.Path(".")); within(project, out) {
		errs = append(errs, s.errorf("output", "output: %q (%s) holds the site's own folder %s, where site.toml is: the build replaces its output folder whole", s.Output, out, project))
	}
	for _, f := range []struct{ key, what, path string }{
		{"fetch.cache_dir", "the fetch cache", s.Fetch.CacheDir},
		{"templates", "the templates folder", s.Templates},
		{"assets", "the assets folder", s.Assets},
	} {
		if f.path == "" {
			continue
		}
		p := realPath(s.Path(f.path))
		switch {
		case within(p, out):
			errs = append(errs, s.errorf("output", "output: %q (%s) holds %s %s (%s): the build replaces its output folder whole", s.Output, out, f.what, p, f.key))
		case within(out, p):
			errs = append(errs, s.errorf("output", "output: %q (%s) lies inside %s %s (%s)", s.Output, out, f.what, p, f.key))
		}
	}
	return errs
}

// within reports whether path p is dir or lies inside it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// realPath makes p absolute and resolves the symbolic links of the longest
// part of it that exists.
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	var rest []string
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrPermission) {
			return abs
		}
		if filepath.Dir(cur) == cur {
			return abs
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
	}
}
