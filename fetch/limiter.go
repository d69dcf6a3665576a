package fetch

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter paces the calls to one API host so that no window of Window holds
// more than Quota-Margin calls, however many workers share it.
//
// It keeps the reservation times of the last Quota-Margin calls: a call may
// start only once the oldest of them has left the window, and never sooner
// than Window/(Quota-Margin) after the previous one, so calls are spread
// evenly instead of bursting at the start of each window. With the INSEE
// quota (30 a minute) and the default margin of 1 this sustains 29 calls a
// minute, 96.7 % of the quota, and leaves one call of slack for clock and
// network jitter between this process and the gateway.
//
// golang.org/x/time/rate's token bucket would allow burst + rate×window calls
// in a window, one more than wanted; the reservation log is exact. Like
// rate.Limiter.Wait, Wait takes the caller's context.
type Limiter struct {
	window   time.Duration
	interval time.Duration
	now      func() time.Time

	mu     sync.Mutex
	slots  []time.Time // ring of the last len(slots) reserved start times
	next   int         // oldest slot, overwritten by the next reservation
	last   time.Time   // latest reservation
	paused time.Time   // no call starts before this (429, rate-limit headers)
}

// NewLimiter returns a limiter allowing quota-margin calls per window.
func NewLimiter(quota, margin int, window time.Duration) (*Limiter, error) {
	switch {
	case quota <= 0:
		return nil, fmt.Errorf("limiter: quota %d, want > 0", quota)
	case margin < 0 || margin >= quota:
		return nil, fmt.Errorf("limiter: margin %d, want 0 ≤ margin < quota (%d)", margin, quota)
	case window <= 0:
		return nil, fmt.Errorf("limiter: window %v, want > 0", window)
	}
	n := quota - margin
	return &Limiter{
		window:   window,
		interval: window / time.Duration(n),
		now:      time.Now,
		slots:    make([]time.Time, n),
	}, nil
}

// Allowed is the number of calls allowed in any window.
func (l *Limiter) Allowed() int { return len(l.slots) }

// Window is the length of the sliding window.
func (l *Limiter) Window() time.Duration { return l.window }

// Wait blocks until the caller may make one call. It returns ctx's error if
// ctx ends first, and ErrBudget without waiting if the call could not start
// before deadline (zero: no deadline). A reserved call that is not made is
// still counted: the limiter errs on the side of the quota.
func (l *Limiter) Wait(ctx context.Context, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	at, err := l.reserve(deadline)
	if err != nil {
		return err
	}
	return sleepUntil(ctx, at, l.now)
}

func (l *Limiter) reserve(deadline time.Time) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := l.now()
	if l.paused.After(at) {
		at = l.paused
	}
	if !l.last.IsZero() && l.last.Add(l.interval).After(at) {
		at = l.last.Add(l.interval)
	}
	// Strictly after the oldest call's window, so that even a closed window
	// of length Window never holds more than Allowed calls.
	if oldest := l.slots[l.next]; !oldest.IsZero() && !at.After(oldest.Add(l.window)) {
		at = oldest.Add(l.window + time.Millisecond)
	}
	if !deadline.IsZero() && at.After(deadline) {
		return time.Time{}, ErrBudget
	}
	l.slots[l.next] = at
	l.next = (l.next + 1) % len(l.slots)
	l.last = at
	return at, nil
}

// PauseFor delays every call not yet reserved until d from now, as a 429 or
// a rate-limit header demands. A shorter pause never shortens a longer one.
func (l *Limiter) PauseFor(d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.now().Add(d); t.After(l.paused) {
		l.paused = t
	}
}

// sleepUntil waits for the clock to reach t or ctx to end.
func sleepUntil(ctx context.Context, t time.Time, now func() time.Time) error {
	d := t.Sub(now())
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
