package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, "pages")
	clock := r.start
	r.now = func() time.Time { return clock }
	for i := 1; i <= 100; i++ {
		clock = clock.Add(100 * time.Millisecond) // 10 units a second
		r.Update(i, 100)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// One line every 5 s of work (50 units); the last one at the end.
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), "\r") {
		t.Errorf("plain output holds a carriage return: %q", buf.String())
	}
	if got, want := lines[0], "pages 50/100 (50%) 10/s, reste 5s"; got != want {
		t.Errorf("first line = %q, want %q", got, want)
	}
	if got, want := lines[1], "pages 100/100 (100%) 10/s, reste 0s"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}
