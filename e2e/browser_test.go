package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Every browser step has a bound, so that a hung browser fails a test in
// seconds rather than at go test's ten-minute timeout.
const (
	startTimeout = 30 * time.Second // start the browser, open a tab
	stepTimeout  = 20 * time.Second // one navigation, evaluation or screenshot
	drawTimeout  = 15 * time.Second // every chart of a page drawn
)

// browserNames are looked up on the PATH, in order, when
// TERRITOIRES_CHROME is unset: Debian's name first.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// One headless browser serves every test of the binary; each test opens
// its own tabs.
var chrome struct {
	once    sync.Once
	path    string
	dataDir string
	out     syncBuffer // the browser's stdout and stderr
	ctx     context.Context
	cancel  []context.CancelFunc
	err     error
}

// findBrowser returns the browser to start.
func findBrowser() (string, error) {
	if p := os.Getenv("TERRITOIRES_CHROME"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("TERRITOIRES_CHROME=%s: %w", p, err)
		}
		return path, nil
	}
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no Chromium or Chrome found (looked for %s on the PATH; TERRITOIRES_CHROME is unset): "+
		"install one with `apt-get update && apt-get install -y chromium`, as .ci/run does", strings.Join(browserNames, ", "))
}

func startBrowser() error {
	path, err := findBrowser()
	if err != nil {
		return err
	}
	chrome.path = path
	// A fresh profile for every run: no cache, no state from another run.
	chrome.dataDir, err = os.MkdirTemp("", "territoires-e2e-profile-")
	if err != nil {
		return err
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(chrome.dataDir),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Screenshots without scroll bars, in the colours the CSS names.
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.CombinedOutput(&chrome.out),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	chrome.ctx = ctx
	chrome.cancel = []context.CancelFunc{cancelCtx, cancelAlloc}
	// The first Do starts the browser and binds it to ctx, which must not
	// carry the timeout: within bounds the wait instead.
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		out := strings.TrimSpace(chrome.out.String())
		if len(out) > 2000 {
			out = "..." + out[len(out)-2000:]
		}
		return fmt.Errorf("start %s: %w\n%s", path, err, out)
	}
	version, err := chromedp.CallBrowser(ctx, cdpbrowser.GetVersion, cdp.Empty{})
	if err == nil {
		fmt.Fprintf(os.Stderr, "e2e: %s (%s)\n", version.Product, path)
	}
	return nil
}

func stopBrowser() {
	for _, cancel := range chrome.cancel {
		within(10*time.Second, func() error { cancel(); return nil })
	}
	if chrome.dataDir != "" {
		os.RemoveAll(chrome.dataDir)
	}
}

// browser returns the context of the shared browser, starting it on first
// use. When it cannot start, the test skips, or fails under CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	chrome.once.Do(func() { chrome.err = startBrowser() })
	if chrome.err != nil {
		unavailable(t, "headless Chromium is needed for this test and could not start: %v", chrome.err)
	}
	return chrome.ctx
}

// within runs f and waits for it at most d. A call that does not return
// in time goes on in the background; the caller fails.
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer from the browser in %v", d)
	}
}

// cspRecorder runs in every document before the page's own scripts (it is
// injected through DevTools, so the page's CSP does not apply to it) and
// records the CSP violations that the page causes.
const cspRecorder = `(function () {
  var seen = [];
  Object.defineProperty(window, '__e2eCSP', { value: seen });
  document.addEventListener('securitypolicyviolation', function (e) {
    seen.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)') +
      ' in ' + (e.sourceFile || document.URL) + ':' + e.lineNumber + (e.sample ? ' "' + e.sample + '"' : ''));
  }, true);
})();`

// tab is one browser tab, with what its pages said on the console.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // console errors, uncaught exceptions, errors of the browser log
	warnings []string
}

// newTab opens a tab in the shared browser; it is closed when the test ends.
func newTab(t *testing.T) *tab {
	t.Helper()
	bctx := browser(t)
	tb := &tab{t: t}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(tb.listen))
	tb.ctx = ctx
	t.Cleanup(func() { within(10*time.Second, func() error { cancel(); return nil }) })
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tb.do("record CSP violations", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder})
		return err
	}))
	return tb
}

