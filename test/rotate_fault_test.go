package test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/test/emu"
)

// assertUnchanged checks a rotation that stopped or was refused left nothing behind: the file
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
		if !strings.Contains(r.stderr, "3 consecutive successes as ") || !strings.Contains(r.stderr, ", 3 refusals while IAM propagated it") {
			t.Fatalf("progress does not show the wait:\n%s", r.stderr)
		}
		// identify + 3 refused + 3 accepted + the old key's refusal
		if n := p.Count("GetCallerIdentity"); n != 8 {
			t.Fatalf("GetCallerIdentity calls: %d, want 8", n)
		}
	})
	t.Run("longer than wait deletes the new key", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		before, _ := os.ReadFile(credsPath)
		p := moto(t).Proxy(t)
		p.SetPropagation(emu.Window{For: time.Hour})
		r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", "dev", "--credentials-file", credsPath,
			"--config-file", credsPath+".none", "--wait", "2s")
		if r.code != 1 || !strings.Contains(r.stderr, "did not work within 2s") || !strings.Contains(r.stderr, "was deleted; user") {
			t.Fatalf("rotate: exit %d, want 1 and the new key deleted\n%s", r.code, r.stderr)
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

// TestRotateProbe: a failing probe deletes the new key before the file ever holds it; a
// passing one sees only the new key.
func TestRotateProbe(t *testing.T) {
	t.Run("failing probe deletes the new key", func(t *testing.T) {
		_, oldID, oldSecret, credsPath := rotSetup(t)
		before, _ := os.ReadFile(credsPath)
		r := rotKW(t, credsPath, "--probe", "false")
		if r.code != 1 || !strings.Contains(r.stderr, "the probe failed") || !strings.Contains(r.stderr, "was deleted; user") {
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

// At IAM's 50 tags a self-rotation is the engine's: room for every record it will write is
// made before anything changes, by pruning stale records of deleted keys only, oldest first, and
// the new key's record survives the old key's retirement.
func TestRotateAtTheTagLimitKeepsTheNewKeysRecord(t *testing.T) {
	c, oldID, _, credsPath := rotSetup(t)
	tags := teamTags(47)
	stale := func(i int) string { return keys.TagKey(fmt.Sprintf("AKIAGONEGONEGONE%04d", i)) }
	for i := range 2 {
		rec := keys.Record{Action: keys.ActionDeleted, Time: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC), Origin: "job:hygiene"}
		tags[stale(i)] = rec.String()
	}
	tagUser(t, c, rotUser, tags)
	r := rotKW(t, credsPath, "--retire", "deactivate")
	if r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	newID, _ := profileKey(t, credsPath, "dev")
	got := tagsByCLI(t, rotUser)
	if !strings.HasPrefix(got["keywarden:"+newID], "created ") || !strings.HasPrefix(got["keywarden:"+oldID], "deactivated ") {
		t.Fatalf("the records after the old key was retired at the tag limit (%d tags): new %q, old %q", len(got), got["keywarden:"+newID], got["keywarden:"+oldID])
	}
	if _, kept := got[stale(0)]; kept || got[stale(1)] == "" || len(got) != 50 {
		t.Fatalf("%d tags: want the older stale record pruned, the newer kept, 50 in all: %v", len(got), got)
	}
	if st := statusByCLI(t, rotUser, oldID); st != "Inactive" {
		t.Fatalf("the old key is %s", st)
	}
}

// With no stale record to prune, the records cannot fit: the self-rotation refuses (exit 4)
// before any change, as a service rotation does.
func TestRotateAtTheTagLimitWithNoStaleRecordRefuses(t *testing.T) {
	c, oldID, oldSecret, credsPath := rotSetup(t)
	tagUser(t, c, rotUser, teamTags(49))
	before, _ := os.ReadFile(credsPath)
	r := rotKW(t, credsPath)
	if r.code != 4 || !strings.Contains(r.stderr, "remove a tag so keywarden can record the change") {
		t.Fatalf("rotate at 49 tags: exit %d, want 4 and the tag limit named\n%s", r.code, r.stderr)
	}
	assertUnchanged(t, credsPath, before, oldID, oldSecret)
}

// teamTags are n tags that are not keywarden's (team-00=x, …), to bring a user near IAM's 50.
func teamTags(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("team-%02d", i)] = "x"
	}
	return m
}
