// Package templates embeds the html/template files of the site: layout.html
// (the frame of every page), territory.html (a territory's page) and
// 404.html. A site can override any of them from its own folder (the
// templates key of site.toml).
package templates

import "embed"

// FS holds the templates.
//
//go:embed *.html
var FS embed.FS