// listen runs in the tab's event loop: it only records.
func (tb *tab) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		msg := "console." + string(ev.Type) + ": " + argsText(ev.Args) + stackPlace(ev.StackTrace)
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			tb.record(&tb.problems, msg)
		case runtime.ConsoleAPICalledTypeWarning:
			tb.record(&tb.warnings, msg)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			desc, _, _ := strings.Cut(d.Exception.Description, "\n")
			msg += " " + desc
		}
		tb.record(&tb.problems, msg+fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1))
	case *log.EventEntryAdded:
		e := ev.Entry
		msg := fmt.Sprintf("browser log (%s): %s", e.Source, e.Text)
		if e.URL != "" {
			msg += " [" + e.URL + "]"
		}
		switch {
		case e.Level == log.EntryLevelError && strings.HasSuffix(e.URL, "/favicon.ico"):
			// The browser asks for /favicon.ico by itself; the page did not.
			tb.record(&tb.warnings, msg+" (no favicon)")
		case e.Level == log.EntryLevelError:
			tb.record(&tb.problems, msg)
		case e.Level == log.EntryLevelWarning:
			tb.record(&tb.warnings, msg)
		}
	}
}

func (tb *tab) record(list *[]string, msg string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	*list = append(*list, msg)
}

// argsText renders the arguments of a console call.
func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
			parts = append(parts, s)
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func stackPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" at %s:%d", f.URL, f.LineNumber+1)
}

// do runs browser actions within stepTimeout, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page (through DevTools, so
// the page's CSP does not apply to it) and decodes its value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %.80q: %v", expr, err)
	}
	return v
}

// waitUntil evaluates the boolean expression every 100 ms until it is
// true, for at most d, and tells whether it became true. (chromedp.Poll
// would build a function from a string in the page, which the page's CSP
// forbids.) An evaluation cut by a navigation (a redirect under way)
// counts as not yet.
func (tb *tab) waitUntil(d time.Duration, expr string) bool {
	tb.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")", chromedp.EvalAwaitPromise))
		cancel()
		if err != nil && !strings.Contains(err.Error(), "navigated or closed") {
			tb.t.Fatalf("evaluate %.80q: %v", expr, err)
		}
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// open loads a page of the site (path relative to its root, such as
// "commune/69123/") and forgets what the previous page said.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.mu.Lock()
	tb.problems, tb.warnings = nil, nil
	tb.mu.Unlock()
	url := siteURL(tb.t) + strings.TrimPrefix(path, "/")
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		tb.t.Fatalf("open %s: %v", url, err)
	}
	if resp != nil && resp.Status != 200 {
		tb.t.Fatalf("open %s: HTTP %d", url, resp.Status)
	}
	if !tb.waitUntil(stepTimeout, `document.readyState === 'complete'`) {
		tb.t.Fatalf("open %s: the page did not finish loading", url)
	}
}

// checkClean fails the test for every console error, uncaught exception
// and CSP violation seen since the page was opened; warnings are logged.
func (tb *tab) checkClean(what string) {
	tb.t.Helper()
	violations := eval[[]string](tb, `window.__e2eCSP || []`)
	tb.mu.Lock()
	problems, warnings := tb.problems, tb.warnings
	tb.mu.Unlock()
	for _, v := range violations {
		tb.t.Errorf("%s: CSP violation: %s", what, v)
	}
	for _, p := range problems {
		tb.t.Errorf("%s: %s", what, p)
	}
	for _, w := range warnings {
		tb.t.Logf("%s: warning: %s", what, w)
	}
}

// screenshot saves what the viewport shows (full: the whole page) as a
// PNG artefact.
func (tb *tab) screenshot(name string, full bool) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100)
	}
	b, err := chromedp.Run(ctx, action)
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	saveArtifact(tb.t, name, b)
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
