package fetchtest

import (
	"testing"
	"time"
)

func TestMaxInWindow(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	tests := []struct {
		times []time.Time
		want  int
	}{
		{nil, 0},
		{at(0), 1},
		{at(0, 500, 1000), 3}, // a closed window of 1 s holds all three
		{at(0, 500, 1001), 2},
		{at(0, 1, 2, 3000, 3001), 3},
	}
	for _, tt := range tests {
		if got := MaxInWindow(tt.times, time.Second); got != tt.want {
			t.Errorf("MaxInWindow(%v) = %d, want %d", tt.times, got, tt.want)
		}
	}
}
