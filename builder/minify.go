package builder

import (
	"regexp"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"
)

// newMinifier configures the one minifier of a build. Its Minify methods
// are safe for concurrent use; it must not be changed once the build starts.
func newMinifier() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{
		KeepDocumentTags: true,  // <html lang>, <head> and <body> stay explicit
		KeepEndTags:      false, // optional end tags (</td>, </li>...) go: tables are most of a page
		KeepQuotes:       false,
	})
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`^(application|text)/(x-)?(java|ecma)script$`), js.Minify)
	// No JSON minifier: the chart options in the pages are marshalled
	// compact already, and parsing them again cost a tenth of the minifying.
	return m
}
