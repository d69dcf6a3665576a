package builder

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"
)

// templateMIME is the type under which the minifier knows Go HTML
// templates: HTML whose {{ }} actions are kept as they are.
const templateMIME = "text/x-go-template+html"

// newMinifier configures the one minifier of a build. Its Minify methods
// are safe for concurrent use; it must not be changed once the build starts.
//
// Pages are not minified one by one: the templates are minified once, when
// they are parsed (see parseMinified), and the HTML written by Go code
// (charts.go) is written compact. Minifying 36,000 pages cost a third of
// a build.
func newMinifier() *minify.M {
	m := minify.New()
	page := html.Minifier{
		KeepDocumentTags: true,  // <html lang>, <head> and <body> stay explicit
		KeepEndTags:      false, // optional end tags (</td>, </li>...) go: tables are most of a page
		KeepQuotes:       false,
	}
	m.Add("text/html", &page)
	tpl := page
	tpl.TemplateDelims = html.GoTemplateDelims
	m.Add(templateMIME, &tpl)
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`^(application|text)/(x-)?(java|ecma)script$`), js.Minify)
	// No JSON minifier: the chart options in the pages are marshalled
	// compact already, and parsing them again cost a tenth of the minifying.
	return m
}

// parseMinified parses the template files of fsys, each minified first,
// into one set named name: what Template.ParseFS does, on minified text.
func parseMinified(m *minify.M, name string, fsys fs.FS, files ...string) (*template.Template, error) {
	t := template.New(name).Funcs(funcs)
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var out bytes.Buffer
		if err := m.Minify(templateMIME, &out, bytes.NewReader(src)); err != nil {
			return nil, fmt.Errorf("minify %s: %w", f, err)
		}
		tt := t
		if f != name {
			tt = t.New(f)
		}
		if _, err := tt.Parse(out.String()); err != nil {
			return nil, err
		}
	}
	return t, nil
}
