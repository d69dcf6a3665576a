package builder

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
)

// The blocks of a territory page that repeat an element per item (the
// breadcrumb, the key figures, the table of contents, the identity card,
// the themes) are written here rather than by the template: html/template
// pays a reflective call and an escaper for every action, and these blocks
// hold most of a page's actions (some 200 on a commune page). They write
// exactly what the template wrote, escaped as html/template escapes: text
// and attribute values through htmlEscaper, URLs through urlFilter, then
// normalised (href="…") or escaped (after "#") as a URL.

// htmlEscaper is html/template's escaping of text and quoted attribute
// values (its htmlReplacementTable).
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;",
	"+", "&#43;", "<", "&lt;", ">", "&gt;")

// writeText writes s escaped as text or as a quoted attribute value.
func writeText(b *bytes.Buffer, s string) { htmlEscaper.WriteString(b, s) }

// writeURL writes a URL in a quoted attribute, as html/template writes the
// value of an action that starts an href: a URL of a scheme other than
// http, https or mailto becomes "#ZgotmplZ"; bytes outside the URL
// characters are percent-encoded; the result is escaped as an attribute.
func writeURL(b *bytes.Buffer, u string) {
	if i := strings.IndexByte(u, ':'); i >= 0 && !strings.Contains(u[:i], "/") {
		if p := strings.ToLower(u[:i]); p != "http" && p != "https" && p != "mailto" {
			u = "#ZgotmplZ"
		}
	}
	writeText(b, percentEncode(u, true))
}

