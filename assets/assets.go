// Package assets embeds the static files served under /assets/: the style
// sheet and the scripts. They are published with a content hash in their
// names so a CDN can cache them for ever.
//
// ECharts itself is not here: package.json and package-lock.json pin it and
// echarts-entry.js names the modules bundled; builder/vendor.go installs and
// bundles it into the user's cache (see README.md).
package assets

import "embed"

// FS holds the assets: the style sheet, the scripts (charts.js, ...) and
// the files that build the ECharts bundle (package.json, package-lock.json,
// echarts-entry.js, which is not published).
//
//go:embed *.css *.js *.svg package.json package-lock.json
var FS embed.FS
