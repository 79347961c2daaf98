package test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// assumeIn matches the AssumeRole calls into account id.
func assumeIn(id string) func(emu.Call) bool {
	return func(c emu.Call) bool {
		return c.Action == "AssumeRole" && strings.Contains(c.Params.Get("RoleArn"), ":"+id+":")
	}
}

// One account's AssumeRole is denied: apply still does every other account, names the
// denied one with its reason in one line, and exits 1.
func TestOrgAssumeRoleDeniedInOneAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 3)
	ks := mkOrgUsers(t, g)
	bad := g.members[1]
	p := moto(t).Proxy(t)
	p.FailWhen(assumeIn(bad), emu.Denied)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "apply", "-c", writeConfig(t, "", orgCurfew), "--yes")
	if r.code != 1 {
		t.Fatalf("apply: exit %d, want 1\n%s", r.code, r.stderr)
	}
	line := "keywarden: account " + bad + " failed: assume arn:aws:iam::" + bad + ":role/KeywardenMember (sts:AssumeRole): access denied"
	if !strings.Contains(r.stderr, line) || !strings.Contains(r.stderr, "1 of 4 accounts failed ("+bad+")") {
		t.Errorf("stderr does not name the denied account and why:\n%s", r.stderr)
	}
	for _, id := range g.members {
		want := "Inactive"
		if id == bad {
			want = "Active"
		}
		if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != want {
			t.Errorf("account %s: dev's key is %s, want %s", id, st, want)
		}
	}
	if st := statusByCLI(t, "dev", ks[g.mgmt]["dev"]); st != "Inactive" {
		t.Errorf("management account: dev's key is %s, want Inactive", st)
	}
}

// Throttling in one account does not stop the others: throttled within the SDK's retries the
// account is done too; throttled past them, it alone fails, named, and the rest are done.
func TestOrgThrottlingInOneAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 3)
	ks := mkOrgUsers(t, g)
	slow := g.members[0]
	p := moto(t).Proxy(t)
	var left atomic.Int32
	left.Store(2) // the SDK makes 3 attempts
	remove := p.FailWhen(func(c emu.Call) bool { return assumeIn(slow)(c) && left.Add(-1) >= 0 }, emu.Throttle)
	w := witness(t)
	cfg := p.Config(w[0], w[1])
	r := kw(t, cfg, "plan", "-c", writeConfig(t, "", orgCurfew), "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, slow) {
		t.Fatalf("plan with 2 throttles in %s: exit %d, want 0 and the account planned\n%s\n%s", slow, r.code, r.stdout, r.stderr)
	}
	remove()

	p.FailWhen(assumeIn(slow), emu.Throttle)
	r = kw(t, cfg, "serve", "-c", writeConfig(t, "", orgCurfew), "--once", "curfew")
	if r.code != 1 || !strings.Contains(r.stderr, "account "+slow+" failed: ") || !strings.Contains(r.stderr, "throttling") {
		t.Errorf("serve --once throttled past retries in %s: exit %d, want 1 naming it\n%s", slow, r.code, r.stderr)
	}
	for _, id := range g.members[1:] {
		if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != "Inactive" {
			t.Errorf("account %s: dev's key is %s, want Inactive although %s was throttled", id, st, slow)
		}
	}
	if st := keyStatusByCLI(t, memberEnv(t, slow), "dev", ks[slow]["dev"]); st != "Active" {
		t.Errorf("throttled account %s: dev's key is %s, want Active", slow, st)
	}
}
