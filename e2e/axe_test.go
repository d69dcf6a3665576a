package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe-core is not committed: package.json and package-lock.json pin it,
// and installAxe runs npm ci once per version of the two files into
//
//	$TERRITOIRES_VENDOR_DIR/axe-<hash>/node_modules/axe-core/axe.min.js
//
// beside the ECharts installs of builder/vendor.go (the same folder, by
// default os.UserCacheDir()/territoires), under an flock so that parallel
// test processes install once.
var axe struct {
	once sync.Once
	src  string
	err  error
}

var axeFiles = []string{"package.json", "package-lock.json"}

// axeSource returns the source of axe.min.js, installing it on first use.
func axeSource(t *testing.T) string {
	t.Helper()
	npm := npmPath(t)
	axe.once.Do(func() { axe.src, axe.err = installAxe(npm) })
	if axe.err != nil {
		t.Fatalf("axe-core: %v", axe.err)
	}
	return axe.src
}

func installAxe(npm string) (string, error) {
	h := sha256.New()
	files := map[string][]byte{}
	for _, name := range axeFiles {
		b, err := os.ReadFile(name) // tests run in e2e/
		if err != nil {
			return "", err
		}
		files[name] = b
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	root := os.Getenv("TERRITOIRES_VENDOR_DIR")
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache folder (%v): set TERRITOIRES_VENDOR_DIR", err)
		}
		root = filepath.Join(cache, "territoires")
	}
	key := "axe-" + hex.EncodeToString(h.Sum(nil)[:8])
	dir := filepath.Join(root, key)
	script := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if b, err := os.ReadFile(script); err == nil && len(b) > 0 {
		return string(b), nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(root, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	// Another process may have installed it while we waited.
	if b, err := os.ReadFile(script); err == nil && len(b) > 0 {
		return string(b), nil
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %w\n%s", dir, err, strings.TrimSpace(out.String()))
	}
	b, err := os.ReadFile(script)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", errors.New(script + " is empty")
	}
	fmt.Fprintf(os.Stderr, "e2e: installed axe-core with npm ci in %.1fs into %s\n", time.Since(start).Seconds(), dir)
	return string(b), nil
}

// axeViolation is one rule that fails, as axe.run reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

const axeRunJS = `axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) {
      return {target: n.target.join(' '), summary: (n.failureSummary || '').replace(/\s+/g, ' ')};
    })};
  });
})`

// TestAccessibility runs axe-core in the browser on a commune page, a
// région page and an embed, as loaded and with every data table opened:
// no violation of impact serious or critical (colour contrast among them).
// Lesser ones are logged.
func TestAccessibility(t *testing.T) {
	tb := newTab(t)
	src := axeSource(t)
	tb.do("desktop viewport", desktop)
	for _, tc := range []struct{ name, path string }{
		{"commune", "commune/69123/"},
		{"region", "region/84/"},
		{"embed", "embed/#commune-69123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb.t = t
			tb.open(tc.path)
			tb.waitCharts()
			// Evaluated through DevTools: the page's CSP does not apply.
			eval[chromedp.Void](tb, src)
			for _, state := range []string{"as loaded", "with every table opened"} {
				if state != "as loaded" {
					eval[int](tb, `(function () { var d = document.querySelectorAll('details'); d.forEach(function (x) { x.open = true; }); return d.length; })()`)
				}
				ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
				violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
				cancel()
				if err != nil {
					t.Fatalf("axe.run on %s: %v", tc.path, err)
				}
				for _, v := range violations {
					var nodes []string
					for _, n := range v.Nodes {
						nodes = append(nodes, fmt.Sprintf("\n\t%s: %s", n.Target, n.Summary))
					}
					msg := fmt.Sprintf("%s %s: axe %s (%s): %s%s", tc.path, state, v.ID, v.Impact, v.Help, strings.Join(nodes, ""))
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Error(msg)
					} else {
						t.Log(msg)
					}
				}
				t.Logf("%s %s: %d axe violations", tc.path, state, len(violations))
			}
		})
	}
}
