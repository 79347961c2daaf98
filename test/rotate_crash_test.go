package test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/rotate"
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
		journal   keys.Phase // the journal's phase after the crash
		newStored bool       // the file holds the new key after the crash
		orphan    bool       // IAM holds a key whose secret was lost
	}{
		{"before-create", keys.PhaseCreating, false, false},
		{"after-create", keys.PhaseCreating, false, true},
		{"after-stage", keys.PhaseCreating, false, true},
		{"after-verify", keys.PhaseCreating, false, true},
		{"before-deliver", keys.PhaseDelivering, false, true},
		{"after-deliver", keys.PhaseDelivering, true, false},
		{"after-delivered", keys.PhaseDelivered, true, false},
		{"after-retire", keys.PhaseDelivered, true, false},
		{"after-confirm", keys.PhaseDelivered, true, false},
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
			if err != nil || j == nil || j.Phase != tc.journal || j.OldKeyID != oldID {
				t.Fatalf("journal after the crash: %+v, %v; want phase %s", j, err, tc.journal)
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
