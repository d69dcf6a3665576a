package builder

import (
	"bufio"
	"bytes"
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
	"strings"
	"sync"
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
//
// The manifest is also the record of what the build owns: the list of the
// files it wrote into the output folder (so that it never removes one it
// did not write), and whether a staging folder beside the output is its own
// (see publish.go). Its first line is a JSON header, which is all a current
// site needs read; each following line is the slash path of a file.

const manifestVersion = 2

type manifest struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	Output      string `json:"output"` // digest of the output folder's files
	Pages       int    `json:"pages"`
	Files       int    `json:"files"`
	Bytes       int64  `json:"bytes"`
	// Staging is set while a staging folder of this program may exist
	// beside the output folder (a build under way, or one that was killed).
	Staging bool `json:"staging,omitempty"`
	// Swap is set while the staging folder holds the whole new site, from
	// just before the switch to the end of the commit: Fingerprint and
	// Output are then the new site's, and the owned files those of both.
	Swap bool `json:"swap,omitempty"`

	owned []string // files of the output folder written by this program, sorted slash paths
}

// sibling names a file or folder beside the output folder: ".public.<what>".
func sibling(dest, what string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+"."+what)
}

func manifestPath(dest string) string { return sibling(filepath.Clean(dest), "manifest") }

// outputPath is the absolute path of the output folder, with its symbolic
// links resolved: the staging folder must be on the same file system as
// the folder it replaces.
func outputPath(dest string) (string, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return abs, nil
}

// errLegacyManifest marks a manifest of an earlier version, which did not
// list the files it published.
var errLegacyManifest = errors.New("manifest of an earlier version")

// readManifest reads the manifest of dest; found is false when there is none.
// With header set, it reads the first line only (no owned files).
func readManifest(dest string, header bool) (m manifest, found bool, err error) {
	f, err := os.Open(manifestPath(dest))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	first, err := r.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return m, true, err
	}
	if json.Unmarshal(first, &m) != nil || m.Version != manifestVersion {
		rest, _ := io.ReadAll(r)
		if json.Unmarshal(append(first, rest...), &m) == nil && m.Version == 0 {
			return m, true, errLegacyManifest
		}
		return m, true, fmt.Errorf("%s: not a manifest of this program", manifestPath(dest))
	}
	if header {
		return m, true, nil
	}
	for {
		line, err := r.ReadString('\n')
		if line = strings.TrimSuffix(line, "\n"); line != "" {
			m.owned = append(m.owned, line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, true, err
		}
	}
	if !slices.IsSorted(m.owned) {
		slices.Sort(m.owned)
	}
	return m, true, nil
}

// writeManifest replaces the manifest of dest in one step (a new file renamed
// over the old), synced, so that a crash leaves the old one or the new one.
func writeManifest(dest string, m manifest) error {
	m.Version = manifestVersion
	head, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(head) + 1 + 32*len(m.owned))
	b.Write(head)
	b.WriteByte('\n')
	for _, rel := range m.owned {
		b.WriteString(rel)
		b.WriteByte('\n')
	}
	name := manifestPath(dest)
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	_, err = f.Write(b.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
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

// treeEntry is a file of a published tree.
type treeEntry struct {
	rel   string // slash path
	size  int64
	mtime int64
	mode  fs.FileMode
}

// scanTree lists the files (anything but folders) of the tree at root, and
// its folders; paths are relative, slash-separated, in no set order. The
// sub-folders of the top level are walked by a few workers: a rebuild with
// nothing new is mostly this walk (150,000 files).
func scanTree(root string) (files []treeEntry, dirs []string, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, err
	}
	dirs = []string{"."}
	var tops []string
	for _, e := range entries {
		if !e.IsDir() {
			info, err := e.Info()
			if err != nil {
				return nil, nil, err
			}
			files = append(files, entryOf(e.Name(), info))
			continue
		}
		dirs = append(dirs, e.Name())
		sub, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		for _, s := range sub {
			rel := e.Name() + "/" + s.Name()
			if !s.IsDir() {
				info, err := s.Info()
				if err != nil {
					return nil, nil, err
				}
				files = append(files, entryOf(rel, info))
				continue
			}
			tops = append(tops, rel)
		}
	}
	// Walk the folders of the second level in parallel: commune/ alone
	// holds 35,000.
	const workers = 4
	type result struct {
		files []treeEntry
		dirs  []string
		err   error
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			for i := w; i < len(tops) && r.err == nil; i += workers {
				r.err = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(tops[i])), func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						return err
					}
					rel, err := filepath.Rel(root, p)
					if err != nil {
						return err
					}
					rel = filepath.ToSlash(rel)
					if d.IsDir() {
						r.dirs = append(r.dirs, rel)
						return nil
					}
					info, err := d.Info()
					if err != nil {
						return err
					}
					r.files = append(r.files, entryOf(rel, info))
					return nil
				})
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return nil, nil, r.err
		}
		files = append(files, r.files...)
		dirs = append(dirs, r.dirs...)
	}
	return files, dirs, nil
}

func entryOf(rel string, info fs.FileInfo) treeEntry {
	return treeEntry{rel: rel, size: info.Size(), mtime: info.ModTime().UnixNano(), mode: info.Mode()}
}

// treeDigest digests the relative paths, sizes and modification times of
// files. It does not depend on where the tree is, so that a staging folder
// and the output folder it becomes have the same digest.
func treeDigest(files []treeEntry) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = f.rel + "\x00" + strconv.FormatInt(f.size, 10) + "\x00" + strconv.FormatInt(f.mtime, 10)
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// outputDigest digests the files of the output folder.
func outputDigest(dest string) (string, error) {
	files, _, err := scanTree(dest)
	if err != nil {
		return "", err
	}
	return treeDigest(files), nil
}

// legacyDigest is the digest of the manifests of version 1, which hashed
// full paths: it lets the first build of this version adopt a folder that
// an earlier one published, untouched since.
func legacyDigest(dest string, files []treeEntry) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = filepath.Join(dest, filepath.FromSlash(f.rel)) + "\x00" + strconv.FormatInt(f.size, 10) + "\x00" + strconv.FormatInt(f.mtime, 10)
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// current reports whether the output folder holds the build of this
// fingerprint, untouched since; it returns what that build published. A
// commit that a crash interrupted is finished or undone first.
func current(dest, fingerprint string) (manifest, bool) {
	dest, err := outputPath(dest)
	if err != nil || fingerprint == "" {
		return manifest{}, false
	}
	m, found, err := readManifest(dest, true)
	if err != nil || !found {
		return m, false
	}
	if m.Staging || m.Swap {
		unlock, err := lockDir(filepath.Dir(dest))
		if err != nil {
			return m, false // a build under way: NewPublisher says so
		}
		err = recoverCommit(dest)
		unlock()
		if err != nil {
			return m, false // NewPublisher tries again and says why
		}
		if m, _, err = readManifest(dest, true); err != nil {
			return m, false
		}
	}
	if m.Fingerprint != fingerprint {
		return m, false
	}
	digest, err := outputDigest(dest)
	return m, err == nil && digest == m.Output
}
