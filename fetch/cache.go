package fetch

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
	"strings"
	"time"
)

// Cache keeps one entry per request on disk, under Dir/<host>/<xx>/<hash>:
// a metadata file <hash>.json and a body file <hash>-<sha256 prefix>.body.
// The body is written first and named after its content, then the metadata
// that points at it, each through a temporary file that is fsynced and
// renamed: a process killed at any instant leaves a readable old entry, a
// readable new one, or no entry, never a mix.
//
// A Cache is safe for concurrent use by one process. Entries of different
// requests never share files.
type Cache struct {
	Dir string
}

// Meta describes a cached answer. It never holds request headers, so no
// credential reaches the disk.
type Meta struct {
	Key          string    `json:"key"`     // the request's cache key
	URL          string    `json:"url"`     // the URL asked, without credentials
	Status       int       `json:"status"`  // 200, or a status the host keeps as data (DDL 404)
	Vintage      string    `json:"vintage"` // the data vintage the request asked for
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	Body         string    `json:"body"`    // body file name, in the metadata's directory
	Fetched      time.Time `json:"fetched"` // when the body was downloaded
	Checked      time.Time `json:"checked"` // when the server last confirmed it (200 or 304)
}

// Origin says where an Entry returned by Engine.Fetch came from.
type Origin uint8

const (
	FromCache       Origin = iota // cached for this vintage: no call
	FromNetwork                   // downloaded now
	FromNotModified               // cached, confirmed now by a 304
)

// Entry is one cached answer.
type Entry struct {
	Meta
	Origin Origin // how this Fetch obtained it; not stored
	dir    string
}

// Open opens the entry's body. The caller closes it.
func (e *Entry) Open() (*os.File, error) {
	f, err := os.Open(filepath.Join(e.dir, e.Body))
	if err != nil {
		return nil, fmt.Errorf("open cached body of %s: %w", e.URL, err)
	}
	return f, nil
}

// staleTemp is the age after which a temporary file is a leftover of a
// killed run: a live download writes to its file at least every
// StallTimeout, so its modification time stays recent.
const staleTemp = time.Hour

// OpenCache opens (creating it if needed) the cache in dir and removes the
// temporary files a killed run left more than an hour ago. Files of a run
// in progress in another process are left alone; lookups ignore all
// temporary files anyway.
func OpenCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	c := &Cache{Dir: dir}
	old := time.Now().Add(-staleTemp)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.ModTime().Before(old) {
			return os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open cache: clean temporary files: %w", err)
	}
	return c, nil
}

const tmpPrefix = ".tmp-"

// paths returns the directory and metadata file of a request.
func (c *Cache) paths(host, key string) (dir, meta string) {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	dir = filepath.Join(c.Dir, host, h[:2])
	return dir, filepath.Join(dir, h+".json")
}

// Lookup returns the cached entry of a request, or nil if there is none.
// A metadata file that does not decode or whose body is missing or of the
// wrong size counts as no entry: the request will be made again.
func (c *Cache) Lookup(host, key string) (*Entry, error) {
	dir, metaPath := c.paths(host, key)
	b, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cache entry %s: %w", metaPath, err)
	}
	e := &Entry{dir: dir}
	if err := json.Unmarshal(b, &e.Meta); err != nil || e.Key != key || e.Body == "" {
		return nil, nil
	}
	fi, err := os.Stat(filepath.Join(dir, e.Body))
	if err != nil || fi.Size() != e.Size {
		return nil, nil
	}
	return e, nil
}

// pending is a body being written to a temporary file.
type pending struct {
	c    *Cache
	host string
	key  string
	dir  string
	f    *os.File
}

// create starts a new body for a request.
func (c *Cache) create(host, key string) (*pending, error) {
	dir, _ := c.paths(host, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &pending{c: c, host: host, key: key, dir: dir, f: f}, nil
}

// discard removes the temporary file.
func (p *pending) discard() {
	p.f.Close()
	os.Remove(p.f.Name())
}

// commit makes the body durable and publishes the entry described by m;
// m.Size and m.SHA256 must describe the body.
func (p *pending) commit(m Meta) (*Entry, error) {
	if err := p.f.Sync(); err != nil {
		p.discard()
		return nil, fmt.Errorf("cache: sync body: %w", err)
	}
	if err := p.f.Close(); err != nil {
		os.Remove(p.f.Name())
		return nil, fmt.Errorf("cache: close body: %w", err)
	}
	_, metaPath := p.c.paths(p.host, p.key)
	m.Key = p.key
	m.Body = strings.TrimSuffix(filepath.Base(metaPath), ".json") + "-" + m.SHA256[:16] + ".body"
	if err := os.Rename(p.f.Name(), filepath.Join(p.dir, m.Body)); err != nil {
		os.Remove(p.f.Name())
		return nil, fmt.Errorf("cache: %w", err)
	}
	old, _ := p.c.Lookup(p.host, p.key)
	if err := writeMeta(p.dir, metaPath, m); err != nil {
		return nil, err
	}
	if old != nil && old.Body != m.Body {
		os.Remove(filepath.Join(p.dir, old.Body))
	}
	return &Entry{Meta: m, dir: p.dir}, nil
}

// touch records that the server confirmed an entry (304 Not Modified),
// for the vintage now asked.
func (c *Cache) touch(host string, e *Entry, vintage string, at time.Time) (*Entry, error) {
	m := e.Meta
	m.Vintage = vintage
	m.Checked = at
	_, metaPath := c.paths(host, e.Key)
	if err := writeMeta(e.dir, metaPath, m); err != nil {
		return nil, err
	}
	return &Entry{Meta: m, dir: e.dir}, nil
}

// writeMeta writes a metadata file atomically and durably.
func writeMeta(dir, path string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return fmt.Errorf("cache: encode metadata: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: write metadata: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cache: sync %s: %w", dir, err)
	}
	return nil
}

// hashingWriter counts and hashes what it writes to w.
type hashingWriter struct {
	w    io.Writer
	n    int64
	hash interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func newHashingWriter(w io.Writer) *hashingWriter {
	return &hashingWriter{w: w, hash: sha256.New()}
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.n += int64(n)
	h.hash.Write(p[:n])
	return n, err
}

func (h *hashingWriter) sum() string { return hex.EncodeToString(h.hash.Sum(nil)) }
