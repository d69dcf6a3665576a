package builder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sync/errgroup"
)

// Publisher writes the files of a build, so that readers and hosts see the
// old site or the new one, never a mix, and so that it removes nothing it
// did not write.
//
// The new site is built whole in a staging folder beside the output
// (.public.staging): a file equal to the published one is hard-linked from
// it (no write: same inode, same modification time, so `rsync -a` sends
// nothing for it), the others are written. Commit then switches the two
// folders in one step (renameat2 RENAME_EXCHANGE on Linux; elsewhere two
// renames, which a crash between them leaves to the next build to finish)
// and removes the old tree. When there is no published site, files are
// written straight into the staging folder, which becomes the output with
// one rename.
//
// The manifest beside the output (.public.manifest) lists the files the
// program wrote and journals the commit: a build killed at any step leaves
// the old site or the new one, and the next build finishes or undoes the
// commit and removes the staging folders it owns. A folder the program did
// not write (a file it does not list, or a non-empty folder with no
// manifest) is never replaced: the build stops and names what it found.
//
// Write is safe for concurrent use.
type Publisher struct {
	dest, stage, old string
	rawDest          string // dest as given, for manifests of version 1

	fresh bool     // no published site: nothing to compare with or link from
	prev  manifest // the manifest of the published site

	fingerprint string
	pages       int

	switched bool   // the new site is in place: Abort must leave it
	unlock   func() // releases the lock on the output's parent folder

	mu        sync.Mutex
	produced  map[string]bool // slash paths relative to dest
	unchanged []string        // equal to the published file: to link
	staged    []treeEntry     // the files written, for the digest of the output
	dirs      sync.Map        // staging folders already created

	files, written atomic.Int64
	bytes          atomic.Int64
}

// PublishStats counts what a publisher did.
type PublishStats struct {
	Files   int   // files produced by the build
	Bytes   int64 // their total size
	Written int   // files that changed and were written
	Removed int   // stale files removed from the output
}

// NewPublisher prepares a publisher for the output folder dest. A commit
// that a crash interrupted is finished or undone first. It fails, touching
// nothing, when dest holds anything the program did not write, or when a
// folder of the published site could not be replaced.
func NewPublisher(dest string) (_ *Publisher, err error) {
	real, err := outputPath(dest)
	if err != nil {
		return nil, err
	}
	p := &Publisher{dest: real, rawDest: dest, stage: sibling(real, "staging"), old: sibling(real, "old"), produced: map[string]bool{}}
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDir(filepath.Dir(real))
	if err != nil {
		if errors.Is(err, errBusy) {
			return nil, fmt.Errorf("another build is publishing beside %s: wait for it to end", real)
		}
		return nil, err
	}
	p.unlock = sync.OnceFunc(unlock)
	defer func() {
		if err != nil {
			p.unlock()
		}
	}()
	if err := recoverCommit(real); err != nil {
		return nil, err
	}
	if p.prev, err = p.checkOwned(); err != nil {
		return nil, err
	}
	// Journal the staging folder before creating it, so that the next build
	// knows it for its own if this one is killed.
	journal := p.prev
	journal.Staging = true
	if err := writeManifest(real, journal); err != nil {
		return nil, err
	}
	if err := os.Mkdir(p.stage, 0o755); err != nil {
		return nil, fmt.Errorf("staging folder: %w", err)
	}
	return p, nil
}

