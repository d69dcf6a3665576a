package builder

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// sp makes the expected strings readable: "_" stands for the narrow no-break space.
func sp(s string) string { return strings.ReplaceAll(s, "_", nnbsp) }

func TestFormatInt(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1_000"}, {519127, "519_127"}, {68350798, "68_350_798"}, {-4500, "−4_500"}} {
		if got := formatInt(tt.in); got != sp(tt.want) {
			t.Errorf("formatInt(%d) = %q, want %q", tt.in, got, sp(tt.want))
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		dec  int
		want string
	}{{1234.567, 1, "1_234,6"}, {0.05, 1, "0,1"}, {-2.25, 2, "−2,25"}, {-0.01, 1, "0,0"}, {21340, 0, "21_340"}, {3.5, 2, "3,50"},
		{-1e16, 1, "−10_000_000_000_000_000,0"}, {12.7, -3, "13"}, {1, 99, "1,000000"}} {
		if got := formatDecimal(tt.in, tt.dec); got != sp(tt.want) {
			t.Errorf("formatDecimal(%v, %d) = %q, want %q", tt.in, tt.dec, got, sp(tt.want))
		}
	}
}

func TestFormatPercent(t *testing.T) {
	if got, want := formatPercent(12.34), sp("12,3_%"); got != want {
		t.Errorf("formatPercent(12.34) = %q, want %q", got, want)
	}
}

func TestFormatChange(t *testing.T) {
	for _, tt := range []struct {
		a, b int
		want string
	}{{100, 103, "+3,0_%"}, {522969, 519127, "−0,7_%"}, {1000, 1000, "0,0_%"}, {100000, 100001, "0,0_%"}, {0, 10, ""}} {
		if got := formatChange(tt.a, tt.b); got != sp(tt.want) {
			t.Errorf("formatChange(%d, %d) = %q, want %q", tt.a, tt.b, got, sp(tt.want))
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "commune"}, {1, "commune"}, {2, "communes"}, {34969, "communes"}} {
		if got := plural(tt.n, "commune", "communes"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPostalCodes(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"01400"}, "01400"},
		{[]string{"69001", "69002"}, "69001, 69002"},
		{[]string{"75001", "75002", "75003", "75004", "75005", "75006", "75116"}, "75001 à 75116 (7 codes)"},
	} {
		if got := postalCodes(tt.in); got != tt.want {
			t.Errorf("postalCodes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFormatDecimalHuge: a hostile 1e300 prints its 301 digits, no panic.
func TestFormatDecimalHuge(t *testing.T) {
	got := strings.ReplaceAll(formatDecimal(1e300, 0), nnbsp, "")
	if len(got) != 301 || !strings.HasPrefix(got, "1000000000000000052") {
		t.Errorf("formatDecimal(1e300, 0) = %q (%d digits), want the 301 digits of 1e300", got, len(got))
	}
}

// FuzzFormatDecimal checks that no float64 and no decimals count can make
// the formatter panic, and that what it writes reads back as the number.
func FuzzFormatDecimal(f *testing.F) {
	for _, x := range []float64{0, -0.01, 1234.567, 1e300, -1e300, 5e-324, 1.7976931348623157e308} {
		f.Add(x, 1)
	}
	f.Fuzz(func(t *testing.T, x float64, decimals int) {
		s := formatDecimal(x, decimals)
		if s == "" {
			t.Fatalf("formatDecimal(%v, %d) is empty", x, decimals)
		}
		if strings.ContainsAny(s, ".-") {
			t.Fatalf("formatDecimal(%v, %d) = %q: a point or an ASCII minus", x, decimals, s)
		}
	})
}

// TestNumberTables checks the texts written from tables and the whole
// numbers written without strconv's float formatting against the general
// way: strconv's digits, grouped and with a decimal comma.
func TestNumberTables(t *testing.T) {
	general := func(x float64, decimals int) string { // appendDecimal without its whole-number path
		s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
		ip, frac, _ := strings.Cut(s, ".")
		out := ""
		if x < 0 && strings.Trim(s, "0.") != "" {
			out = "−"
		}
		out += string(appendGrouped(nil, []byte(ip)))
		if frac != "" {
			out += "," + frac
		}
		return out
	}
	for n := range 12_000 {
		if got, want := formatInt(n), general(float64(n), 0); got != want {
			t.Fatalf("formatInt(%d) = %q, want %q", n, got, want)
		}
		if got, want := formatDecimal(float64(n), 0), general(float64(n), 0); got != want {
			t.Fatalf("formatDecimal(%d, 0) = %q, want %q", n, got, want)
		}
	}
	for k := -20; k <= 1020; k++ {
		x := float64(k) / 10
		if got, want := formatPercent(x), general(x, 1)+nnbsp+"%"; got != want {
			t.Fatalf("formatPercent(%v) = %q, want %q", x, got, want)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), -3, 7, 12345, -12345, 999_999_999_999_999, -999_999_999_999_999, 1e15, 1e16, 2.5, -0.5} {
		for _, d := range []int{0, 1, 2, 6} {
			if got, want := formatDecimal(x, d), general(x, d); got != want {
				t.Errorf("formatDecimal(%v, %d) = %q, want %q", x, d, got, want)
			}
		}
		if got, want := string(appendNumber(nil, x)), strconv.FormatFloat(x, 'f', -1, 64); got != want {
			t.Errorf("appendNumber(%v) = %q, want %q", x, got, want)
		}
	}
}
