package fetch

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter parses a Retry-After header, in seconds or as an HTTP date,
// into a wait from now; 0 if absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func bufReader(r io.Reader) io.Reader { return bufio.NewReaderSize(r, 64<<10) }
