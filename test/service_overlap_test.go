package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/test/emu"
)

// overlapDest is one destination that cannot stage, with the call that delivers to it (or the
// last one before a file is written) and how to read which key it holds.
type overlapDest struct {
	name  string
	to    func(t *testing.T) string
	hold  func(emu.Call) bool
	holds func(t *testing.T, to string) credJSON
}

func overlapDests() []overlapDest {
	return []overlapDest{
		{name: "ssm",
			to:    func(*testing.T) string { return "ssm:/ci/svc" },
			hold:  func(c emu.Call) bool { return c.Action == "PutParameter" },
			holds: func(t *testing.T, _ string) credJSON { return paramByCLI(t, "/ci/svc") }},
		{name: "profile",
			to: func(t *testing.T) string {
				creds := filepath.Join(t.TempDir(), "credentials")
				os.WriteFile(creds, nil, 0o600)
				return "profile:ci@" + creds
			},
			// The record of the proven key, written just before the file is.
			hold: func(c emu.Call) bool {
				return c.Action == "TagUser" && strings.Contains(c.Params.Get("Tags.member.1.Value"), "p=delivering")
			},
			holds: func(t *testing.T, to string) credJSON {
				id, s := profileKey(t, strings.TrimPrefix(to, "profile:ci@"), "ci")
				return credJSON{1, id, s}
			}},
	}
}

// startHeld starts a rotation through the proxy and returns once its delivery is held.
func startHeld(t *testing.T, d overlapDest, to string) (release func(), wait func() result) {
	t.Helper()
	w := witness(t)
	p := moto(t).Proxy(t)
	held, release := p.HoldWhen(t, d.hold)
	a := make(chan result, 1)
	go func() {
		a <- runBinary(t, p.Env(w[0], w[1]), "rotate", "--user", svcUser, "--grace", "0", "--wait", "30s", "--output", "json", "--to", to)
	}()
	select {
	case <-held:
	case r := <-a:
		t.Fatalf("the first run ended before its delivery: exit %d\n%s", r.code, r.stderr)
	}
	return release, func() result { return <-a }
}

// ageRecord moves the start of the rotation record on the user an hour back: what a rerun
// finds once the run that wrote it has long been stopped.
func ageRecord(t *testing.T) {
	t.Helper()
	ageState(t, svcUser)
}

// A second run while the first is delivering its proven key: the first run's record is fresh,
// so the second refuses and changes nothing, and the first delivers a key that works.
func TestServiceRotateSecondRunRefusesALiveRunsRecord(t *testing.T) {
	for _, d := range overlapDests() {
		t.Run(d.name, func(t *testing.T) {
			_, oldID, _ := svcSetup(t)
			to := d.to(t)
			release, waitA := startHeld(t, d, to)
			before := userKeys(t, svcUser)
			record := tagsByCLI(t, svcUser)[keys.RotationTag]

			b := svcBin(t, nil, "--to", to)
			if b.code != 4 || !strings.Contains(b.stderr, "another run (r=") || !strings.Contains(b.stderr, "rerun after it ends") {
				t.Fatalf("second run: exit %d, want 4 naming the live run\n%s", b.code, b.stderr)
			}
			if k := userKeys(t, svcUser); len(k) != len(before) || len(k) != 2 {
				t.Fatalf("keys %v, before the second run %v", k, before)
			}
			if got := tagsByCLI(t, svcUser)[keys.RotationTag]; got != record {
				t.Fatalf("the second run changed the record %q to %q", record, got)
			}

			release()
			a := waitA()
			if a.code != 0 {
				t.Fatalf("first run: exit %d\n%s", a.code, a.stderr)
			}
			c := d.holds(t, to)
			signsAsUser(t, c)
			if k := userKeys(t, svcUser); len(k) != 2 || k[c.AccessKeyId] != "Active" || k[oldID] != "Inactive" {
				t.Fatalf("keys %v: want the delivered key active and the old one inactive", k)
			}
		})
	}
}

// The same, the first run's record taken for an interrupted one (aged past any run's length):
// the second run deletes the first's key and rotates, so the first delivers a dead key. It must
// say so, not "done"; the rerun must not say there is nothing to do; the advice it gives works.
func TestServiceRotateRunDeliveringADeletedKeySaysSo(t *testing.T) {
	for _, d := range overlapDests() {
		t.Run(d.name, func(t *testing.T) {
			svcSetup(t)
			to := d.to(t)
			release, waitA := startHeld(t, d, to)
			ageRecord(t)

			if b := svcBin(t, nil, "--to", to); b.code != 0 {
				t.Fatalf("second run: exit %d\n%s", b.code, b.stderr)
			}
			release()
			a := waitA()
			if a.code != 1 || !strings.Contains(a.stderr, "no longer exists in IAM") {
				t.Fatalf("first run: exit %d, want 1 saying its key is gone\n%s", a.code, a.stderr)
			}
			dead := d.holds(t, to)
			if _, ok := userKeys(t, svcUser)[dead.AccessKeyId]; ok {
				t.Fatalf("%s still holds %s, which exists: the scenario did not happen", to, dead.AccessKeyId)
			}

			r := svcBin(t, nil, "--to", to)
			if r.code != 1 || !strings.Contains(r.stderr, "does not hold its active key") || !strings.Contains(r.stderr, "--make-room") {
				t.Fatalf("rerun: exit %d, want 1 saying what the destination holds\n%s", r.code, r.stderr)
			}
			if r = svcBin(t, nil, "--to", to, "--make-room"); r.code != 0 {
				t.Fatalf("rerun with --make-room: exit %d\n%s", r.code, r.stderr)
			}
			signsAsUser(t, d.holds(t, to))
		})
	}
}