// checkOwned reads the manifest of the output folder and checks that the
// folder holds only files this program wrote, in folders it can replace.
func (p *Publisher) checkOwned() (manifest, error) {
	st, err := os.Lstat(p.dest)
	if errors.Is(err, fs.ErrNotExist) {
		p.fresh = true
		return manifest{}, nil
	}
	if err != nil {
		return manifest{}, err
	}
	if !st.IsDir() {
		return manifest{}, fmt.Errorf("output %s is a file, not a folder", p.dest)
	}
	m, found, err := readManifest(p.dest, false)
	legacy := errors.Is(err, errLegacyManifest)
	if err != nil && !legacy {
		return m, err
	}
	files, dirs, err := scanTree(p.dest)
	if err != nil {
		return m, fmt.Errorf("output folder %s: %w", p.dest, err)
	}
	switch {
	case !found:
		// A folder made by hand for the site is fine, if empty.
		if len(files) > 0 {
			return m, p.foreign(files, nil)
		}
		if len(dirs) > 1 {
			return m, p.foreign(nil, dirs[1:])
		}
		p.fresh = true
		return manifest{}, nil
	case legacy:
		// Version 1 listed no files; its digest vouches for them when the
		// folder is as that build left it.
		if d := legacyDigest(p.rawDest, files); d != m.Output && legacyDigest(p.dest, files) != m.Output {
			return m, fmt.Errorf("output folder %s changed since it was published by an earlier version, which did not record its files: "+
				"move it away (or delete it) and build again", p.dest)
		}
		m = manifest{Fingerprint: ""}
		for _, f := range files {
			m.owned = append(m.owned, f.rel)
		}
		slices.Sort(m.owned)
	}
	var stray []treeEntry
	for _, f := range files {
		if _, ok := slices.BinarySearch(m.owned, f.rel); !ok || !f.mode.IsRegular() {
			stray = append(stray, f)
		}
	}
	if len(stray) > 0 {
		return m, p.foreign(stray, nil)
	}
	// The old tree is removed after the switch: each of its folders must
	// let us, or the build stops now, with the site intact.
	for _, d := range dirs {
		if err := writable(filepath.Join(p.dest, filepath.FromSlash(d))); err != nil {
			return m, fmt.Errorf("output folder %s cannot be replaced: %w", p.dest, err)
		}
	}
	p.fresh = len(m.owned) == 0
	return m, nil
}

// foreign is the error for an output folder holding what the program did
// not write.
func (p *Publisher) foreign(files []treeEntry, dirs []string) error {
	slices.SortFunc(files, func(a, b treeEntry) int { return strings.Compare(a.rel, b.rel) })
	slices.Sort(dirs)
	var first string
	n := len(files) + len(dirs)
	if len(files) > 0 {
		first = files[0].rel
	} else {
		first = dirs[0] + "/"
	}
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (and %d more)", n-1)
	}
	return fmt.Errorf("output folder %s holds %q%s, which territoires did not write: "+
		"the build publishes only into a folder it created, and never removes what it did not write; "+
		"move these files away, or set output to a new folder", p.dest, first, more)
}

// Describe records, for the manifest, the fingerprint of the build's inputs
// and its number of pages.
func (p *Publisher) Describe(fingerprint string, pages int) {
	p.fingerprint, p.pages = fingerprint, pages
}

// Write publishes data at the slash-separated path rel ("commune/69123/index.html").
func (p *Publisher) Write(rel string, data []byte) error {
	if !fs.ValidPath(rel) || rel == "." || strings.ContainsAny(rel, "\n\r") {
		return fmt.Errorf("publish %q: invalid path", rel)
	}
	p.mu.Lock()
	dup := p.produced[rel]
	p.produced[rel] = true
	p.mu.Unlock()
	if dup {
		return fmt.Errorf("publish %q: written twice in one build", rel)
	}
	p.files.Add(1)
	p.bytes.Add(int64(len(data)))
	if !p.fresh {
		published := filepath.Join(p.dest, filepath.FromSlash(rel))
		if same, err := sameContent(published, data); err != nil {
			return fmt.Errorf("publish %q: %w", rel, err)
		} else if same {
			// Linked by Commit, if anything changed at all.
			p.mu.Lock()
			p.unchanged = append(p.unchanged, rel)
			p.mu.Unlock()
			return nil
		}
	}
	target, err := p.stageDir(rel)
	if err != nil {
		return fmt.Errorf("publish %q: %w", rel, err)
	}
	crashPoint("writing")
	mtime, err := writeFile(target, data, 0o644)
	if err != nil {
		return fmt.Errorf("publish %q: %w", rel, err)
	}
	p.mu.Lock()
	p.staged = append(p.staged, treeEntry{rel: rel, size: int64(len(data)), mtime: mtime, mode: 0o644})
	p.mu.Unlock()
	p.written.Add(1)
	return nil
}

