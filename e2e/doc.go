// Package e2e tests the built site the way a reader meets it: in a real
// browser, served on loopback under the strict Content-Security-Policy
// (default-src 'self') that the site promises to its hosts.
//
// The tests build a small site (the département du Rhône) with
// builder.Build, serve it with httptest and drive headless Chromium with
// chromedp. They check that every chart draws with no console error and no
// CSP violation, that search finds a commune by typing, that a phone-sized
// viewport has no horizontal scroll, that the pages can be used with the
// keyboard alone, and that axe-core finds no serious or critical
// accessibility violation. Screenshots are written to $TERRITOIRES_ARTIFACTS,
// or e2e/testdata/out when it is unset.
//
// The browser is found in $TERRITOIRES_CHROME, else as chromium,
// chromium-browser, google-chrome-stable or google-chrome on the PATH
// (.ci/run installs Debian's chromium when none is there). When none can
// start, the tests skip and say why; under CI (CI=true) they fail instead.
// axe-core is pinned by package.json and package-lock.json in this folder
// and installed with npm ci, once per version, into
// $TERRITOIRES_VENDOR_DIR/axe-<hash>/ (by default ~/.cache/territoires).
//
// The package has no code of its own: everything is in its tests.
package e2e
