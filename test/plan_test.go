package test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
)

func TestPlanPrintsActionsAndWhyAndChangesNothing(t *testing.T) {
	c := fresh(t)
	w := mkJobsWorld(t, c)
	before := w.snapshot(t)

	r := kw(t, admin(t), "plan", "-c", sampleConfig)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "JOB") {
		t.Fatalf("want a header and two actions, got:\n%s", r.stdout)
	}
	for _, want := range [][]string{
		{"curfew", "deactivate", "access-key-user", w.curfewKey, "every active key of the selection"},
		{"hygiene", "delete inactive_for=30d", "old", w.oldKey, "inactive for 40 days since keywarden deactivated it"},
	} {
		found := false
		for _, l := range lines[1:] {
			if containsAll(l, want...) {
				found = true
			}
		}
		if !found {
			t.Errorf("no plan line with %q in:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "alice") {
		t.Errorf("alice's fresh key is in the plan:\n%s", r.stdout)
	}
	if want := "keywarden: 2 jobs, 3 users, 3 keys: 1 deactivate, 1 delete\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if after := w.snapshot(t); !sameMap(before, after) {
		t.Fatalf("plan changed AWS:\nbefore %v\nafter  %v", before, after)
	}
}

func TestPlanJSONJobFilterAndAt(t *testing.T) {
	c := fresh(t)
	w := mkJobsWorld(t, c)

	r := kw(t, admin(t), "plan", "-c", sampleConfig, "--job", "curfew", "-o", "json")
	var p policy.Plan
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %q", r.code, err, r.stdout)
	}
	if len(p.Actions) != 1 || p.Actions[0].Job != "curfew" || p.Actions[0].AccessKeyID != w.curfewKey || !p.At.Equal(fixedNow) {
		t.Fatalf("--job curfew plan = %+v", p)
	}

	// 100 days after alice's key was made, her never-used key is past unused_for 45d and
	// older_than 90d. (--at is absolute: moto dates keys by the wall clock, not fixedNow.)
	at := createdAt(t, c, "alice", w.aliceKey).Add(100 * 24 * time.Hour).Truncate(time.Second)
	r = kw(t, admin(t), "plan", "-c", sampleConfig, "--job", "hygiene", "--at", at.Format(time.RFC3339), "-o", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "job,rule,user,access_key_id,action,reason\n") ||
		!strings.Contains(r.stdout, "hygiene,deactivate unused_for=45d,alice,"+w.aliceKey+",deactivate,\"never used") ||
		!strings.Contains(r.stdout, "hygiene,report older_than=90d,alice,"+w.aliceKey+",finding,") {
		t.Fatalf("csv plan at +100d:\n%s", r.stdout)
	}
	if want := "as of " + at.UTC().Format(time.RFC3339); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if statusByCLI(t, "alice", w.aliceKey) != "Active" {
		t.Fatal("plan deactivated a key")
	}
}

func TestPlanEmptySaysNoChanges(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "access-key-user", 0)
	cfg := writeConfig(t, "", "jobs:\n  curfew:\n    select: {users: [access-key-user]}\n    do: [deactivate: {}]\n")
	r := kw(t, admin(t), "plan", "-c", cfg)
	if r.code != 0 || r.stdout != "" || r.stderr != "keywarden: no changes (1 job, 1 user, 0 keys)\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestPlanBadInputStopsBeforeAWS(t *testing.T) {
	bad := writeConfig(t, "", `jobs:
  curfew:
    schedule: "0 0 * *"
    timezone: Asia/Tokio
    do:
      - deactivat: {}
`)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"every problem with line and column", []string{"plan", "-c", bad}, []string{
			"keywarden: config " + bad + " has 3 problems\n",
			bad + ":3:15: schedule \"0 0 * *\" has 4 fields",
			bad + ":4:15: unknown time zone \"Asia/Tokio\" (did you mean Asia/Tokyo?)",
			bad + ":6:9: unknown action \"deactivat\" (did you mean deactivate?)",
		}},
		{"apply too", []string{"apply", "--yes", "-c", bad}, []string{"has 3 problems", bad + ":6:9:"}},
		{"missing file", []string{"plan", "-c", "/nonexistent/keywarden.yaml"}, []string{"keywarden: config /nonexistent/keywarden.yaml not found"}},
		{"unknown job", []string{"plan", "-c", sampleConfig, "--job", "curfu"}, []string{`no job "curfu" in ` + sampleConfig + "; it has curfew, hygiene"}},
		{"bad at", []string{"plan", "-c", sampleConfig, "--at", "tomorrow"}, []string{`--at: want a date`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := kwRun(t, admin(t), run{noAWS: true}, c.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// Terraform's contract for CI: with --detailed-exitcode, 2 means changes are pending, 0 that
// none are, and every error is 1 so that bad input is never read as "changes".
func TestPlanDetailedExitcode(t *testing.T) {
	c := fresh(t)
	mkJobsWorld(t, c)

	r := kw(t, admin(t), "plan", "-c", sampleConfig, "--detailed-exitcode")
	if r.code != 2 || !strings.Contains(r.stdout, "deactivate") {
		t.Fatalf("changes pending: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = kw(t, admin(t), "plan", "-c", sampleConfig, "--job", "nosuchjob", "--detailed-exitcode")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("bad input under --detailed-exitcode: exit %d, want 1, one line\n%s", r.code, r.stderr)
	}
	r = kw(t, admin(t), "plan", "-c", sampleConfig, "--job", "nosuchjob")
	if r.code != 2 {
		t.Fatalf("bad input without --detailed-exitcode: exit %d, want 2\n%s", r.code, r.stderr)
	}
	// Once apply has done the curfew and the delete, nothing is pending.
	if r := kw(t, admin(t), "apply", "-c", sampleConfig, "--yes"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	r = kw(t, admin(t), "plan", "-c", sampleConfig, "--detailed-exitcode")
	if r.code != 0 || !strings.Contains(r.stderr, "no changes") {
		t.Fatalf("after apply: exit %d, want 0\n%s", r.code, r.stderr)
	}
}
