// Package assets embeds the static files served under /assets/: the style
// sheet, the scripts and the ECharts bundle. They are published with a
// content hash in their names so a CDN can cache them for ever.
//
// The ECharts bundle (echarts.min.js) and its licence notice
// (echarts.LICENSE.txt) are generated from the pins of package.json and
// package-lock.json and the module list of echarts-entry.js by the committed
// generator assets/gen (go generate ./assets, which needs Node.js and npm),
// and committed: building the site needs Go alone.
package assets

import "embed"

//go:generate go run ./gen

// FS holds the assets: the style sheet, the scripts (charts.js, ...), the
// ECharts bundle and its licence notice, and the files that pin the bundle
// (package.json, package-lock.json, echarts-entry.js, which are not
// published).
//
//go:embed *.css *.js *.svg *.txt package.json package-lock.json
var FS embed.FS

// ECharts is the minified ECharts bundle, written by assets/gen.
//
//go:embed echarts.min.js
var ECharts []byte

// EChartsLicense is the licence notice of the bundle, published beside it.
//
//go:embed echarts.LICENSE.txt
var EChartsLicense []byte
