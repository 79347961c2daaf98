package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// ciDest is a CI system's destination in a crash test: its stand-in's environment for
// keywarden, the --to spec, and what a job there would read (the two variables).
type ciDest struct {
	env  []string
	to   string
	read func() (id, secret string)
	// recovers are the points after which the rerun reads the key back from this destination.
	recovers []string
}

// crashIntoCI kills a rotation into a CI destination and secretsmanager:ci/svc at each point,
// then runs the same command again: it finishes, the CI variables and AWSCURRENT hold the same
// key, it signs as the user, and the old key is the only other one, inactive. smExists creates
// the secret first (holding the old key), so the new key is staged as AWSPENDING.
func crashIntoCI(t *testing.T, points []string, smExists bool, start func(t *testing.T) ciDest) {
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			ownMoto(t)
			d := start(t)
			_, oldID, oldSecret := svcSetup(t)
			if smExists {
				old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
				awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
			}
			to := []string{"--to", d.to, "--to", "secretsmanager:ci/svc"}
			r := svcBin(t, append([]string{"KEYWARDEN_FAILPOINT=" + point}, d.env...), to...)
			if r.code != 97 || !strings.Contains(r.stderr, "failpoint "+point) {
				t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
			}
			r = rerunPastHold(t, svcUser, func() result { return svcBin(t, d.env, to...) })
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
			}
			if slices.Contains(d.recovers, point) && !strings.Contains(r.stderr, "back from "+d.to) {
				t.Fatalf("rerun did not read the key back from %s\n%s", d.to, r.stderr)
			}
			sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
			id, secret := d.read()
			if id != sec.AccessKeyId || secret != sec.SecretAccessKey {
				t.Fatalf("%s holds %s, AWSCURRENT %s", d.to, id, sec.AccessKeyId)
			}
			signsAsUser(t, credJSON{Version: 1, AccessKeyId: id, SecretAccessKey: secret})
			if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[id] != "Active" {
				t.Fatalf("keys %v: want the delivered key active and the old one inactive, nothing else", k)
			}
			noSecretIn(t, []string{secret, oldSecret}, r.stdout, r.stderr)
		})
	}
}
