package apply

import (
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// What counts as a change: the key's status or existence moved, or in a dry run would have.
func TestChangedIsAMoveOrAWouldBeMove(t *testing.T) {
	cases := map[string]bool{
		Deactivated: true, Activated: true, Deleted: true,
		WouldPrefix + "deactivate": true, WouldPrefix + "delete": true,
		Unchanged: false, Skipped: false, Refused: false, Failed: false, Reported: false,
		WouldPrefix: false, // the prefix alone names no act
	}
	for outcome, want := range cases {
		if got := (Result{Outcome: outcome}).Changed(); got != want {
			t.Errorf("Result{Outcome: %q}.Changed() = %v, want %v", outcome, got, want)
		}
	}
}

// activate trusts only a settled record of keywarden's own deactivation (DESIGN.md invariant
// 4): a key disabled by someone else, or whose deactivation keywarden never saw through, is
// left alone without --force, and the reason says what to check.
func TestActivateTrustsOnlyASettledDeactivation(t *testing.T) {
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		rec  keys.Record
		ok   bool
		want string // "" = trusted; else a phrase of the reason
	}{
		{"no record", keys.Record{}, false, "not deactivated by keywarden (use --force)"},
		{"another action's record", keys.Record{Action: keys.ActionActivated, Time: at}, true, "not deactivated by keywarden"},
		{"settled deactivation", keys.Record{Action: keys.ActionDeactivated, Time: at, Origin: "job:curfew"}, true, ""},
		{"pending deactivation", keys.Record{Action: keys.ActionDeactivated, Time: at, Origin: "job:curfew", State: keys.Pending}, true, "is unsettled"},
		{"unconfirmed deactivation", keys.Record{Action: keys.ActionDeactivated, Time: at, Origin: "apply", State: keys.Unconfirmed}, true, "never learnt whether it did"},
		{"settled incident", keys.Record{Action: keys.ActionDeactivated, Time: at, Origin: keys.IncidentOrigin, Reason: "leaked_in_CI_log"}, true, "as an incident on 2027-01-02T03:04:05Z (leaked_in_CI_log)"},
		{"pending incident", keys.Record{Action: keys.ActionDeactivated, Time: at, Origin: keys.IncidentOrigin, State: keys.Pending}, true, "as an incident"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := untrusted(c.rec, c.ok, "AKIAEXAMPLE")
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("untrusted = %q, want %q", got, c.want)
			}
			if got != "" && !strings.Contains(got, "--force") {
				t.Errorf("the reason %q does not say how to act anyway", got)
			}
		})
	}
}
