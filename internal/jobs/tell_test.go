package jobs

import (
	"testing"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/policy"
)

// Owners hear of changes made or failed, service rotations included, never of what did not
// change or what a dry run would do.
func TestEventsAreChangesAndWarnings(t *testing.T) {
	outcomes := map[string]bool{
		apply.Deactivated: true, apply.Deleted: true, apply.Activated: true, apply.Failed: true,
		Rotated: true, Finished: true,
		apply.Unchanged: false, Waiting: false, apply.WouldPrefix + "deactivate": false, apply.Skipped: false,
	}
	var run Run
	for o := range outcomes {
		run.Results = append(run.Results, Result{Result: apply.Result{User: "u", AccessKeyID: o, Outcome: o}})
	}
	run.Plan.Plan.Warnings = []policy.Warning{{Kind: policy.Delete, User: "w", AccessKeyID: "AKIAWARN", Job: "j"}}
	got := map[string]bool{}
	for _, e := range Events([]Run{run}) {
		got[e.AccessKeyID] = true
	}
	for o, want := range outcomes {
		if got[o] != want {
			t.Errorf("outcome %q told = %v, want %v", o, got[o], want)
		}
	}
	if !got["AKIAWARN"] {
		t.Error("the plan's warning is not told")
	}
}
