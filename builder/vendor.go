package builder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"territoires/assets"
)

// ECharts is not committed: assets/package.json and package-lock.json pin
// it, and vendorECharts installs it with npm ci and bundles the modules that
// assets/echarts-entry.js names with esbuild, once per version of those
// files, into a cache folder outside the repository:
//
//	$TERRITOIRES_VENDOR_DIR/echarts-<hash>/echarts.min.js
//
// where TERRITOIRES_VENDOR_DIR defaults to os.UserCacheDir()/territoires and
// <hash> is a hash of package.json, package-lock.json, echarts-entry.js and
// the esbuild flags. Building several times, from several processes at
// once, installs once: an flock on $TERRITOIRES_VENDOR_DIR/echarts-<hash>.lock
// serialises the installs and the bundle is renamed into place whole.

// vendorDirEnv names the environment variable that overrides the folder
// holding the ECharts installs.
const vendorDirEnv = "TERRITOIRES_VENDOR_DIR"

// errNoNPM is returned when the bundle must be built and npm is missing.
var errNoNPM = errors.New("npm not found: ECharts is installed with npm ci from assets/package.json; install Node.js and npm")

// vendorFiles are the files of assets/ written into the install folder.
var vendorFiles = []string{"package.json", "package-lock.json", "echarts-entry.js"}

const bundleName = "echarts.min.js"

// vendorECharts returns the minified ECharts bundle: an ES2018 script that
// defines the global echarts, with the French locale registered and the SVG
// renderer. The first call for a version of the pinned files installs it
// with npm and says so on log (which may be nil); later calls only read it.
func vendorECharts(ctx context.Context, log io.Writer) ([]byte, error) {
	if log == nil {
		log = io.Discard
	}
	v, err := newVendorBuild(assets.FS)
	if err != nil {
		return nil, fmt.Errorf("echarts: %w", err)
	}
	root, err := vendorRoot()
	if err != nil {
		return nil, fmt.Errorf("echarts: %w", err)
	}
	b, err := v.bundle(ctx, root, log)
	if err != nil {
		return nil, fmt.Errorf("echarts: %w", err)
	}
	return b, nil
}

// vendorRoot returns the folder holding the installs.
func vendorRoot() (string, error) {
	if d := os.Getenv(vendorDirEnv); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder (%v): set %s", err, vendorDirEnv)
	}
	return filepath.Join(d, "territoires"), nil
}

// vendorBuild is one version of the pinned files.
type vendorBuild struct {
	files   map[string][]byte
	version string // of echarts, from the lock file
	key     string // names the install folder
}

func newVendorBuild(fsys fs.FS) (*vendorBuild, error) {
	v := &vendorBuild{files: make(map[string][]byte)}
	h := sha256.New()
	for _, name := range vendorFiles {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		v.files[name] = b
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(v.files["package-lock.json"], &lock); err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	v.version = lock.Packages["node_modules/echarts"].Version
	if v.version == "" {
		return nil, errors.New("package-lock.json: no node_modules/echarts")
	}
	fmt.Fprintln(h, strings.Join(v.esbuildArgs("out"), "\x00"))
	v.key = hex.EncodeToString(h.Sum(nil)[:8])
	return v, nil
}

// esbuildArgs are the arguments of esbuild, writing the bundle to out.
func (v *vendorBuild) esbuildArgs(out string) []string {
	banner := "/*! Apache ECharts " + v.version + " (Apache-2.0, https://echarts.apache.org), " +
		"with ZRender (BSD-3-Clause) and tslib (0BSD): custom build of assets/echarts-entry.js */"
	return []string{
		"echarts-entry.js",
		"--bundle",
		"--minify",
		"--format=iife",
		"--global-name=echarts",
		"--target=es2018",
		"--define:process.env.NODE_ENV=\"production\"",
		"--legal-comments=none",
		"--banner:js=" + banner,
		"--log-level=warning",
		"--outfile=" + out,
	}
}

// bundle returns the bundle under root, building it first if needed.
func (v *vendorBuild) bundle(ctx context.Context, root string, log io.Writer) ([]byte, error) {
	dir := filepath.Join(root, "echarts-"+v.key)
	path := filepath.Join(dir, bundleName)
	if b, err := readBundle(path); err == nil {
		return b, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, errNoNPM
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockFile(ctx, filepath.Join(root, "echarts-"+v.key+".lock"), log)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have built it while we waited for the lock.
	if b, err := readBundle(path); err == nil {
		return b, nil
	}
	fmt.Fprintf(log, "installing ECharts %s with npm ci (once) into %s...\n", v.version, dir)
	start := time.Now()
	if err := v.install(ctx, npm, dir); err != nil {
		return nil, err
	}
	b, err := readBundle(path)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "installed ECharts %s in %.1fs: %s (%d KB)\n", v.version, time.Since(start).Seconds(), path, len(b)>>10)
	return b, nil
}

// install runs npm ci and esbuild in dir and renames the bundle into place.
// The caller holds the lock.
func (v *vendorBuild) install(ctx context.Context, npm, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range vendorFiles {
		if err := os.WriteFile(filepath.Join(dir, name), v.files[name], 0o644); err != nil {
			return err
		}
	}
	// --include=dev: esbuild is a dev dependency, which NODE_ENV=production
	// would otherwise leave out.
	if err := run(ctx, dir, npm, "ci", "--no-audit", "--no-fund", "--include=dev"); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+bundleName+".tmp")
	name, args := filepath.Join(dir, "node_modules", ".bin", "esbuild"), v.esbuildArgs(tmp)
	if _, err := os.Stat(name); err != nil {
		npx, err := exec.LookPath("npx")
		if err != nil {
			return fmt.Errorf("esbuild not installed in %s and npx not found", dir)
		}
		name, args = npx, append([]string{"--no-install", "esbuild"}, args...)
	}
	if err := run(ctx, dir, name, args...); err != nil {
		return err
	}
	if _, err := readBundle(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, bundleName)); err != nil {
		return err
	}
	// node_modules (about 80 MB) is not needed any more: only the bundle is
	// read from now on, and npm ci would start from scratch anyway.
	_ = os.RemoveAll(filepath.Join(dir, "node_modules"))
	return nil
}

// readBundle reads a bundle, refusing an empty file.
func readBundle(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return b, nil
}

// run runs a command in dir; its output is shown only if it fails.
func run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(out.String(), 4000))
	}
	return nil
}

// tail returns the end of s, at most n bytes.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// lockFile takes an exclusive flock on path, waiting for it as long as ctx
// allows, and returns the function that releases it. The kernel releases it
// too if the process dies.
func lockFile(ctx context.Context, path string, log io.Writer) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	for said := false; ; {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !said {
			fmt.Fprintf(log, "waiting for another build installing ECharts (%s)...\n", path)
			said = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}
