package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

func TestRecordKeys(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	inv := keys.Inventory{Users: []keys.User{
		{Name: "alice", Keys: []keys.Key{
			{User: "alice", AccessKeyID: "AKIAALICE0000000001", Status: keys.Active, Created: now.Add(-100 * day)},
			{User: "alice", AccessKeyID: "AKIAALICE0000000002", Status: keys.Active, Created: now.Add(-10 * day)},
		}},
		{Name: "bob", Keys: []keys.Key{
			{User: "bob", AccessKeyID: "AKIABOB000000000001", Status: keys.Inactive, Created: now.Add(-300 * day)},
			{User: "bob", AccessKeyID: "AKIABOB000000000002", Status: keys.Active, Created: now.Add(-50 * day)},
		}},
		{Name: "carol", Keys: []keys.Key{
			{User: "carol", AccessKeyID: "AKIACAROL0000000001", Status: keys.Active, Created: now.Add(-900 * day)},
		}},
	}}
	job := policy.Job{Name: "nightly", Select: policy.Selector{Users: []string{"alice", "bob"}}}
	results := []apply.Result{
		{User: "alice", AccessKeyID: "AKIAALICE0000000001", Job: "nightly", Outcome: apply.Deactivated},
		{User: "bob", AccessKeyID: "AKIABOB000000000001", Job: "nightly", Outcome: apply.Deleted},
		{User: "bob", AccessKeyID: "AKIABOB000000000002", Job: "nightly", Outcome: apply.Failed},
	}
	cases := []struct {
		name             string
		dryRun           bool
		active, inactive int
		age              string
	}{
		// carol is outside the selection; alice's old key is now inactive, bob's inactive one gone.
		{"changes applied", false, 2, 1, "4320000"},        // 50 days: bob's key
		{"dry run changes nothing", true, 3, 1, "8640000"}, // 100 days: alice's old key
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &server{o: ServeOptions{DryRun: c.dryRun}, log: slog.New(slog.DiscardHandler)}
			s.d = New(Options{Run: func(context.Context, string) error { return nil }})
			active, inactive := s.recordKeys(job, jobRun(inv, results), now)
			if active != c.active || inactive != c.inactive {
				t.Errorf("active %d inactive %d, want %d %d", active, inactive, c.active, c.inactive)
			}
			var b bytes.Buffer
			if err := s.d.Metrics().WriteText(&b); err != nil {
				t.Fatal(err)
			}
			age, _ := strconv.ParseFloat(c.age, 64)
			for series, want := range map[string]float64{
				`keywarden_access_keys{account="",job="nightly",status="Active"}`:   float64(c.active),
				`keywarden_access_keys{account="",job="nightly",status="Inactive"}`: float64(c.inactive),
				`keywarden_oldest_active_key_age_seconds{account="",job="nightly"}`: age,
			} {
				if got, ok := seriesValue(b.String(), series); !ok || got != want {
					t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
				}
			}
		})
	}
}

// seriesValue reads one series' value from a text exposition, in whatever float notation
// the Prometheus library chose for it.
func seriesValue(text, series string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// jobRun is a run of the caller's account only with these results.
func jobRun(inv keys.Inventory, rs []apply.Result) jobs.Run {
	run := jobs.Run{Plan: jobs.Plan{Inventory: inv}}
	for _, r := range rs {
		run.Results = append(run.Results, jobs.Result{Result: r})
	}
	return run
}

// A scheduled run's rotations take the cron time as their firing, even when the loop woke late.
func TestRotationsFireAtTheScheduledTime(t *testing.T) {
	at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	if got := fired(withScheduled(context.Background(), at), jobs.RotateOptions{}).FireTime; !got.Equal(at) {
		t.Fatalf("FireTime %v, want the scheduled %v", got, at)
	}
	if got := fired(context.Background(), jobs.RotateOptions{}).FireTime; !got.IsZero() {
		t.Fatalf("a run with no scheduled time got FireTime %v, want RunJobs' own now", got)
	}
}
