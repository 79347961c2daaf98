package test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/test/emu"
)

// assertUnchanged checks a rotation that stopped or rolled back left nothing behind: the file
// byte for byte as before, IAM holding only the old key (Active), the old key working for the
// AWS CLI, and no journal.
func assertUnchanged(t *testing.T, credsPath string, before []byte, oldID, oldSecret string) {
	t.Helper()
	got, err := os.ReadFile(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(before) {
		t.Fatalf("credentials file changed:\n got: %q\nwant: %q", got, before)
	}
	if ks := userKeys(t, rotUser); len(ks) != 1 || ks[oldID] != "Active" {
		t.Fatalf("IAM keys of %s: %v, want only %s Active", rotUser, ks, oldID)
	}
	if e := stsByCLI(t, oldID, oldSecret); e != "" {
		t.Fatalf("the old key no longer works: %s", e)
	}
	if _, err := os.Stat(rotate.JournalPath(credsPath)); !os.IsNotExist(err) {
		t.Fatalf("journal left behind: %v", err)
	}
}

// TestRotatePropagation: IAM refuses a new key for a while. A short refusal is waited out
// (adaptive backoff, then consecutive successes); one longer than --wait rolls back.
func TestRotatePropagation(t *testing.T) {
	t.Run("waited out", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		p := moto(t).Proxy(t)
		p.SetPropagation(emu.Window{Requests: 3})
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none", "--wait", "30s")
		if r.code != 0 {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertRotated(t, credsPath, oldID, oldSecret, "")
		if !strings.Contains(r.stderr, "3 consecutive successes, 3 refusals") {
			t.Fatalf("progress does not show the wait:\n%s", r.stderr)
		}
		// identify + 3 refused + 3 accepted + the old key's refusal
		if n := p.Count("GetCallerIdentity"); n != 8 {
			t.Fatalf("GetCallerIdentity calls: %d, want 8", n)
		}
	})
	t.Run("longer than wait rolls back", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		before, _ := os.ReadFile(credsPath)
		p := moto(t).Proxy(t)
		p.SetPropagation(emu.Window{For: time.Hour})
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none", "--wait", "2s")
		if r.code != 1 || !strings.Contains(r.stderr, "did not work within 2s") || !strings.Contains(r.stderr, "rolled back") {
			t.Fatalf("rotate: exit %d, want 1 and a rollback\n%s", r.code, r.stderr)
		}
		assertUnchanged(t, credsPath, before, oldID, oldSecret)
		if n := p.Count("DeleteAccessKey"); n != 1 {
			t.Fatalf("DeleteAccessKey calls: %d, want 1 (the new key)", n)
		}
	})
}

// TestRotateAmbiguousCreate: CreateAccessKey reaches IAM but the answer is lost. keywarden must
// not retry blindly: it lists the keys, deletes the one whose secret it never got, and then
// tries one fresh create; if that is lost too it stops with nothing changed.
func TestRotateAmbiguousCreate(t *testing.T) {
	t.Run("completes on a fresh create", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		p := moto(t).Proxy(t)
		p.FailNext("CreateAccessKey", 1, emu.ResetAfter)
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none", "--output", "json")
		if r.code != 0 {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		newID := assertRotated(t, credsPath, oldID, oldSecret, "")
		var res rotate.Result
		mustJSON(t, r.stdout, &res)
		if len(res.Deleted) != 1 || res.Deleted[0] == newID || res.Deleted[0] == oldID {
			t.Fatalf("want the lost key deleted: %+v", res)
		}
		if n := p.Count("CreateAccessKey"); n != 2 {
			t.Fatalf("CreateAccessKey calls: %d, want 2 (the lost one, not retried by the SDK, and one fresh)", n)
		}
	})
	t.Run("stops cleanly when lost twice", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		before, _ := os.ReadFile(credsPath)
		p := moto(t).Proxy(t)
		p.FailNext("CreateAccessKey", 2, emu.ResetAfter)
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none")
		if r.code != 1 || !strings.Contains(r.stderr, "twice without an answer") {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertUnchanged(t, credsPath, before, oldID, oldSecret)
		if n := p.Count("CreateAccessKey"); n != 2 {
			t.Fatalf("CreateAccessKey calls: %d, want 2", n)
		}
		if n := p.Count("DeleteAccessKey"); n != 2 {
			t.Fatalf("DeleteAccessKey calls: %d, want 2 (each lost key)", n)
		}
	})
	// A 500 does not say whether IAM made the key first: it is reconciled like a lost answer,
	// never taken for "nothing happened" (a key whose secret was lost would stay).
	t.Run("a server error is reconciled, not trusted", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		p := moto(t).Proxy(t)
		p.FailNext("CreateAccessKey", 1, emu.ServerError)
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none")
		if r.code != 0 || !strings.Contains(r.stderr, "checking the keys") {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertRotated(t, credsPath, oldID, oldSecret, "")
		if n := p.Count("CreateAccessKey"); n != 2 {
			t.Fatalf("CreateAccessKey calls: %d, want 2 (the failed one, reconciled, and one fresh)", n)
		}
	})
	// A throttle is IAM saying the request was not done: the create is tried again after a
	// backoff, and the rotation goes on (a lost answer, by contrast, is never retried blindly).
	t.Run("throttled creates are retried", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		p := moto(t).Proxy(t)
		p.FailNext("CreateAccessKey", 2, emu.Throttle)
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none")
		if r.code != 0 || !strings.Contains(r.stderr, "throttled") {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertRotated(t, credsPath, oldID, oldSecret, "")
		if n := p.Count("CreateAccessKey"); n != 3 {
			t.Fatalf("CreateAccessKey calls: %d, want 3 (two throttled, one made)", n)
		}
	})
}

