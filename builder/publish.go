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
)

// Publisher writes the files of a build. Files whose content equals the
// published copy are skipped; the others are staged in a folder beside the
// output and moved into place by Commit, which also removes the published
// files that the build no longer produces. Until Commit, the output folder
// is not touched, so a build that fails leaves it whole.
//
// Write is safe for concurrent use.
type Publisher struct {
	dest, stage string

	fresh bool // dest does not exist: nothing to compare with

	mu       sync.Mutex
	produced map[string]bool // slash paths relative to dest
	staged   []string
	dirs     sync.Map // staging folders already created

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

// NewPublisher prepares a publisher for the output folder dest. A staging
// folder left by a crashed build is removed.
func NewPublisher(dest string) (*Publisher, error) {
	dest = filepath.Clean(dest)
	stage := filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".staging")
	if err := os.RemoveAll(stage); err != nil {
		return nil, fmt.Errorf("remove stale staging folder: %w", err)
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, err
	}
	_, err := os.Stat(dest)
	return &Publisher{dest: dest, stage: stage, produced: map[string]bool{}, fresh: errors.Is(err, fs.ErrNotExist)}, nil
}

// Write publishes data at the slash-separated path rel ("commune/69123/index.html").
func (p *Publisher) Write(rel string, data []byte) error {
	if !fs.ValidPath(rel) || rel == "." {
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
		if same, err := sameContent(filepath.Join(p.dest, filepath.FromSlash(rel)), data); err != nil {
			return fmt.Errorf("publish %q: %w", rel, err)
		} else if same {
			return nil
		}
	}
	target := filepath.Join(p.stage, filepath.FromSlash(rel))
	if dir := filepath.Dir(target); dir != p.stage {
		if _, done := p.dirs.Load(dir); !done {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("publish %q: %w", rel, err)
			}
			p.dirs.Store(dir, true)
		}
	}
	if err := os.WriteFile(target, data, 0o644); err != nil {
		return fmt.Errorf("publish %q: %w", rel, err)
	}
	p.written.Add(1)
	p.mu.Lock()
	p.staged = append(p.staged, rel)
	p.mu.Unlock()
	return nil
}

var readBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sameContent reports whether the file at name holds exactly data.
func sameContent(name string, data []byte) (bool, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
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

// Abort drops the staged files; the output folder is left as it was.
func (p *Publisher) Abort() error { return os.RemoveAll(p.stage) }

// Commit moves the staged files into the output folder and removes the
// published files that this build did not produce.
func (p *Publisher) Commit() (PublishStats, error) {
	st := PublishStats{Files: int(p.files.Load()), Bytes: p.bytes.Load(), Written: int(p.written.Load())}
	if _, err := os.Stat(p.dest); p.fresh && errors.Is(err, fs.ErrNotExist) {
		// First build: the staging folder is the whole site.
		if err := os.Rename(p.stage, p.dest); err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
		return st, nil
	}
	slices.Sort(p.staged)
	for _, rel := range p.staged {
		target := filepath.Join(p.dest, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
		// A folder where a file now goes (or the reverse) must go first.
		if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
			if err := os.RemoveAll(target); err != nil {
				return st, fmt.Errorf("commit: %w", err)
			}
		}
		if err := os.Rename(filepath.Join(p.stage, filepath.FromSlash(rel)), target); err != nil {
			return st, fmt.Errorf("commit: %w", err)
		}
	}
	removed, err := p.removeStale()
	st.Removed = removed
	if err != nil {
		return st, fmt.Errorf("commit: %w", err)
	}
	return st, os.RemoveAll(p.stage)
}

// removeStale deletes the files of dest that the build did not produce, and
// the folders left empty.
func (p *Publisher) removeStale() (int, error) {
	var stale, dirs []string
	err := filepath.WalkDir(p.dest, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(p.dest, name)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			dirs = append(dirs, name)
			return nil
		}
		if !p.produced[rel] {
			stale = append(stale, name)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, name := range stale {
		if err := os.Remove(name); err != nil {
			return 0, err
		}
	}
	// Deepest first, so a parent is tried after its children.
	slices.SortFunc(dirs, func(a, b string) int {
		return strings.Count(b, string(filepath.Separator)) - strings.Count(a, string(filepath.Separator))
	})
	for _, d := range dirs {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			os.Remove(d)
		}
	}
	return len(stale), nil
}

// join builds the slash path of a page's index.html from its URL path.
func indexFile(urlPath string) string {
	return path.Join(strings.Trim(urlPath, "/"), "index.html")
}
