// Package templates embeds the html/template files of the site: layout.html
// (the frame of every page), territory.html (a territory's page), embed.html
// (the charts to frame in other sites), about.html with its text in
// a-propos.md (Markdown), departements.html and 404.html. A site can override
// any of them from its own folder (the templates key of site.toml).
package templates

import "embed"

// FS holds the templates.
//
//go:embed *.html *.md
var FS embed.FS
