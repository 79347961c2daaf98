package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/svcrotate"
	"github.com/keywarden/keywarden/test/emu"
)

const svcUser = "svc-ci"

// svcSetup makes a service user with one active key, auth on; the admin signs keywarden.
func svcSetup(t *testing.T) (c *iam.Client, oldID, oldSecret string) {
	t.Helper()
	fresh(t)
	c = enableAuth(t)
	mkUser(t, c, svcUser, 0)
	oldID, oldSecret = mkKey(t, c, svcUser)
	return c, oldID, oldSecret
}

func svcKW(t *testing.T, args ...string) result {
	t.Helper()
	return kw(t, admin(t), append([]string{"rotate", "--user", svcUser, "--output", "json"}, args...)...)
}

func svcResults(t *testing.T, r result) []svcrotate.Result {
	t.Helper()
	var res []svcrotate.Result
	mustJSON(t, r.stdout, &res)
	return res
}

// credJSON is what every destination holds.
type credJSON struct {
	Version                      int
	AccessKeyId, SecretAccessKey string
}

// secretByCLI reads a secret's value (AWSCURRENT unless stage says otherwise) with the AWS CLI.
func secretByCLI(t *testing.T, id, stage string) credJSON {
	t.Helper()
	var o struct{ SecretString string }
	if err := json.Unmarshal(awsCLI(t, "secretsmanager", "get-secret-value", "--secret-id", id, "--version-stage", stage), &o); err != nil {
		t.Fatal(err)
	}
	var c credJSON
	if err := json.Unmarshal([]byte(o.SecretString), &c); err != nil {
		t.Fatalf("secret %s (%s) is not the credential JSON: %v", id, stage, err)
	}
	return c
}

