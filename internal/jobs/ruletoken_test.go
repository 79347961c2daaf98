package jobs

import (
	"testing"
	"time"
)

// A rule's token names the job and its firing in UTC, whatever the zone the runner read it in,
// so serve, the Lambda and a retry of either agree; no job or no firing is no token.
func TestRuleToken(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	fired := time.Date(2026, 11, 23, 12, 0, 0, 0, tokyo)
	for _, tc := range []struct {
		job   string
		fired time.Time
		want  string
	}{
		{"rotate-ci", fired, "job:rotate-ci@2026-11-23T03:00:00Z"},
		{"rotate-ci", fired.UTC(), "job:rotate-ci@2026-11-23T03:00:00Z"},
		{"", fired, ""},
		{"rotate-ci", time.Time{}, ""},
	} {
		if got := RuleToken(tc.job, tc.fired); got != tc.want {
			t.Errorf("RuleToken(%q, %v) = %q, want %q", tc.job, tc.fired, got, tc.want)
		}
	}
}