// TestRotateProbe: a failing probe rolls back; a passing one sees only the new key.
func TestRotateProbe(t *testing.T) {
	t.Run("failing probe rolls back", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		before, _ := os.ReadFile(credsPath)
		r := rotKW(t, credsPath, "--probe", "false")
		if r.code != 1 || !strings.Contains(r.stderr, "the probe failed") || !strings.Contains(r.stderr, "rolled back") {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertUnchanged(t, credsPath, before, oldID, oldSecret)
	})
	t.Run("probe signs with the new key", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		env := append(moto(t).Env("unused", "unused"), "AWS_PROFILE=dev")
		r := rotBin(t, env, credsPath, nil, "--probe", "aws sts get-caller-identity --query Arn --output text")
		if r.code != 0 {
			t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
		}
		assertRotated(t, credsPath, oldID, oldSecret, "")
		if !strings.Contains(r.stderr, "user/"+rotUser) || !strings.Contains(r.stderr, "probe passed") {
			t.Fatalf("the probe did not run as %s:\n%s", rotUser, r.stderr)
		}
	})
}

// Deactivate before delete: --retire delete deactivates the old key first, so a delete IAM
// refuses leaves the old key inactive, never active, and the rerun deletes it.
func TestRotateRetireDeactivatesBeforeDeleting(t *testing.T) {
	_, oldID, _, credsPath := rotSetup(t)
	p := moto(t).Proxy(t)
	p.FailNext("DeleteAccessKey", 1, emu.Denied)
	args := []string{"rotate", "--profile", "dev", "--credentials-file", credsPath, "--config-file", credsPath + ".none", "--retire", "delete"}
	r := kw(t, p.Config("unused", "unused"), args...)
	if r.code == 0 || !strings.Contains(r.stderr, "delete the old key "+oldID) {
		t.Fatalf("rotate with the delete refused: exit %d\n%s", r.code, r.stderr)
	}
	if st := statusByCLI(t, rotUser, oldID); st != "Inactive" {
		t.Fatalf("the old key is %s after its delete failed; it must have been deactivated first", st)
	}
	if n := p.Count("UpdateAccessKey"); n != 1 {
		t.Fatalf("UpdateAccessKey calls: %d, want 1 (the deactivation before the delete)", n)
	}
	if r := kw(t, p.Config("unused", "unused"), args...); r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	if k := userKeys(t, rotUser); len(k) != 1 || k[oldID] != "" {
		t.Fatalf("keys after the rerun %v: want the new key only", k)
	}
}

// At IAM's 50 tags, recording the retired old key must not prune the new key's record as if
// the new key were gone: the keys provenance prunes by are the user's keys, read if not given.
func TestRotateAtTheTagLimitKeepsTheNewKeysRecord(t *testing.T) {
	c, oldID, _, credsPath := rotSetup(t)
	var tags []iamtypes.Tag
	for i := range 49 {
		tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("team-%02d", i)), Value: aws.String("x")})
	}
	if _, err := c.TagUser(context.Background(), &iam.TagUserInput{UserName: aws.String(rotUser), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	r := rotKW(t, credsPath, "--retire", "deactivate")
	if r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	newID, _ := profileKey(t, credsPath, "dev")
	got := tagsByCLI(t, rotUser)
	if !strings.HasPrefix(got["keywarden:"+newID], "created ") {
		t.Fatalf("the new key's record is %q after the old key was retired at the tag limit (%d tags)", got["keywarden:"+newID], len(got))
	}
	if st := statusByCLI(t, rotUser, oldID); st != "Inactive" {
		t.Fatalf("the old key is %s", st)
	}
}
