package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
)

// svcBin runs the real binary's service rotation signed as the test's admin.
func svcBin(t *testing.T, extra []string, args ...string) result {
	t.Helper()
	w := witness(t)
	return runBinary(t, append(slices.Clone(moto(t).Env(w[0], w[1])), extra...), append([]string{"rotate", "--user", svcUser, "--grace", "0", "--output", "json"}, args...)...)
}

// currentWorks is invariant 9 after a crash: what consumers read is a key IAM has as Active.
func currentWorks(t *testing.T, secretID, param string) {
	t.Helper()
	cur := secretByCLI(t, secretID, "AWSCURRENT")
	if st := statusByCLI(t, svcUser, cur.AccessKeyId); st != "Active" {
		t.Fatalf("the secret's AWSCURRENT holds %s, which is %s in IAM", cur.AccessKeyId, st)
	}
	var o struct{ Parameters []struct{ Value string } }
	json.Unmarshal(awsCLI(t, "ssm", "get-parameters", "--names", param, "--with-decryption"), &o)
	for _, p := range o.Parameters {
		var c credJSON
		json.Unmarshal([]byte(p.Value), &c)
		if st := statusByCLI(t, svcUser, c.AccessKeyId); st != "Active" {
			t.Fatalf("the parameter holds %s, which is %s in IAM", c.AccessKeyId, st)
		}
	}
}

// TestServiceRotateCrashAtEachStep kills the real binary at each step, then runs the same command
// again: it finishes, no key is left whose secret is nowhere, and what consumers read always works.
func TestServiceRotateCrashAtEachStep(t *testing.T) {
	parallel(t)
	for _, point := range []string{"before-create", "after-create", "after-stage", "after-verify",
		"before-deliver", "mid-deliver", "after-deliver", "after-delivered", "after-retire"} {
		t.Run(point, func(t *testing.T) {
			ownMoto(t)
			_, oldID, oldSecret := svcSetup(t)
			old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
			awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
			to := []string{"--to", "secretsmanager:ci/svc", "--to", "ssm:/ci/svc"}
			r := svcBin(t, []string{"KEYWARDEN_FAILPOINT=" + point}, to...)
			if r.code != 97 || !strings.Contains(r.stderr, "failpoint "+point) {
				t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
			}
			currentWorks(t, "ci/svc", "/ci/svc")
			if v := tagsByCLI(t, svcUser)[keys.RotationTag]; point != "after-retire" && v == "" {
				t.Fatalf("no rotation state on the user after a crash at %s", point)
			}

			r = rerunPastHold(t, svcUser, func() result { return svcBin(t, nil, to...) })
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
			}
			sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
			signsAsUser(t, sec)
			if p := paramByCLI(t, "/ci/svc"); p != sec {
				t.Fatalf("ssm holds %s, the secret %s", p.AccessKeyId, sec.AccessKeyId)
			}
			k := userKeys(t, svcUser)
			if len(k) != 2 || k[oldID] != "Inactive" || k[sec.AccessKeyId] != "Active" {
				t.Fatalf("keys %v: want the delivered key active and the old one inactive, nothing else", k)
			}
			if v := tagsByCLI(t, svcUser)[keys.RotationTag]; v != "" {
				t.Fatalf("rotation state left: %s", v)
			}
			noSecretIn(t, []string{sec.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
		})
	}
}

// TestServiceRotateCrashWithOnlyExec: the secret went to a program that cannot give it back,
// and the run died before it was known to be delivered: the rerun refuses instead of guessing.
func TestServiceRotateCrashWithOnlyExec(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "deliver.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+filepath.Join(dir, "got")+"\n"), 0o700)
	r := svcBin(t, []string{"KEYWARDEN_FAILPOINT=after-deliver"}, "--to", "exec:"+script)
	if r.code != 97 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	r = svcBin(t, nil, "--to", "exec:"+script)
	if r.code != 4 || !strings.Contains(r.stderr, "exec:"+script) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
		t.Fatalf("rerun: exit %d, want one refusal naming the program\n%s", r.code, r.stderr)
	}
	if st := statusByCLI(t, svcUser, oldID); st != "Active" {
		t.Fatalf("old key %s", st)
	}
}
