package test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/test/emu"
)

// rotBin runs the real binary's rotate on credsPath with env (moto's or a proxy's) and extra
// variables. AWS_ACCESS_KEY_ID in the environment names a key moto does not know: rotate must
// sign with the profile's keys, not the environment's.
func rotBin(t *testing.T, env []string, credsPath string, extra []string, args ...string) result {
	t.Helper()
	return runBinary(t, append(rotEnv(env, credsPath), extra...), append([]string{"rotate", "--profile", "dev"}, args...)...)
}

// rotEnv is env (moto's or a proxy's) pointed at credsPath and its config beside it.
func rotEnv(env []string, credsPath string) []string {
	return append(slices.Clone(env),
		"AWS_SHARED_CREDENTIALS_FILE="+credsPath,
		"AWS_CONFIG_FILE="+filepath.Join(filepath.Dir(credsPath), "config"),
		"AWS_ACCESS_KEY_ID=AKIANOTAKEYNOTAKEY00", "AWS_SECRET_ACCESS_KEY=nope",
	)
}

// TestRotateCrashAtEachStep kills the real binary at each step (a failpoint ends the process as
// abruptly as a kill), then runs rotate again: it must finish the rotation, with exactly one
// usable key in the file, no key left in IAM whose secret is nowhere, and the old key dead.
func TestRotateCrashAtEachStep(t *testing.T) {
	parallel(t)
	for _, tc := range []struct {
		point     string
		journal   rotate.State // the journal's state after the crash
		newStored bool         // the file holds the new key after the crash
		orphan    bool         // IAM holds a key whose secret was lost
	}{
		{"before-create", rotate.StateCreating, false, false},
		{"after-create", rotate.StateCreating, false, true},
		{"after-store", rotate.StateCreating, true, false},
		{"after-verify", rotate.StateVerified, true, false},
		{"after-retire", rotate.StateVerified, true, false},
		{"after-confirm", rotate.StateRetired, true, false},
	} {
		t.Run(tc.point, func(t *testing.T) {
			ownMoto(t)
			_, oldID, oldSecret, credsPath := rotSetup(t)
			env := moto(t).Env("unused", "unused")
			r := rotBin(t, env, credsPath, []string{"KEYWARDEN_FAILPOINT=" + tc.point}, "--output", "json")
			if r.code != 97 || !strings.Contains(r.stderr, "failpoint "+tc.point) {
				t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
			}
			j, err := rotate.ReadJournal(rotate.JournalPath(credsPath))
			if err != nil || j == nil || j.State != tc.journal || j.OldKeyID != oldID {
				t.Fatalf("journal after the crash: %+v, %v; want state %s", j, err, tc.journal)
			}
			b, _ := os.ReadFile(rotate.JournalPath(credsPath))
			if strings.Contains(string(b), oldSecret) || strings.Contains(string(b), "SecretAccessKey") {
				t.Fatalf("journal holds a secret:\n%s", b)
			}
			id, _ := profileKey(t, credsPath, "dev")
			if (id != oldID) != tc.newStored {
				t.Fatalf("after the crash the file holds %s (old %s), want new stored=%v", id, oldID, tc.newStored)
			}
			keysAfterCrash := userKeys(t, rotUser)
			var orphan string
			for k := range keysAfterCrash {
				if k != oldID && k != id {
					orphan = k
				}
			}
			if (orphan != "") != tc.orphan {
				t.Fatalf("after the crash IAM holds %v; file %s; want an orphan: %v", keysAfterCrash, id, tc.orphan)
			}

			r = rotBin(t, env, credsPath, nil, "--output", "json")
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
			}
			newID := assertRotated(t, credsPath, oldID, oldSecret, "")
			var res rotate.Result
			mustJSON(t, r.stdout, &res)
			if !res.Resumed || res.NewKeyID != newID {
				t.Fatalf("rerun result %+v", res)
			}
			if tc.orphan && (!slices.Contains(res.Deleted, orphan) || newID == orphan) {
				t.Fatalf("the orphan %s was not deleted: %+v", orphan, res)
			}
			if tc.newStored && newID != id {
				t.Fatalf("rerun replaced the stored new key %s with %s instead of finishing", id, newID)
			}
		})
	}
}

// TestRotateCrashDuringRollback: the new key never works, and keywarden is killed right after
// putting the old key back in the file, before deleting the new key. That key's secret is now
// stored nowhere: the rerun must delete it, then rotate.
func TestRotateCrashDuringRollback(t *testing.T) {
	_, oldID, oldSecret, credsPath := rotSetup(t)
	p := moto(t).Proxy(t)
	p.SetPropagation(emu.Window{For: time.Hour})
	r := rotBin(t, p.Env("unused", "unused"), credsPath, []string{"KEYWARDEN_FAILPOINT=after-restore"}, "--wait", "1s")
	if r.code != 97 {
		t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
	}
	j, err := rotate.ReadJournal(rotate.JournalPath(credsPath))
	if err != nil || j == nil || j.State != rotate.StateRollingBack || j.NewKeyID == "" {
		t.Fatalf("journal after the crash: %+v, %v", j, err)
	}
	if id, _ := profileKey(t, credsPath, "dev"); id != oldID {
		t.Fatalf("the file holds %s, want the restored old key %s", id, oldID)
	}
	if ks := userKeys(t, rotUser); ks[j.NewKeyID] != "Active" {
		t.Fatalf("IAM keys %v: want the unusable new key %s still there", ks, j.NewKeyID)
	}

	r = rotBin(t, moto(t).Env("unused", "unused"), credsPath, nil, "--output", "json")
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	newID := assertRotated(t, credsPath, oldID, oldSecret, "")
	var res rotate.Result
	mustJSON(t, r.stdout, &res)
	if !slices.Contains(res.Deleted, j.NewKeyID) || newID == j.NewKeyID {
		t.Fatalf("the key whose secret was lost (%s) was not deleted: %+v", j.NewKeyID, res)
	}
}
