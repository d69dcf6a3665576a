package fetch

import (
	"context"
	"errors"
	"testing"
	"time"
)

// stepClock is a clock that only moves when told.
type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

func TestNewLimiterErrors(t *testing.T) {
	tests := []struct {
		quota, margin int
		window        time.Duration
	}{
		{0, 0, time.Minute},
		{30, -1, time.Minute},
		{30, 30, time.Minute},
		{30, 1, 0},
	}
	for _, tt := range tests {
		if _, err := NewLimiter(tt.quota, tt.margin, tt.window); err == nil {
			t.Errorf("NewLimiter(%d, %d, %v) = nil error, want an error", tt.quota, tt.margin, tt.window)
		}
	}
}

// TestLimiterNeverExceedsWindow reserves many calls on a fake clock, with
// callers arriving early, late and in bursts, and checks every window.
func TestLimiterNeverExceedsWindow(t *testing.T) {
	tests := []struct {
		name          string
		quota, margin int
		window        time.Duration
	}{
		{"insee", 30, 1, time.Minute},
		{"no margin", 30, 0, time.Minute},
		{"fast", 200, 5, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l, err := NewLimiter(tt.quota, tt.margin, tt.window)
			if err != nil {
				t.Fatal(err)
			}
			l.now = clock.now
			var slots []time.Time
			for i := range 20 * tt.quota {
				at, err := l.reserve(time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				slots = append(slots, at)
				// Callers come in bursts, then pause, then trickle.
				switch {
				case i%50 == 49:
					clock.t = clock.t.Add(tt.window / 3)
					l.PauseFor(tt.window / 10)
				case i%7 == 0:
					clock.t = at
				}
			}
			allowed := tt.quota - tt.margin
			for i := range slots {
				n := 0
				for j := i; j < len(slots) && slots[j].Sub(slots[i]) <= tt.window; j++ {
					n++
				}
				if n > allowed {
					t.Fatalf("window from call %d holds %d calls, want ≤ %d", i, n, allowed)
				}
			}
			// Sustained: back-to-back reservations run at the allowed rate.
			l2, _ := NewLimiter(tt.quota, tt.margin, tt.window)
			l2.now = clock.now
			first, _ := l2.reserve(time.Time{})
			var last time.Time
			for range 3 * allowed {
				last, _ = l2.reserve(time.Time{})
			}
			rate := float64(3*allowed) / last.Sub(first).Seconds() * tt.window.Seconds()
			if want := 0.99 * float64(allowed); rate < want {
				t.Errorf("sustained %.2f calls per window, want ≥ %.2f", rate, want)
			}
		})
	}
}

func TestLimiterDeadline(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l, _ := NewLimiter(2, 0, time.Minute)
	l.now = clock.now
	deadline := clock.t.Add(time.Second)
	if _, err := l.reserve(deadline); err != nil {
		t.Fatalf("first call: %v", err)
	}
	if _, err := l.reserve(deadline); !errors.Is(err, ErrBudget) {
		t.Errorf("second call 30 s later with a deadline of 1 s: got %v, want ErrBudget", err)
	}
}

func TestLimiterWaitCancel(t *testing.T) {
	l, _ := NewLimiter(1, 0, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- l.Wait(ctx, time.Time{}) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Wait after cancel = %v, want context.Canceled", err)
	}
}
