package daemon

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// A job with Ahead fires that long before each of its schedule's times, and its runner learns
// the time it warns of; the job itself still fires at its times.
func TestAheadFiresBeforeEachRun(t *testing.T) {
	curfew := job(t, "curfew", "0 0 * * *", "Asia/Tokyo")
	warn := curfew
	warn.Name, warn.Ahead = "curfew/warn", time.Hour
	var mu sync.Mutex
	due := map[string]string{}
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{curfew, warn}, time.Minute, func(ctx context.Context, name string) error {
		if d, ok := Due(ctx); ok {
			mu.Lock()
			due[name+" "+d.UTC().Format(time.RFC3339)] = name
			mu.Unlock()
		}
		return nil
	})
	end := utc("2026-11-25T00:00:00Z")
	for w := h.nextWait(); !w.After(end); w = h.nextWait() {
		h.d.wg.Wait()
		h.clock.Set(w)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range h.recorded() {
		got[r.job] = append(got[r.job], r.started.UTC().Format(time.RFC3339))
	}
	if want := "[2026-11-23T14:00:00Z 2026-11-24T14:00:00Z]"; fmt.Sprint(got["curfew/warn"]) != want {
		t.Errorf("warning runs at %v, want %s", got["curfew/warn"], want)
	}
	if want := "[2026-11-23T15:00:00Z 2026-11-24T15:00:00Z]"; fmt.Sprint(got["curfew"]) != want {
		t.Errorf("curfew runs at %v, want %s", got["curfew"], want)
	}
	if len(due) != 2 || due["curfew/warn 2026-11-23T15:00:00Z"] == "" || due["curfew/warn 2026-11-24T15:00:00Z"] == "" {
		t.Errorf("Due in the warning runs: %v", due)
	}
}
