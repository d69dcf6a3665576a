package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Cache keeps one entry per request on disk, under Dir/<host>/<xx>/<hash>:
// a metadata file <hash>.json and a body file <hash>-<sha256 prefix>.body.
// The body is written first and named after its content, then the metadata
// that points at it, each through a temporary file that is fsynced and
// renamed: a process killed at any instant leaves a readable old entry, a
// readable new one, or no entry, never a mix.
//
// Lookup checks every entry before it is used: metadata that decodes, a
// body that is a regular file inside the cache, not empty, of the stored
// size and sha256. An entry that fails is reported (a warning naming it)
// and counts as missing, so that it is fetched again. The sha256 is
// computed once per body and process (about 0.9 GB/s on one core).
//
// A Cache is safe for concurrent use by one process. Entries of different
// requests never share files.
type Cache struct {
	Dir string
	// Logger receives the warnings about damaged entries; nil means
	// slog.Default().
	Logger *slog.Logger

	checked sync.Map // body path → bodyStamp of a body whose sha256 matched
}

// bodyStamp identifies a body file's content as verified: if the file's
// size or modification time change, it is hashed again.
type bodyStamp struct {
	size   int64
	mtime  time.Time
	sha256 string
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
// A damaged entry (see Cache) is reported and counts as none: the request
// will be made again. The error is for a metadata file that exists but
// cannot be read.
func (c *Cache) Lookup(host, key string) (*Entry, error) {
	dir, metaPath := c.paths(host, key)
	b, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cache entry %s: %w", metaPath, err)
	}
	m, err := decodeMeta(b, key, filepath.Base(metaPath))
	if err == nil {
		err = c.verify(host, dir, m)
	}
	if err != nil {
		log := c.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("damaged cache entry ignored; it will be fetched again",
			"entry", metaPath, "url", m.URL, "problem", err.Error())
		return nil, nil
	}
	return &Entry{Meta: m, dir: dir}, nil
}

// decodeMeta decodes the metadata file named name (<hash>.json) of key and
// checks that it describes a body this cache could have written: a name
// derived from the file's own name and the body's sha256, hence a plain
// file name in the same directory, never a path.
func decodeMeta(b []byte, key, name string) (Meta, error) {
	var m Meta
	if len(bytes.TrimSpace(b)) == 0 {
		return m, errors.New("empty metadata file")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Meta{}, fmt.Errorf("metadata does not decode: %w", err)
	}
	switch {
	case m.Key != key:
		return m, fmt.Errorf("metadata of another request (key %.80q)", m.Key)
	case m.Size <= 0:
		return m, fmt.Errorf("body of %d bytes", m.Size)
	case m.Status < 100 || m.Status > 599:
		return m, fmt.Errorf("status %d", m.Status)
	case !isSHA256(m.SHA256):
		return m, fmt.Errorf("sha256 %.80q is not 64 hexadecimal digits", m.SHA256)
	case m.Body != bodyName(name, m.SHA256):
		return m, fmt.Errorf("body %.80q, want %s", m.Body, bodyName(name, m.SHA256))
	}
	return m, nil
}

// bodyName is the name of the body file with this sha256 of the metadata
// file metaName.
func bodyName(metaName, sha string) string {
	return strings.TrimSuffix(metaName, ".json") + "-" + sha[:min(len(sha), 16)] + ".body"
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// verify checks that the body of m, in dir, is a regular file of the
// cache of m's size and sha256. The directories on the way must not be
// symbolic links either, so that no entry reads outside the cache.
func (c *Cache) verify(host, dir string, m Meta) error {
	for _, d := range []string{filepath.Join(c.Dir, host), dir} {
		if fi, err := os.Lstat(d); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a directory of the cache", d)
		}
	}
	path := filepath.Join(dir, m.Body)
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return fmt.Errorf("body: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("body %s is not a regular file (%v)", m.Body, fi.Mode().Type())
	case fi.Size() != m.Size:
		return fmt.Errorf("body of %d bytes, want %d: truncated or altered", fi.Size(), m.Size)
	}
	stamp := bodyStamp{size: fi.Size(), mtime: fi.ModTime(), sha256: m.SHA256}
	if v, ok := c.checked.Load(path); ok && v.(bodyStamp) == stamp {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	defer f.Close()
	hw := newHashingWriter(io.Discard)
	if _, err := io.Copy(hw, f); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	if got := hw.sum(); got != m.SHA256 {
		return fmt.Errorf("body's sha256 is %s, want %s: altered", got[:16], m.SHA256[:16])
	}
	c.checked.Store(path, stamp)
	return nil
}

// remember records a body just written, whose sha256 is known, as verified.
func (c *Cache) remember(path string, m Meta) {
	if fi, err := os.Lstat(path); err == nil {
		c.checked.Store(path, bodyStamp{size: fi.Size(), mtime: fi.ModTime(), sha256: m.SHA256})
	}
}

// Put stores body as the entry of a request, as a fetch would: m says what
// it answers (URL, Status, Vintage...); its Key, Size, SHA256 and Body are
// set from key and body. Tests and tools outside the engine use it to
// write an entry without a server.
func (c *Cache) Put(host, key string, m Meta, body io.Reader) (*Entry, error) {
	p, err := c.create(host, key)
	if err != nil {
		return nil, err
	}
	hw := newHashingWriter(p.f)
	if _, err := io.Copy(hw, body); err != nil {
		p.discard()
		return nil, fmt.Errorf("cache: %w", err)
	}
	if hw.n == 0 {
		p.discard()
		return nil, errors.New("cache: empty body")
	}
	m.Size, m.SHA256 = hw.n, hw.sum()
	return p.commit(m)
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
	p.c.remember(filepath.Join(p.dir, m.Body), m)
	// The previous body, if the old metadata names one this cache wrote;
	// not through Lookup, which would hash it.
	var old Meta
	oldBody := ""
	if b, err := os.ReadFile(metaPath); err == nil && json.Unmarshal(b, &old) == nil && isSHA256(old.SHA256) {
		oldBody = bodyName(filepath.Base(metaPath), old.SHA256)
	}
	if err := writeMeta(p.dir, metaPath, m); err != nil {
		return nil, err
	}
	if oldBody != "" && oldBody != m.Body {
		os.Remove(filepath.Join(p.dir, oldBody))
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
