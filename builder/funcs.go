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
	if n >= 0 && n < len(smallInts) {
		return smallInts[n]
	}
	var out [48]byte
	return string(appendInt(out[:0], n))
}

// appendInt appends formatInt(n).
func appendInt(b []byte, n int) []byte {
	if n >= 0 && n < len(smallInts) {
		return append(b, smallInts[n]...)
	}
	var num [24]byte
	digits := strconv.AppendInt(num[:0], int64(n), 10)
	if n < 0 {
		b = append(b, "−"...) // minus sign
		digits = digits[1:]
	}
	return appendGrouped(b, digits)
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
	if decimals <= 0 && x >= 0 && x < float64(len(smallInts)) && x == math.Trunc(x) {
		return smallInts[int(x)]
	}
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
	var digits []byte
	if a := math.Abs(x); a < 1e15 && a == math.Trunc(a) {
		// A whole number (most counts): its digits without strconv's
		// float formatting, then the zero decimals.
		digits = strconv.AppendInt(num[:0], int64(a), 10)
		if decimals > 0 {
			digits = append(digits, '.')
			digits = append(digits, "000000"[:decimals]...)
		}
	} else {
		digits = strconv.AppendFloat(num[:0], a, 'f', decimals, 64)
	}
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
	// A share rounded to one decimal, the most frequent (the share charts
	// write some 60 a page), comes from a table.
	if k := math.Round(x * 10); k >= 0 && k < float64(len(smallPercents)) && x == k/10 {
		return smallPercents[int(k)]
	}
	var out [64]byte
	b := appendDecimal(out[:0], x, 1)
	b = append(b, nnbsp...)
	return string(append(b, '%'))
}

// smallInts and smallPercents are the texts of the most frequent
// numbers of the pages, written once: the whole numbers below 10,000
// ("9 999") and the percentages from 0,0 % to 100,0 %.
var smallInts, smallPercents = func() ([]string, []string) {
	ints := make([]string, 10_000)
	for n := range ints {
		var num [8]byte
		ints[n] = string(appendGrouped(nil, strconv.AppendInt(num[:0], int64(n), 10)))
	}
	pcts := make([]string, 1001)
	for k := range pcts {
		var out [16]byte
		b := appendDecimal(out[:0], float64(k)/10, 1)
		pcts[k] = string(append(append(b, nnbsp...), '%'))
	}
	return ints, pcts
}()

// appendNumber appends x as strconv's shortest 'f' form does, whole
// numbers without its float formatting: the figures of the downloads.
func appendNumber(b []byte, x float64) []byte {
	if x > -1e15 && x < 1e15 && x == math.Trunc(x) && !(x == 0 && math.Signbit(x)) {
		return strconv.AppendInt(b, int64(x), 10)
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
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
