package jobs

import (
	"strconv"
	"strings"
	"testing"
)

// Each event is "o" (an account opened cleanly) or "tN" (the caller throttled opening an
// account that started in epoch N); want is the limit after each event.
func TestWindowGrowsWhileAccountsOpenAndHalvesOnThrottling(t *testing.T) {
	cases := []struct {
		name   string
		max    int
		events string
		want   string
	}{
		{"starts at 8", 64, "", "8"},
		{"starts at the bound when it is lower", 4, "", "4"},
		{"a bound below 1 is 1", 0, "o", "1"},
		{"slow start: one more per account opened", 64, "o o o", "9 10 11"},
		{"never past the bound", 10, "o o o o", "9 10 10 10"},
		{"a throttle halves", 64, "o o t0", "9 10 5"},
		{"throttles of the same round halve once", 64, "t0 t0 t0", "4 4 4"},
		{"a later round's throttle halves again", 64, "t0 t1", "4 2"},
		{"never below 1", 64, "t0 t1 t2 t3 t4", "4 2 1 1 1"},
		{"after a throttle it grows by one per window's worth", 64, "t0 o o o o o o o o", "4 4 4 4 5 5 5 5 5"},
		{"the bound holds after a throttle too", 5, "t0 o o o o o o", "2 2 3 3 3 4 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWindow(c.max)
			var got []string
			for _, e := range strings.Fields(c.events) {
				if e == "o" {
					w.Opened()
				} else {
					n, err := strconv.Atoi(strings.TrimPrefix(e, "t"))
					if err != nil {
						t.Fatalf("bad event %q", e)
					}
					w.Throttled(n)
				}
				got = append(got, strconv.Itoa(w.limit))
			}
			if c.events == "" {
				got = []string{strconv.Itoa(w.limit)}
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Fatalf("limits %s, want %s", g, c.want)
			}
		})
	}
}
