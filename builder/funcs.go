package builder

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// funcs are the template functions. Each has a table test.
var funcs = template.FuncMap{
	"num":     formatInt,
	"dec":     formatDecimal,
	"pct":     formatPercent,
	"change":  formatChange,
	"plural":  plural,
	"postals": postalCodes,
}

// nnbsp is the narrow no-break space that French typography puts between
// groups of digits and before % signs.
const nnbsp = "\u202f"

// formatInt writes an integer the French way: 519127 → "519 127".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteString("−") // minus sign
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nnbsp)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatDecimal writes a number with a decimal comma and the given number of
// decimals: (1234.567, 1) → "1 234,6". Any float64 is safe, 1e300 included:
// the digits come from strconv, never from an integer conversion that could
// overflow. NaN and infinities, which decoders refuse, read "–".
func formatDecimal(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	decimals = min(max(decimals, 0), 6)
	digits := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	ip, frac, _ := strings.Cut(digits, ".")
	var b strings.Builder
	if x < 0 && strings.Trim(digits, "0.") != "" {
		b.WriteString("−") // minus sign, only when the rounded value is not zero
	}
	for i, r := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteString(nnbsp)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(",")
		b.WriteString(frac)
	}
	return b.String()
}

// formatPercent writes a percentage with one decimal: 12.34 → "12,3 %".
func formatPercent(x float64) string { return formatDecimal(x, 1) + nnbsp + "%" }

// formatChange writes the relative change from a to b as a signed
// percentage: (100, 103) → "+3,0 %". It returns "" when a is zero.
func formatChange(a, b int) string {
	if a == 0 {
		return ""
	}
	c := float64(b-a) / float64(a) * 100
	s := formatPercent(c)
	if math.Round(c*10) > 0 {
		s = "+" + s
	} else if math.Round(c*10) == 0 {
		s = formatPercent(0)
	}
	return s
}

// plural picks the singular or plural form: (1, "commune", "communes").
func plural(n int, one, many string) string {
	if n == 0 || n == 1 || n == -1 {
		return one
	}
	return many
}

// postalCodes lists postal codes, shortening a long run: Paris has 21.
func postalCodes(codes []string) string {
	if len(codes) > 6 {
		return codes[0] + " à " + codes[len(codes)-1] + " (" + strconv.Itoa(len(codes)) + " codes)"
	}
	return strings.Join(codes, ", ")
}
