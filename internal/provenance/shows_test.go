package provenance

import (
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
)

// Shows is how an ambiguous call is settled: IAM's listing either shows the act done or not.
func TestShowsReadsTheActFromTheListing(t *testing.T) {
	ks := []keys.Key{
		{AccessKeyID: "AKIAACTIVE", Status: keys.Active},
		{AccessKeyID: "AKIAINACTIVE", Status: keys.Inactive},
	}
	cases := []struct {
		key, action string
		want        bool
	}{
		{"AKIAINACTIVE", keys.ActionDeactivated, true},
		{"AKIAACTIVE", keys.ActionDeactivated, false},
		{"AKIAACTIVE", keys.ActionActivated, true},
		{"AKIAINACTIVE", keys.ActionActivated, false},
		{"AKIAGONE", keys.ActionDeleted, true},
		{"AKIAACTIVE", keys.ActionDeleted, false},
		{"AKIAACTIVE", keys.ActionCreated, true},
		{"AKIAGONE", keys.ActionCreated, false},
		{"AKIAGONE", keys.ActionDeactivated, false}, // a key that is gone was not deactivated
		{"AKIAACTIVE", "renamed", false},            // an act Shows does not know is never shown
	}
	for _, c := range cases {
		if got := Shows(ks, c.key, c.action); got != c.want {
			t.Errorf("Shows(%s, %s) = %v, want %v", c.key, c.action, got, c.want)
		}
	}
}