// percentEncode is html/template's URL normaliser (norm) or escaper: the
// escaper also encodes the reserved characters, for a value inside a URL;
// the normaliser keeps an escape already there ("%2F").
func percentEncode(s string, norm bool) string {
	kept := func(i int) bool {
		c := s[i]
		if c == '%' {
			return norm && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
		}
		return urlByteKept(c, norm)
	}
	i := 0
	for i < len(s) && kept(i) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if kept(i) {
			b.WriteByte(s[i])
			continue
		}
		const hex = "0123456789abcdef"
		b.WriteByte('%')
		b.WriteByte(hex[s[i]>>4])
		b.WriteByte(hex[s[i]&15])
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func urlByteKept(c byte, norm bool) bool {
	switch c {
	case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']':
		return norm
	case '-', '.', '_', '~':
		return true
	}
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// CrumbsHTML is the breadcrumb: the parents, then the page.
func (v *pageView) CrumbsHTML() template.HTML {
	return pooledHTML(func(b *bytes.Buffer) {
		b.WriteString(`<nav class=crumbs aria-label="Fil d'Ariane"><ol>`)
		for _, c := range v.Crumbs {
			b.WriteString(`<li><a href="`)
			writeURL(b, c.URL)
			b.WriteString(`">`)
			writeText(b, c.Name)
			b.WriteString(`</a>`)
		}
		b.WriteString(`<li aria-current=page>`)
		writeText(b, v.T.Name)
		b.WriteString(`</ol></nav>`)
	})
}

// KeyFiguresHTML is the "L'essentiel" section, with ranks.
func (v *pageView) KeyFiguresHTML() template.HTML {
	if len(v.KeyFigures) == 0 {
		return ""
	}
	return pooledHTML(func(b *bytes.Buffer) {
		b.WriteString(`<section class=key aria-labelledby=essentiel><h2 id=essentiel class=sr-only>L'essentiel</h2><ul>`)
		for _, k := range v.KeyFigures {
			b.WriteString(`<li><span class=label>`)
			writeText(b, k.Label)
			b.WriteString(`</span> <strong>`)
			writeText(b, k.Value)
			b.WriteString(`</strong> <span class=detail>`)
			writeText(b, k.Detail)
			b.WriteString(`</span>`)
			for _, r := range k.Ranks {
				b.WriteString(` <span class=rank>`)
				writeText(b, r)
				b.WriteString(`</span>`)
			}
		}
		b.WriteString(`</ul>`)
		if v.RankNote != "" {
			b.WriteString(`<p class=note>`)
			writeText(b, v.RankNote)
			b.WriteString(`</p>`)
		}
		b.WriteString(`</section>`)
	})
}

// TocHTML is the table of contents.
func (v *pageView) TocHTML() template.HTML {
	return pooledHTML(func(b *bytes.Buffer) {
		b.WriteString("<nav class=toc aria-label=Sommaire><ul><li><a href=#identite>Identité</a><li><a href=#telecharger>Télécharger</a>\n")
		if len(v.Zonings) > 0 {
			b.WriteString("<li><a href=#zonages>Zonages d'étude</a>")
		}
		b.WriteString("\n")
		link := func(id, title string) {
			b.WriteString(`<li><a href="#`)
			writeText(b, percentEncode(id, false))
			b.WriteString(`">`)
			writeText(b, title)
			b.WriteString(`</a>`)
		}
		for _, th := range v.Themes {
			link(th.ID, th.Title)
		}
		b.WriteString("\n")
		for _, g := range v.Groups {
			link(g.ID, g.Title)
		}
		b.WriteString(`</ul></nav>`)
	})
}

// IdentityHTML is the identity card: codes, parents, postal codes, legal
// population, and the downloads.
func (v *pageView) IdentityHTML() template.HTML {
	return pooledHTML(func(b *bytes.Buffer) {
		b.WriteString(`<section class=facts aria-labelledby=identite><h2 id=identite>Identité</h2><dl>`)
		for _, c := range v.Codes {
			b.WriteString(`<div><dt>`)
			writeText(b, c.Label)
			b.WriteString(`<dd>`)
			if c.URL != "" {
				b.WriteString(`<a href="`)
				writeURL(b, c.URL)
				b.WriteString(`">`)
				writeText(b, c.Value)
				b.WriteString(`</a>`)
			} else {
				writeText(b, c.Value)
			}
			b.WriteString(`</div>`)
		}
		b.WriteString("\n")
		if pc := v.T.PostalCodes; len(pc) > 0 {
			b.WriteString(`<div><dt>`)
			writeText(b, plural(len(pc), "Code postal", "Codes postaux"))
			b.WriteString(`<dd>`)
			writeText(b, postalCodes(pc))
			b.WriteString(`</div>`)
		}
		b.WriteString("\n")
		if l := v.Latest; l != nil {
			b.WriteString(`<div><dt>Population légale `)
			b.WriteString(strconv.Itoa(l.Year))
			b.WriteString(`<dd>`)
			writeText(b, formatInt(l.Value))
			b.WriteString(` habitants</div>`)
		}
		b.WriteString(`</dl><p id=telecharger class=downloads>Télécharger les chiffres : <a href="`)
		writeURL(b, v.Downloads)
		b.WriteString(`.json">JSON</a>`)
		if v.JSONLabel != "" {
			b.WriteString(` (`)
			writeText(b, v.JSONLabel)
			b.WriteString(`)`)
		}
		b.WriteString(` · <a href="`)
		writeURL(b, v.CSV)
		b.WriteString(`" download>CSV</a> (`)
		writeText(b, v.CSVLabel)
		b.WriteString(`) · <a href="`)
		writeURL(b, v.Site.Root)
		b.WriteString(`a-propos/">description des fichiers</a></section>`)
	})
}

// ThemesHTML is the sections of the themes, with their charts.
func (v *pageView) ThemesHTML() template.HTML { return pooledHTML(v.writeThemes) }

// writeThemes writes ThemesHTML: a build writes it straight into the page,
// between the templates page-top and page-bottom (territory.html), rather
// than through a string as large as most of the page.
func (v *pageView) writeThemes(b *bytes.Buffer) {
	for _, th := range v.Themes {
		b.WriteString(`<section class=theme aria-labelledby="`)
		writeText(b, th.ID)
		b.WriteString(`"><h2 id="`)
		writeText(b, th.ID)
		b.WriteString(`">`)
		writeText(b, th.Title)
		b.WriteString(`</h2>`)
		if th.Empty != "" {
			b.WriteString(`<p class=empty>`)
			writeText(b, th.Empty)
			b.WriteString(`</p>`)
		}
		b.WriteString(`<div class=charts>`)
		for _, c := range th.Charts {
			c.write(b)
		}
		b.WriteString(`</div></section>`)
	}
}
