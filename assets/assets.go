// Package assets embeds the static files served under /assets/: the style
// sheet and the scripts. They are published with a content hash in their
// names so a CDN can cache them for ever.
package assets

import "embed"

// FS holds the assets.
//
//go:embed *.css
var FS embed.FS
