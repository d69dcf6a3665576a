package builder

import (
	"strconv"
)

// spreadsheetSafe neutralises a CSV text cell that a spreadsheet would
// read as a formula (OWASP, CSV injection): a cell that begins with =, +,
// -, @, a tab or a carriage return gets a leading apostrophe, which
// spreadsheets show as text. Numbers are left alone ("-3", "+1.5e3"), so
// that figures stay figures. Every text cell of a CSV download goes
// through it: API text (names, codes, labels) is not trusted.
func spreadsheetSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