func paramByCLI(t *testing.T, name string) credJSON {
	t.Helper()
	var o struct{ Parameter struct{ Value, Type string } }
	if err := json.Unmarshal(awsCLI(t, "ssm", "get-parameter", "--name", name, "--with-decryption"), &o); err != nil {
		t.Fatal(err)
	}
	if o.Parameter.Type != "SecureString" {
		t.Fatalf("parameter %s is %s, want SecureString", name, o.Parameter.Type)
	}
	var c credJSON
	if err := json.Unmarshal([]byte(o.Parameter.Value), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// signsAsUser is the witness that a delivered key works: the AWS CLI, signed with it, is the user.
func signsAsUser(t *testing.T, c credJSON) {
	t.Helper()
	if c.Version != 1 || c.AccessKeyId == "" || c.SecretAccessKey == "" {
		t.Fatalf("credential JSON %+v", c.AccessKeyId)
	}
	out := awsCLIEnv(t, moto(t).Env(c.AccessKeyId, c.SecretAccessKey), "sts", "get-caller-identity")
	if !strings.Contains(string(out), ":user/"+svcUser) {
		t.Fatalf("the delivered key %s signs as:\n%s", c.AccessKeyId, out)
	}
}

// noSecretIn fails if any secret shows in the given texts or in the user's tags.
func noSecretIn(t *testing.T, secrets []string, texts ...string) {
	t.Helper()
	tags, _ := json.Marshal(tagsByCLI(t, svcUser))
	for _, s := range secrets {
		for _, x := range append(texts, string(tags)) {
			if s != "" && strings.Contains(x, s) {
				t.Fatalf("a secret leaked into output or tags:\n%s", x)
			}
		}
	}
}

func stagesByCLI(t *testing.T, id string) map[string][]string {
	t.Helper()
	var o struct{ VersionIdsToStages map[string][]string }
	if err := json.Unmarshal(awsCLI(t, "secretsmanager", "describe-secret", "--secret-id", id), &o); err != nil {
		t.Fatal(err)
	}
	return o.VersionIdsToStages
}

func TestServiceRotateSecretsManager(t *testing.T) {
	t.Run("creates a missing secret", func(t *testing.T) {
		_, oldID, oldSecret := svcSetup(t)
		r := svcKW(t, "--to", "secretsmanager:ci/svc", "--grace", "0")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		got := secretByCLI(t, "ci/svc", "AWSCURRENT")
		signsAsUser(t, got)
		res := svcResults(t, r)
		if len(res) != 1 || res[0].NewKeyID != got.AccessKeyId || res[0].OldKeyID != oldID || res[0].State != "done" || res[0].OldKey != "inactive" {
			t.Fatalf("result %+v", res)
		}
		if st := statusByCLI(t, svcUser, oldID); st != "Inactive" {
			t.Fatalf("old key %s is %s, want Inactive (grace 0)", oldID, st)
		}
		tags := tagsByCLI(t, svcUser)
		if !strings.HasPrefix(tags["keywarden:"+oldID], "deactivated ") || tags[keys.RotationTag] != "" {
			t.Fatalf("tags %v: want the old key's deactivation recorded and no rotation left", tags)
		}
		var d struct{ Tags []struct{ Key, Value string } }
		json.Unmarshal(awsCLI(t, "secretsmanager", "describe-secret", "--secret-id", "ci/svc"), &d)
		if len(d.Tags) != 1 || d.Tags[0].Key != "keywarden:user" || d.Tags[0].Value != svcUser {
			t.Fatalf("the created secret's tags: %+v", d.Tags)
		}
		noSecretIn(t, []string{got.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
	})
	t.Run("moves AWSCURRENT, old version becomes AWSPREVIOUS", func(t *testing.T) {
		ownMoto(t)
		_, oldID, oldSecret := svcSetup(t)
		old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
		awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
		r := svcKW(t, "--to", "secretsmanager:ci/svc", "--grace", "0")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		got := secretByCLI(t, "ci/svc", "AWSCURRENT")
		signsAsUser(t, got)
		if prev := secretByCLI(t, "ci/svc", "AWSPREVIOUS"); prev.AccessKeyId != oldID {
			t.Fatalf("AWSPREVIOUS holds %s, want the old key %s", prev.AccessKeyId, oldID)
		}
		if len(stagesByCLI(t, "ci/svc")) != 2 {
			t.Fatalf("versions %v", stagesByCLI(t, "ci/svc"))
		}
	})
	t.Run("refuses another user's secret", func(t *testing.T) {
		ownMoto(t)
		_, oldID, _ := svcSetup(t)
		awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/other", "--secret-string", "{}", "--tags", "Key=keywarden:user,Value=svc-other")
		r := svcKW(t, "--to", "secretsmanager:ci/other")
		if r.code != 4 || !strings.Contains(r.stderr, "svc-other") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if res := svcResults(t, r); len(res) != 1 || res[0].State != "refused" || !strings.Contains(res[0].Error, "svc-other") {
			t.Fatalf("the JSON must say the user was refused, and why: %+v", res)
		}
		if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
			t.Fatalf("keys changed: %v", k)
		}
		if tg := tagsByCLI(t, svcUser); len(tg) != 0 {
			t.Fatalf("tags written: %v", tg)
		}
	})
}

func TestServiceRotateEveryDestinationAtOnce(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("# ci box\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER0\naws_secret_access_key = o\n"), 0o600)
	got := filepath.Join(dir, "got")
	script := filepath.Join(dir, "deliver.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+got+"\n{ echo \"$0 $*\"; env; } > "+got+".ctx\n"), 0o700)
	r := svcKW(t, "--grace", "0", "--to", "secretsmanager:ci/{user}", "--to", "ssm:/ci/{user}",
		"--to", "profile:ci@"+creds, "--to", "exec:"+script+" --name CI_KEY")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
	signsAsUser(t, sec)
	if p := paramByCLI(t, "/ci/"+svcUser); p != sec {
		t.Fatalf("ssm holds %s, secrets manager %s", p.AccessKeyId, sec.AccessKeyId)
	}
	id, s := profileKey(t, creds, "ci")
	if id != sec.AccessKeyId || s != sec.SecretAccessKey {
		t.Fatalf("profile ci holds %s", id)
	}
	b, _ := os.ReadFile(creds)
	if !strings.Contains(string(b), "# ci box") || !strings.Contains(string(b), "AKIAOTHEROTHEROTHER0") {
		t.Fatalf("the credentials file lost other content:\n%s", b)
	}
	var e credJSON
	if b, _ := os.ReadFile(got); json.Unmarshal(b, &e) != nil || e != sec {
		t.Fatalf("exec got %q", b)
	}
	ctx, _ := os.ReadFile(got + ".ctx")
	noSecretIn(t, []string{sec.SecretAccessKey, oldSecret, witness(t)[1]}, r.stdout, r.stderr, string(ctx))
	if st := statusByCLI(t, svcUser, oldID); st != "Inactive" {
		t.Fatalf("old key %s", st)
	}
}

func TestServiceRotateGrace(t *testing.T) {
	t.Run("stays active within the grace, retired after it when unused", func(t *testing.T) {
		c, oldID, _ := svcSetup(t)
		t0 := createdAt(t, c, svcUser, oldID) // keywarden's clock relates to moto's stamps only
		args := []string{"rotate", "--user", svcUser, "--to", "ssm:/ci/svc", "--output", "json"}
		r := kwAt(t, t0, admin(t), args...)
		if r.code != 0 || svcResults(t, r)[0].State != "grace" {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		signsAsUser(t, paramByCLI(t, "/ci/svc"))
		if st := statusByCLI(t, svcUser, oldID); st != "Active" {
			t.Fatalf("old key %s within the grace", st)
		}
		r = kwAt(t, t0.Add(23*time.Hour), admin(t), args...)
		if r.code != 0 || svcResults(t, r)[0].State != "grace" || statusByCLI(t, svcUser, oldID) != "Active" {
			t.Fatalf("second run within the grace: exit %d\n%s", r.code, r.stderr)
		}
		r = kwAt(t, t0.Add(25*time.Hour), admin(t), args...)
		if r.code != 0 || svcResults(t, r)[0].State != "done" || statusByCLI(t, svcUser, oldID) != "Inactive" {
			t.Fatalf("run after the grace: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("after the grace but used since delivery it is kept and named", func(t *testing.T) {
		ownMoto(t)
		c, oldID, oldSecret := svcSetup(t)
		t0 := createdAt(t, c, svcUser, oldID)
		args := []string{"rotate", "--user", svcUser, "--to", "ssm:/ci/svc", "--output", "json"}
		if r := kwAt(t, t0, admin(t), args...); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		awsCLIEnv(t, moto(t).Env(oldID, oldSecret), "sts", "get-caller-identity") // a consumer still on it
		r := kwAt(t, t0.Add(25*time.Hour), admin(t), args...)
		if r.code != 4 || !strings.Contains(r.stderr, oldID) || !strings.Contains(r.stderr, "--force") || statusByCLI(t, svcUser, oldID) != "Active" {
			t.Fatalf("exit %d, old key %s\n%s", r.code, statusByCLI(t, svcUser, oldID), r.stderr)
		}
		r = kwAt(t, t0.Add(25*time.Hour), admin(t), append(args, "--force")...)
		if r.code != 0 || statusByCLI(t, svcUser, oldID) != "Inactive" {
			t.Fatalf("--force: exit %d\n%s", r.code, r.stderr)
		}
	})
}

func TestServiceRotateLostCreateAnswer(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	p := moto(t).Proxy(t)
	p.FailNext("CreateAccessKey", 1, emu.ResetAfter)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "rotate", "--user", svcUser, "--to", "secretsmanager:ci/svc", "--grace", "0", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
	signsAsUser(t, sec)
	res := svcResults(t, r)[0]
	if len(res.Deleted) != 1 || res.Deleted[0] == sec.AccessKeyId || p.Count("CreateAccessKey") != 2 {
		t.Fatalf("want the lost key deleted and one more create: %+v, %d creates", res, p.Count("CreateAccessKey"))
	}
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[sec.AccessKeyId] != "Active" {
		t.Fatalf("keys %v", k)
	}
}

// A local destination that cannot work is bad input, refused before anything changes: no key
// is made, so no rotation is left half done for a program that was never there.
func TestServiceRotateRefusesALocalDestinationThatCannotWork(t *testing.T) {
	for _, tc := range []struct{ name, to, want string }{
		{"a program that is not there", "exec:/no/such/prog {user}", "cannot run /no/such/prog"},
		{"a credentials file in a missing directory", "profile:ci@" + filepath.Join(t.TempDir(), "nope", "credentials"), "does not exist; create it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ownMoto(t)
			_, oldID, _ := svcSetup(t)
			r := svcKW(t, "--to", "ssm:/ci/svc", "--to", tc.to, "--grace", "0")
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "could not reach AWS") {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
				t.Fatalf("keys changed: %v", k)
			}
			if tg := tagsByCLI(t, svcUser); len(tg) != 0 {
				t.Fatalf("tags written: %v", tg)
			}
		})
	}
}

// exec: takes the program at its word: a non-zero exit means it did not take the key.
func TestServiceRotateExecThatFails(t *testing.T) {
	failing := func(t *testing.T) (script, got string) {
		dir := t.TempDir()
		script, got = filepath.Join(dir, "push.sh"), filepath.Join(dir, "got")
		if err := os.WriteFile(script, []byte("#!/bin/sh\ncat > "+got+"\necho 'push failed: quota' >&2\nexit 3\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		return script, got
	}
	t.Run("the only destination: nobody has the key, so it goes", func(t *testing.T) {
		ownMoto(t)
		_, oldID, _ := svcSetup(t)
		script, got := failing(t)
		r := svcKW(t, "--to", "exec:"+script, "--grace", "0")
		if r.code != 1 || !containsAll(r.stderr, "deliver ", "to exec:"+script, "was deleted; user "+svcUser+" is as before", "exit status 3", "push failed: quota") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if res := svcResults(t, r); len(res) != 1 || res[0].State != "failed" {
			t.Fatalf("results %+v", res)
		}
		if b, _ := os.ReadFile(got); !strings.Contains(string(b), "AccessKeyId") {
			t.Fatalf("the program never ran: %q", b)
		}
		if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
			t.Fatalf("keys %v: want only the old key, active", k)
		}
		if tg := tagsByCLI(t, svcUser); tg[keys.RotationTag] != "" {
			t.Fatalf("rotation state left: %v", tg)
		}
	})
	t.Run("after a readable destination: the rerun finishes from it", func(t *testing.T) {
		ownMoto(t)
		_, oldID, _ := svcSetup(t)
		script, got := failing(t)
		// exec: first on the command line; the readable ssm: is still delivered before it.
		r := svcKW(t, "--to", "exec:"+script, "--to", "ssm:/ci/svc", "--grace", "0")
		if r.code != 1 || !strings.Contains(r.stderr, "run keywarden rotate again to finish") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		sec := paramByCLI(t, "/ci/svc")
		signsAsUser(t, sec)
		if st := statusByCLI(t, svcUser, oldID); st != "Active" {
			t.Fatalf("old key %s before every destination has the new one", st)
		}
		os.WriteFile(script, []byte("#!/bin/sh\ncat > "+got+"\n"), 0o700) // the quota is fixed
		r = svcKW(t, "--to", "exec:"+script, "--to", "ssm:/ci/svc", "--grace", "0")
		if r.code != 0 || statusByCLI(t, svcUser, oldID) != "Inactive" {
			t.Fatalf("rerun: exit %d, old key %s\n%s", r.code, statusByCLI(t, svcUser, oldID), r.stderr)
		}
		var e credJSON
		if b, _ := os.ReadFile(got); json.Unmarshal(b, &e) != nil || e != sec {
			t.Fatalf("the program got %q, want the key in ssm %s", b, sec.AccessKeyId)
		}
	})
}

// A new key IAM never accepts within --wait is deleted before any consumer sees it: the
// staged version is never made current, and the message says what happened in one sentence.
func TestServiceRotateNewKeyThatNeverWorks(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
	p := moto(t).Proxy(t)
	p.SetPropagation(emu.Window{For: time.Hour})
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "rotate", "--user", svcUser, "--to", "secretsmanager:ci/svc", "--grace", "0", "--wait", "2s")
	if r.code != 1 || !containsAll(r.stderr, "did not work within 2s", "was deleted; user "+svcUser+" is as before") || strings.Contains(r.stderr, "could not reach AWS (") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := secretByCLI(t, "ci/svc", "AWSCURRENT"); got.AccessKeyId != oldID {
		t.Fatalf("AWSCURRENT holds %s, want the old key %s", got.AccessKeyId, oldID)
	}
	if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
		t.Fatalf("keys %v: want only the old key, active", k)
	}
	if tg := tagsByCLI(t, svcUser); tg[keys.RotationTag] != "" {
		t.Fatalf("rotation state left: %v", tg)
	}
}

// No self-lockout: a service rotation never retires the key keywarden is signed with; that
// key is rotated with rotate --profile, which switches to the new key first.
func TestServiceRotateRefusesTheKeyItIsSignedWith(t *testing.T) {
	svcSetup(t)
	w := witness(t)
	r := kw(t, admin(t), "rotate", "--user", emu.AdminUser, "--to", "ssm:/ci/admin", "--grace", "0")
	if r.code != 4 || !containsAll(r.stderr, "the key "+w[0], "is the key keywarden is signed with", "rotate --profile") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	k := userKeys(t, emu.AdminUser)
	if len(k) != 1 || k[w[0]] != "Active" {
		t.Fatalf("the admin's keys changed: %v", k)
	}
	if tg := tagsByCLI(t, emu.AdminUser); tg[keys.RotationTag] != "" {
		t.Fatalf("a rotation was recorded: %v", tg)
	}
}

// A throttled CreateAccessKey was not done: it is tried again with backoff, not a failed run.
func TestServiceRotateRetriesAThrottledCreate(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	p := moto(t).Proxy(t)
	p.FailNext("CreateAccessKey", 3, emu.Throttle)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "rotate", "--user", svcUser, "--to", "ssm:/ci/svc", "--grace", "0", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := paramByCLI(t, "/ci/svc")
	signsAsUser(t, sec)
	if n := p.Count("CreateAccessKey"); n != 4 {
		t.Fatalf("CreateAccessKey calls: %d, want 4 (three throttled, one made)", n)
	}
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[sec.AccessKeyId] != "Active" {
		t.Fatalf("keys %v", k)
	}
}

// AWSCURRENT moved but the answer was lost: the SDK's retry is refused (the stage is no longer
// on the version it names), yet the delivery happened. The stages are read again and judged.
func TestServiceRotateLostAnswerOnMovingAWSCURRENT(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
	p := moto(t).Proxy(t)
	p.FailNext("UpdateSecretVersionStage", 1, emu.ResetAfter)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "rotate", "--user", svcUser, "--to", "secretsmanager:ci/svc", "--grace", "0", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
	signsAsUser(t, sec)
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[sec.AccessKeyId] != "Active" {
		t.Fatalf("keys %v", k)
	}
}
