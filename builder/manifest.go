package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// A rebuild with nothing new must be fast and write nothing. Rendering every
// page only to find each identical to the published one costs as much as a
// build, so a build first computes a fingerprint of everything the output
// depends on: the program itself (the referential, the templates, the
// offline figures and the code are all in it), site.toml, the override
// folders, the ECharts bundle and the data source. The manifest, kept beside
// the output folder (.public.manifest), records the fingerprint of the last
// build and a digest of the files it published (paths, sizes, times). When
// both still match, the published site is current and the build stops
// there; anything else, a file edited or removed by hand included, renders
// and publishes as usual.

type manifest struct {
	Fingerprint string `json:"fingerprint"`
	Output      string `json:"output"` // digest of the output folder's files
	Pages       int    `json:"pages"`
	Files       int    `json:"files"`
	Bytes       int64  `json:"bytes"`
}

func manifestPath(dest string) string {
	dest = filepath.Clean(dest)
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".manifest")
}

// Fingerprinter is implemented by sources whose figures can change while
// the program does not (the API cache): it digests their figures.
type Fingerprinter interface {
	Fingerprint() string
}

// fingerprint digests the inputs of a build.
func (b *build) fingerprint(opts Options, echarts []byte) (string, error) {
	h := sha256.New()
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if err := hashFile(h, exe); err != nil {
		return "", err
	}
	site := opts.Site
	cfg, err := json.Marshal(struct {
		Title, BaseURL, Output, BuildDate, Source string
		Departements, Regions                     []string
		Sitemap                                   int
	}{site.Title, site.BaseURL, site.Output, site.BuildDate, site.Source,
		site.Territories.Departements, site.Territories.Regions, opts.sitemapSize})
	if err != nil {
		return "", err
	}
	h.Write(cfg)
	for _, dir := range []string{site.Path(site.Templates), site.Path(site.Assets)} {
		if err := hashDir(h, dir); err != nil {
			return "", err
		}
	}
	h.Write(echarts)
	hashZones(h, opts.Zones)
	switch src := opts.Source.(type) {
	case nil:
		io.WriteString(h, "offline")
	case Fingerprinter:
		io.WriteString(h, src.Fingerprint())
	default:
		return "", nil // a source that cannot say: always build
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	return err
}

// hashDir digests the names and contents of the files of an override
// folder; "" digests nothing.
func hashDir(h io.Writer, dir string) error {
	if dir == "" {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		io.WriteString(h, p+"\x00")
		return hashFile(h, p)
	})
}

// outputDigest digests the paths, sizes and modification times of the
// files of the output folder.
func outputDigest(dest string) (string, error) {
	var lines []string
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, p+"\x00"+strconv.FormatInt(info.Size(), 10)+"\x00"+strconv.FormatInt(info.ModTime().UnixNano(), 10))
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l+"\n")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// current reports whether the output folder holds the build of this
// fingerprint, untouched since; it returns what that build published.
func current(dest, fingerprint string) (manifest, bool) {
	var m manifest
	if fingerprint == "" {
		return m, false
	}
	b, err := os.ReadFile(manifestPath(dest))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Fingerprint != fingerprint {
		return m, false
	}
	digest, err := outputDigest(dest)
	return m, err == nil && digest == m.Output
}

// saveManifest records a build that was published; it writes the file only
// when its content changes.
func saveManifest(dest string, m manifest) error {
	if m.Fingerprint == "" {
		err := os.Remove(manifestPath(dest))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	digest, err := outputDigest(dest)
	if err != nil {
		return err
	}
	m.Output = digest
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	name := manifestPath(dest)
	if old, err := os.ReadFile(name); err == nil && string(old) == string(b) {
		return nil
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}