// stageDir creates the folder of rel in the staging folder and returns
// the path of rel there.
func (p *Publisher) stageDir(rel string) (string, error) {
	target := filepath.Join(p.stage, filepath.FromSlash(rel))
	if dir := filepath.Dir(target); dir != p.stage {
		if _, done := p.dirs.Load(dir); !done {
			// Most folders are new and their parent exists: one mkdir,
			// where MkdirAll would stat the folder and its parent first.
			if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return "", err
				}
			}
			p.dirs.Store(dir, true)
		}
	}
	return target, nil
}

// linkUnchanged hard-links the unchanged files of the published site into
// the staging folder (a file that cannot be linked is copied).
func (p *Publisher) linkUnchanged() error {
	var g errgroup.Group
	g.SetLimit(4)
	for _, rel := range p.unchanged {
		g.Go(func() error {
			target, err := p.stageDir(rel)
			if err != nil {
				return err
			}
			published := filepath.Join(p.dest, filepath.FromSlash(rel))
			if os.Link(published, target) == nil {
				return nil
			}
			data, err := os.ReadFile(published)
			if err == nil {
				err = os.WriteFile(target, data, 0o644)
			}
			return err
		})
	}
	return g.Wait()
}

var readBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sameContent reports whether the file at name holds exactly data.
func sameContent(name string, data []byte) (bool, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(data)) {
		return false, err
	}
	buf := readBufs.Get().(*bytes.Buffer)
	defer readBufs.Put(buf)
	buf.Reset()
	if _, err := io.Copy(buf, f); err != nil {
		return false, err
	}
	return bytes.Equal(buf.Bytes(), data), nil
}

// Abort drops the staging folder; the output folder is left as it was.
func (p *Publisher) Abort() error {
	defer p.unlock()
	if p.switched {
		return nil
	}
	if err := os.RemoveAll(p.stage); err != nil {
		return err
	}
	prev := p.prev
	prev.Staging, prev.Swap = false, false
	return writeManifest(p.dest, prev)
}

// Commit switches the output folder to the new site and removes the old
// one, and records the new site in the manifest.
func (p *Publisher) Commit() (_ PublishStats, err error) {
	defer func() {
		if err == nil {
			p.unlock()
		}
	}()
	st := PublishStats{Files: int(p.files.Load()), Bytes: p.bytes.Load(), Written: int(p.written.Load())}
	next := manifest{Fingerprint: p.fingerprint, Pages: p.pages, Files: st.Files, Bytes: st.Bytes}
	next.owned = make([]string, 0, len(p.produced))
	for rel := range p.produced {
		next.owned = append(next.owned, rel)
	}
	slices.Sort(next.owned)
	for _, rel := range p.prev.owned {
		if !p.produced[rel] {
			st.Removed++
		}
	}
	if !p.fresh && st.Written == 0 && st.Removed == 0 {
		// The same files: keep the published folder as it is.
		if err := os.RemoveAll(p.stage); err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
		digest, err := outputDigest(p.dest)
		if err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
		next.Output = digest
		return st, writeManifest(p.dest, next)
	}
	if err := p.linkUnchanged(); err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	crashPoint("staged")
	// The digest of what was staged: when every file was written by this
	// build, the publisher knows them all; linked files are read back.
	files := p.staged
	if len(p.unchanged) > 0 {
		if files, _, err = scanTree(p.stage); err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
	}
	next.Output = treeDigest(files)

	journal := next
	journal.Staging, journal.Swap = true, true
	journal.owned = union(p.prev.owned, next.owned)
	if err := writeManifest(p.dest, journal); err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	crashPoint("journaled")
	oldTree, err := p.switchFolders()
	if err != nil {
		// Nothing was switched: the published site is whole.
		return st, fmt.Errorf("commit: %w", errors.Join(err, p.Abort()))
	}
	p.switched = true
	crashPoint("switched")
	if oldTree != "" {
		if err := removeTree(oldTree); err != nil {
			// The next build removes what is left.
			journal.Swap = false
			writeManifest(p.dest, journal)
			return st, fmt.Errorf("commit: the new site is published, but the old one could not be removed: %w", err)
		}
	}
	crashPoint("cleaned")
	if err := writeManifest(p.dest, next); err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	return st, nil
}

