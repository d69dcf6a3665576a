// Package progress reports the advance of long work: a live line with
// done/total, rate and time left on a terminal, plain lines otherwise.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Reporter prints progress to a writer. Update is safe for concurrent use.
type Reporter struct {
	w     io.Writer
	label string
	tty   bool
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	start time.Time
	last  time.Time
	lastN int
	done  int
	total int
}

// New returns a reporter writing to w; on a terminal it redraws one line,
// elsewhere it prints a plain line at most every few seconds.
func New(w io.Writer, label string) *Reporter {
	r := &Reporter{w: w, label: label, every: 5 * time.Second, now: time.Now}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.tty, r.every = true, 100*time.Millisecond
	}
	r.start = r.now()
	r.last = r.start
	return r
}

// Update records that done of total units are finished.
func (r *Reporter) Update(done, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if done < r.done {
		return
	}
	r.done, r.total = done, total
	now := r.now()
	if now.Sub(r.last) < r.every && done != total {
		return
	}
	r.last, r.lastN = now, done
	fmt.Fprint(r.w, r.line(now))
}

func (r *Reporter) line(now time.Time) string {
	elapsed := now.Sub(r.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(r.done) / elapsed
	}
	left := "?"
	// The first pages wait for the work before them (statistics): no
	// estimate from less than 1 % of the total.
	if rate > 0 && r.done*100 >= r.total {
		left = (time.Duration(float64(r.total-r.done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 0.0
	if r.total > 0 {
		pct = 100 * float64(r.done) / float64(r.total)
	}
	s := fmt.Sprintf("%s %d/%d (%.0f%%) %.0f/s, reste %s", r.label, r.done, r.total, pct, rate, left)
	if r.tty {
		return "\r\x1b[K" + s
	}
	return s + "\n"
}

// Done ends the live line on a terminal.
func (r *Reporter) Done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tty && r.lastN > 0 {
		fmt.Fprint(r.w, "\r\x1b[K")
	}
}
