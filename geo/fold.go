package geo

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns a name reduced for sorting and matching: lower case, without
// accents, ligatures spelt out, and every run of other characters than
// letters and digits turned into one space. "Saint-Étienne" → "saint etienne".
func Fold(s string) string {
	out := norm.NFD.String(s) // accents become marks, skipped below
	var b strings.Builder
	b.Grow(len(out))
	space := false
	for _, r := range out {
		var word string
		switch {
		case r == 'œ' || r == 'Œ':
			word = "oe"
		case r == 'æ' || r == 'Æ':
			word = "ae"
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = string(unicode.ToLower(r))
		default:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(word)
		space = false
	}
	return b.String()
}
