package builder

import (
	"bytes"
	"html/template"
	"testing"
)

// TestPageHTMLEscapesAsTemplate checks that the blocks written in Go
// escape text, URLs and fragments exactly as html/template does, on
// hostile values (the whole-country build is also byte-identical to the
// template's).
func TestPageHTMLEscapesAsTemplate(t *testing.T) {
	tpl := template.Must(template.New("").Parse(`<a href="{{.URL}}">{{.Text}}</a><a href="#{{.ID}}" title="{{.Text}}">`))
	for _, c := range []struct{ URL, Text, ID string }{
		{"/commune/69123/", "L'Haÿ-les-Roses", "population"},
		{"javascript:alert(1)", `<script>"&"+'</script>`, "a b"},
		{"https://exemple.fr/a b?q=é&x=+1#f", "\x00nul", "é/#?&"},
		{"/chemin/100%/", "1 < 2 > 0", "id-._~"},
		{"mailto:a@b.fr", "", ""},
		{"JavaScript:x", "+", "+"},
	} {
		var want bytes.Buffer
		if err := tpl.Execute(&want, c); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.WriteString(`<a href="`)
		writeURL(&got, c.URL)
		got.WriteString(`">`)
		writeText(&got, c.Text)
		got.WriteString(`</a><a href="#`)
		writeText(&got, percentEncode(c.ID, false))
		got.WriteString(`" title="`)
		writeText(&got, c.Text)
		got.WriteString(`">`)
		if got.String() != want.String() {
			t.Errorf("%+v:\n got %s\nwant %s", c, got.String(), want.String())
		}
	}
}

func TestPercentEncodeKeepsEscapes(t *testing.T) {
	tpl := template.Must(template.New("").Parse(`<a href="{{.}}">`))
	for _, u := range []string{"/a%2Fb", "/a%2", "/a%", "/a%zz", "/%41%", "/é%C3%A9"} {
		var want bytes.Buffer
		if err := tpl.Execute(&want, u); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.WriteString(`<a href="`)
		writeURL(&got, u)
		got.WriteString(`">`)
		if got.String() != want.String() {
			t.Errorf("%q: got %s, want %s", u, got.String(), want.String())
		}
	}
}