// switchFolders puts the staging folder in place of the output folder, in
// one step where the system can, and returns where the old site went ("":
// there was none).
func (p *Publisher) switchFolders() (string, error) {
	if _, err := os.Lstat(p.dest); errors.Is(err, fs.ErrNotExist) {
		return "", os.Rename(p.stage, p.dest)
	}
	err := exchangeFolders(p.stage, p.dest)
	if err == nil {
		return p.stage, nil
	}
	if !errors.Is(err, errNoExchange) {
		return "", err
	}
	// Two renames: between them the output folder does not exist, and a
	// crash there is finished by the next build (recoverCommit).
	if err := os.Rename(p.dest, p.old); err != nil {
		return "", err
	}
	crashPoint("half-switched")
	if err := os.Rename(p.stage, p.dest); err != nil {
		if rerr := os.Rename(p.old, p.dest); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		return "", err
	}
	return p.old, nil
}

// errBusy says that another build holds the lock.
var errBusy = errors.New("locked by another build")

// exchangeFolders is exchange, replaced by tests of the other systems' way.
var exchangeFolders = exchange

// recoverCommit finishes or undoes the commit of a build that was killed,
// as its manifest journals it, and removes the staging folders it owns.
func recoverCommit(dest string) error {
	m, found, err := readManifest(dest, false)
	if errors.Is(err, errLegacyManifest) {
		found, err = false, nil
	}
	if err != nil {
		return err
	}
	stage, old := sibling(dest, "staging"), sibling(dest, "old")
	if !found || (!m.Staging && !m.Swap) {
		for _, d := range []string{stage, old} {
			if _, err := os.Lstat(d); err == nil {
				return fmt.Errorf("found %s, which no build of this program recorded: remove it if it is not yours", d)
			}
		}
		return nil
	}
	if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) && m.Swap {
		// Killed between the two renames of a switch: the new site is
		// whole in the staging folder if its digest says so.
		if files, _, err := scanTree(stage); err == nil && treeDigest(files) == m.Output {
			err = os.Rename(stage, dest)
		} else if _, err = os.Lstat(old); err == nil {
			err = os.Rename(old, dest)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("recover the output folder: %w", err)
		}
	}
	for _, d := range []string{stage, old} {
		if err := removeTree(d); err != nil {
			return fmt.Errorf("remove a folder left by a killed build: %w", err)
		}
	}
	// Own what the output now holds of what the journal listed.
	files, _, err := scanTree(dest)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f.rel] = true
	}
	owned := m.owned[:0]
	for _, rel := range m.owned {
		if present[rel] {
			owned = append(owned, rel)
		}
	}
	m.owned, m.Staging, m.Swap = owned, false, false
	return writeManifest(dest, m)
}

// removeTree removes a folder this program wrote, with a few workers (a
// site holds tens of thousands of folders). A missing folder is not an error.
func removeTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// The files and the children of the folders of the top level, so that
	// the workers share the largest folders (commune/ holds 35,000).
	var parts []string
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			parts = append(parts, name)
			continue
		}
		sub, err := os.ReadDir(name)
		if err != nil {
			return err
		}
		for _, c := range sub {
			parts = append(parts, filepath.Join(name, c.Name()))
		}
	}
	var g errgroup.Group
	g.SetLimit(4)
	for i, name := range parts {
		if i == len(parts)/2 {
			crashPoint("removing")
		}
		g.Go(func() error { return os.RemoveAll(name) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return os.RemoveAll(dir) // the emptied folders
}

// union merges two sorted lists.
func union(a, b []string) []string {
	out := make([]string, 0, max(len(a), len(b)))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// crashAt names a step of the commit where the process kills itself, for
// the tests that check that a build killed at any step leaves a whole site
// (TERRITOIRES_TEST_CRASH_AT; see publish_test.go).
var crashAt = os.Getenv("TERRITOIRES_TEST_CRASH_AT")

func crashPoint(step string) {
	if crashAt == step {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Kill()
			select {}
		}
	}
}

// indexFile builds the slash path of a page's index.html from its URL path.
func indexFile(urlPath string) string {
	return path.Join(strings.Trim(urlPath, "/"), "index.html")
}
