package builder

import "testing"

func TestSpreadsheetSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Lyon", "Lyon"},
		{"", ""},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+33 1", "'+33 1"},
		{"-cmd", "'-cmd"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-3", "-3"},
		{"+1.5e3", "+1.5e3"},
		{"2024-T3", "2024-T3"},
		{"a=b", "a=b"},
	} {
		if got := spreadsheetSafe(tt.in); got != tt.want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
