package builder

import (
	"bytes"
	"html/template"
	"math"
	"slices"
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
	var num [24]byte
	digits := strconv.AppendInt(num[:0], int64(n), 10)
	var out [48]byte
	b := out[:0]
	if n < 0 {
		b = append(b, "−"...) // minus sign
		digits = digits[1:]
	}
	return string(appendGrouped(b, digits))
}

// appendGrouped appends digits grouped by three, the French way.
func appendGrouped(b, digits []byte) []byte {
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, nnbsp...)
		}
		b = append(b, c)
	}
	return b
}

// formatDecimal writes a number with a decimal comma and the given number of
// decimals: (1234.567, 1) → "1 234,6". Any float64 is safe, 1e300 included:
// the digits come from strconv, never from an integer conversion that could
// overflow. NaN and infinities, which decoders refuse, read "–".
func formatDecimal(x float64, decimals int) string {
	var out [64]byte
	return string(appendDecimal(out[:0], x, decimals))
}

// appendDecimal appends x as formatDecimal writes it, without allocating
// for ordinary values (pages format some 200 numbers each).
func appendDecimal(b []byte, x float64, decimals int) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "–"...)
	}
	decimals = min(max(decimals, 0), 6)
	var num [32]byte
	digits := strconv.AppendFloat(num[:0], math.Abs(x), 'f', decimals, 64)
	ip, frac := digits, []byte(nil)
	if i := bytes.IndexByte(digits, '.'); i >= 0 {
		ip, frac = digits[:i], digits[i+1:]
	}
	if x < 0 && slices.ContainsFunc(digits, func(c byte) bool { return c != '0' && c != '.' }) {
		b = append(b, "−"...) // minus sign, only when the rounded value is not zero
	}
	b = appendGrouped(b, ip)
	if len(frac) > 0 {
		b = append(b, ',')
		b = append(b, frac...)
	}
	return b
}

// formatPercent writes a percentage with one decimal: 12.34 → "12,3 %".
func formatPercent(x float64) string {
	var out [64]byte
	b := appendDecimal(out[:0], x, 1)
	b = append(b, nnbsp...)
	return string(append(b, '%'))
}

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
