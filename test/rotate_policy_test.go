package test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/policy"
)

// rotateRuleFile is a rule with every destination kind; ssm comes first so that a rerun reads
// SSM back before Secrets Manager (both reads are then needed by one interrupted world).
func rotateRuleFile(t *testing.T) (cfgPath, execOut string) {
	t.Helper()
	dir := t.TempDir()
	execOut = filepath.Join(dir, "exec-got")
	script := filepath.Join(dir, "deliver.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+execOut+"\n"), 0o700)
	to := `["ssm:/ci/{user}", "secretsmanager:ci/{user}", "profile:ci-{user}@` + filepath.Join(dir, "credentials") + `", "exec:` + script + ` {user}"]`
	return rotateRule(t, `{older_than: 80d, to: `+to+`, grace: 0d, make_room: true}`), execOut
}

func rotateDoc(t *testing.T, cfgPath string) permissions.Document {
	t.Helper()
	data, _ := os.ReadFile(cfgPath)
	cfg, err := policy.Load(cfgPath, data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := permissions.ForJobs(cfg, nil, "*")
	if err != nil {
		t.Fatal(err)
	}
	// The document keywarden prints is the one tested.
	if r := kwRun(t, aws.Config{}, run{noAWS: true}, "policy", "-c", cfgPath); r.code != 0 || strings.TrimSpace(r.stdout) != d.JSON() {
		t.Fatalf("keywarden policy printed (exit %d):\n%s", r.code, r.stdout)
	}
	return d
}

// rotateWorld is svc-ci with an old active key, auth on, and a user "runner" holding doc.
// world: "fresh" (no secret yet), "existing" (the secret exists, tagged for svc-ci),
// "make-room" (svc-ci also has an inactive key), "interrupted" (existing, and a run that could
// neither write nor read SSM left the rotation delivering: a failed write it can read back as
// not taken is abandoned instead, the new key deleted).
func rotateWorld(t *testing.T, world, cfgPath string, doc permissions.Document) (runner aws.Config, oldID string, at time.Time) {
	t.Helper()
	fresh(t)
	c := enableAuth(t)
	mkUser(t, c, svcUser, 0)
	oldID, _ = mkKey(t, c, svcUser)
	at = createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour)
	if world == "make-room" {
		spare, _ := mkKey(t, c, svcUser)
		awsCLI(t, "iam", "update-access-key", "--user-name", svcUser, "--access-key-id", spare, "--status", "Inactive")
	}
	if world == "existing" || world == "interrupted" {
		awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/"+svcUser, "--secret-string", "{}", "--tags", "Key=keywarden:user,Value="+svcUser)
	}
	mkUser(t, c, "runner", 0)
	id, secret := mkKey(t, c, "runner")
	runner = moto(t).Config(id, secret)
	if world == "interrupted" {
		putPolicy(t, c, "runner", without(without(doc, "ssm:PutParameter"), "ssm:GetParameter"))
		if r := kwAt(t, at, runner, "apply", "-c", cfgPath, "--yes"); r.code != 5 || !strings.Contains(r.stderr, "may not ssm:PutParameter") {
			t.Fatalf("the interrupting run: exit %d\n%s", r.code, r.stderr)
		}
	}
	putPolicy(t, c, "runner", doc)
	return runner, oldID, at
}

func TestRotateRulePolicyIsEnoughAndEveryActionInItIsNeeded(t *testing.T) {
	parallel(t)
	// The policy names no local path, so one document serves every subtest's own rule file
	// (parallel subtests must not share the profile and exec: files).
	cfgPath, _ := rotateRuleFile(t)
	doc := motoCanCheck(rotateDoc(t, cfgPath))

	for _, world := range []string{"fresh", "interrupted"} {
		t.Run("the whole policy rotates into every destination, "+world, func(t *testing.T) {
			ownMoto(t)
			cfgPath, execOut := rotateRuleFile(t)
			runner, oldID, at := rotateWorld(t, world, cfgPath, doc)
			r := kwAt(t, at, runner, "apply", "-c", cfgPath, "--yes")
			if r.code != 0 || !strings.Contains(r.stdout, oldID+" "+svcUser+" rotated: ") && !strings.Contains(r.stdout, oldID+" "+svcUser+" finished: ") {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
			signsAsUser(t, sec)
			if p := paramByCLI(t, "/ci/"+svcUser); p != sec {
				t.Fatalf("ssm holds %s, secrets manager %s", p.AccessKeyId, sec.AccessKeyId)
			}
			if b, _ := os.ReadFile(execOut); !strings.Contains(string(b), sec.AccessKeyId) {
				t.Fatalf("exec: got %q", b)
			}
			if statusByCLI(t, svcUser, oldID) != "Inactive" {
				t.Fatalf("grace 0: the old key is still %s", statusByCLI(t, svcUser, oldID))
			}
		})
	}

	// Each action, dropped, makes the run fail with exit 5 naming it and printing the policy
	// that grants it; the old key is never retired by a run that could not finish delivering.
	cases := []struct{ action, world string }{
		{"iam:ListUsers", "fresh"},
		{"iam:ListAccessKeys", "fresh"},
		{"iam:GetAccessKeyLastUsed", "fresh"},
		{"iam:ListUserTags", "fresh"},
		{"iam:TagUser", "fresh"},
		{"iam:CreateAccessKey", "fresh"},
		{"iam:UpdateAccessKey", "fresh"},
		{"iam:UntagUser", "fresh"},
		{"iam:DeleteAccessKey", "make-room"},
		{"ssm:PutParameter", "fresh"},
		{"ssm:GetParameter", "interrupted"},
		{"secretsmanager:DescribeSecret", "fresh"},
		{"secretsmanager:CreateSecret", "fresh"},
		{"secretsmanager:PutSecretValue", "existing"},
		{"secretsmanager:UpdateSecretVersionStage", "existing"},
		{"secretsmanager:GetSecretValue", "interrupted"},
		// secretsmanager:TagResource is what AWS asks of CreateSecret with tags (the
		// keywarden:user tag); moto authorizes each call by its own action only, so it cannot
		// show it. kms: is granted only with a kms_key_id, and moto checks no KMS permission.
	}
	covered := []string{"secretsmanager:TagResource"}
	for _, tc := range cases {
		covered = append(covered, tc.action)
		t.Run("without "+tc.action, func(t *testing.T) {
			ownMoto(t)
			cfgPath, _ := rotateRuleFile(t)
			runner, oldID, at := rotateWorld(t, tc.world, cfgPath, doc)
			putPolicy(t, iam.NewFromConfig(admin(t)), "runner", without(doc, tc.action))
			r := kwAt(t, at, runner, "apply", "-c", cfgPath, "--yes")
			if r.code != 5 || !strings.Contains(r.stderr, "may not "+tc.action) || !strings.Contains(r.stderr, `"Action": "`+tc.action+`"`) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 5 naming %s and the policy granting it", r.code, r.stdout, r.stderr, tc.action)
			}
			if st := statusByCLI(t, svcUser, oldID); st != "Active" && tc.action != "iam:UntagUser" {
				t.Errorf("a run denied %s retired the old key (%s)", tc.action, st)
			}
		})
	}
	for _, a := range doc.Actions() {
		if !slices.Contains(covered, a) {
			t.Errorf("the policy grants %s, which no subtest shows is needed", a)
		}
	}
}
