package engine

import (
	"github.com/keywarden/keywarden/internal/keys"
	"strings"
	"testing"
	"time"
)

func TestHeldUntilTheLongestARunTakes(t *testing.T) {
	start := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	st := keys.Rotation{Phase: keys.PhaseCreating, Started: start, Run: "0123abcd"}
	for _, c := range []struct {
		name string
		st   keys.Rotation
		wait time.Duration
		age  time.Duration
		held bool
	}{
		{"just written", st, time.Minute, time.Second, true},
		{"within --wait and the margin", st, time.Minute, time.Minute + runMargin - time.Second, true},
		{"at --wait plus the margin: interrupted", st, time.Minute, time.Minute + runMargin, false},
		{"no --wait: its default counts", st, 0, defaultWait + runMargin - time.Second, true},
		{"a longer --wait holds longer", st, time.Hour, time.Hour, true},
		{"long ago", st, time.Minute, 24 * time.Hour, false},
		{"no start time: an old record, interrupted", keys.Rotation{Phase: keys.PhaseCreating}, time.Minute, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := held(c.st, "svc", c.wait, start.Add(c.age))
			if (err != nil) != c.held {
				t.Fatalf("held = %v, want held %v", err, c.held)
			}
			if err != nil && (!strings.Contains(err.Error(), "another run (r=0123abcd) has been rotating svc since 2026-11-23T15:00:00Z") || !strings.Contains(err.Error(), "rerun after it ends")) {
				t.Fatalf("refusal %q", err)
			}
		})
	}
}
