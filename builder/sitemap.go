package builder

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// maxSitemapURLs is the limit of the sitemaps protocol for one file.
const maxSitemapURLs = 50000

// writeSitemaps publishes sitemap.xml as a sitemap index pointing to files
// sitemap-1.xml, sitemap-2.xml... of at most perFile URLs each.
func writeSitemaps(pub *Publisher, site *siteView, urls []string, perFile int) error {
	if perFile <= 0 || perFile > maxSitemapURLs {
		perFile = maxSitemapURLs
	}
	var index bytes.Buffer
	index.WriteString(xml.Header)
	index.WriteString(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for n := 0; n == 0 || n*perFile < len(urls); n++ {
		name := fmt.Sprintf("sitemap-%d.xml", n+1)
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, u := range urls[n*perFile : min((n+1)*perFile, len(urls))] {
			b.WriteString("<url><loc>")
			escape(&b, site.abs(u))
			b.WriteString("</loc></url>\n")
		}
		b.WriteString("</urlset>\n")
		if err := pub.Write(name, b.Bytes()); err != nil {
			return err
		}
		index.WriteString("<sitemap><loc>")
		escape(&index, site.abs(name))
		index.WriteString("</loc></sitemap>\n")
	}
	index.WriteString("</sitemapindex>\n")
	return pub.Write("sitemap.xml", index.Bytes())
}

func escape(w io.Writer, s string) { xml.EscapeText(w, []byte(s)) }
