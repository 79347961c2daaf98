package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// rotateRule writes a keywarden.yaml with one job that rotates svc-* keys into to.
func rotateRule(t *testing.T, rule string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keywarden.yaml")
	yaml := "jobs:\n  rotate-ci:\n    schedule: \"0 3 * * 1\"\n    timezone: Asia/Tokyo\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: " + rule + "\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The rule's life, told by plan and done by apply: nothing while the key is young; rotate once
// it is older than the limit; wait within the grace; finish after it (the old key unused).
// keywarden's clock is moto's own stamp of the old key plus an offset, never a fixed date.
func TestRotateRuleThroughPlanAndApply(t *testing.T) {
	c, oldID, oldSecret := svcSetup(t)
	t0 := createdAt(t, c, svcUser, oldID)
	cfg := rotateRule(t, `{older_than: 80d, to: ["secretsmanager:ci/{user}"], grace: 24h}`)
	plan := func(at time.Time) (result, policy.Plan) {
		t.Helper()
		r := kwAt(t, at, admin(t), "plan", "-c", cfg, "-o", "json")
		var p policy.Plan
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &p) != nil {
			t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		return r, p
	}

	if r, p := plan(t0.Add(10 * 24 * time.Hour)); len(p.Actions) != 0 || !strings.Contains(r.stderr, "no changes") {
		t.Fatalf("a 10-day-old key: %+v\n%s", p.Actions, r.stderr)
	}
	rotateAt := t0.Add(81 * 24 * time.Hour)
	r := kwAt(t, rotateAt, admin(t), "plan", "-c", cfg)
	if r.code != 0 || !containsAll(r.stdout, "rotate-ci", "rotate older_than=80d to=secretsmanager:ci/{user} grace=1d", svcUser, oldID,
		"created 81 days ago", "rotate into secretsmanager:ci/{user}") || !strings.Contains(r.stderr, "1 job, 1 user, 1 key: 1 rotate") {
		t.Fatalf("plan at 81 days: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if _, p := plan(rotateAt); p.Actions[0].Rotation == nil || p.Actions[0].Rotation.To[0] != "secretsmanager:ci/"+svcUser {
		t.Fatalf("plan JSON names no expanded destination: %+v", p.Actions[0])
	}

	r = kwAt(t, rotateAt, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !containsAll(r.stdout, oldID+" "+svcUser+" rotated: "+oldID+" -> ", "in secretsmanager:ci/"+svcUser, "the old key stays active until") {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
	signsAsUser(t, sec)
	noSecretIn(t, []string{sec.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
	if statusByCLI(t, svcUser, oldID) != "Active" || tagsByCLI(t, svcUser)[keys.RotationTag] == "" {
		t.Fatalf("within the grace the old key stays active and the rotation recorded: %v", tagsByCLI(t, svcUser))
	}
	if rec := tagsByCLI(t, svcUser)["keywarden:"+sec.AccessKeyId]; !strings.Contains(rec, "job:rotate-ci") {
		t.Fatalf("the new key's record %q does not name the job", rec)
	}

	if _, p := plan(rotateAt.Add(time.Hour)); len(p.Actions) != 1 || p.Actions[0].Kind != policy.WaitRotation || !strings.Contains(p.Actions[0].Reason, "stays active until") {
		t.Fatalf("within the grace: %+v", p.Actions)
	}
	r = kwAt(t, rotateAt.Add(time.Hour), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "waiting: ") || statusByCLI(t, svcUser, oldID) != "Active" {
		t.Fatalf("apply within the grace: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	after := rotateAt.Add(25 * time.Hour)
	if _, p := plan(after); len(p.Actions) != 1 || p.Actions[0].Kind != policy.FinishRotation || !strings.Contains(p.Actions[0].Reason, "has passed and the old key is unused since") {
		t.Fatalf("after the grace: %+v", p.Actions)
	}
	r = kwAt(t, after, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !containsAll(r.stdout, oldID+" "+svcUser+" finished: ", "old key inactive") {
		t.Fatalf("apply after the grace: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if statusByCLI(t, svcUser, oldID) != "Inactive" || tagsByCLI(t, svcUser)[keys.RotationTag] != "" {
		t.Fatalf("the old key is %s, tags %v", statusByCLI(t, svcUser, oldID), tagsByCLI(t, svcUser))
	}
	// The new key is as young as moto's stamp of it: nothing is left to do for it.
	if _, p := plan(t0.Add(time.Hour)); len(p.Actions) != 0 {
		t.Fatalf("after finishing: %+v", p.Actions)
	}
	signsAsUser(t, secretByCLI(t, "ci/"+svcUser, "AWSCURRENT"))
}

// serve --once runs the rule as the daemon and the Lambda do: through the same runner.
func TestRotateRuleServeOnceAndDryRun(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	at := createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour)
	cfg := rotateRule(t, `{older_than: 80d, to: ["ssm:/ci/{user}"], grace: 0d}`)
	r := kwAt(t, at, admin(t), "serve", "-c", cfg, "--once", "rotate-ci", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, oldID+" "+svcUser+" would rotate") || statusByCLI(t, svcUser, oldID) != "Active" {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kwAt(t, at, admin(t), "serve", "-c", cfg, "--once", "rotate-ci")
	if r.code != 0 || !strings.Contains(r.stdout, oldID+" "+svcUser+" rotated: ") || statusByCLI(t, svcUser, oldID) != "Inactive" {
		t.Fatalf("serve --once: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	signsAsUser(t, paramByCLI(t, "/ci/"+svcUser))
}
