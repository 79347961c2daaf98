package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/test/emu"
)

// deactivate --org --key finds each key in the account that holds it (a member's through its
// role, the management account's with the caller's own credentials), acts there only, and
// each line names the account; activate --org --key undoes it. The AWS CLI, assuming the
// member role itself, witnesses every account.
func TestOrgDeactivateActivateKeyInItsAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	ks := mkOrgUsers(t, g)
	m := g.members[1]

	r := kw(t, admin(t), "deactivate", "--org", "--key", ks[m]["dev"], "--key", ks[g.mgmt]["stale"])
	if r.code != 0 {
		t.Fatalf("deactivate --org --key: exit %d\n%s", r.code, r.stderr)
	}
	for _, line := range []string{m + " " + ks[m]["dev"] + " dev deactivated\n", g.mgmt + " " + ks[g.mgmt]["stale"] + " stale deactivated\n"} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("stdout lacks %q:\n%s", line, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("want one line per key, got %d:\n%s", n, r.stdout)
	}
	if st := keyStatusByCLI(t, memberEnv(t, m), "dev", ks[m]["dev"]); st != "Inactive" {
		t.Errorf("account %s: dev's key is %s, want Inactive", m, st)
	}
	if st := statusByCLI(t, "stale", ks[g.mgmt]["stale"]); st != "Inactive" {
		t.Errorf("management account: stale's key is %s, want Inactive", st)
	}
	other := g.members[0]
	if st := keyStatusByCLI(t, memberEnv(t, other), "dev", ks[other]["dev"]); st != "Active" {
		t.Errorf("account %s: dev's key is %s, want Active (not named)", other, st)
	}
	if st := statusByCLI(t, "dev", ks[g.mgmt]["dev"]); st != "Active" {
		t.Errorf("management account: dev's key is %s, want Active (not named)", st)
	}

	r = kw(t, admin(t), "activate", "--accounts", m, "--key", ks[m]["dev"], "-o", "json")
	var res []struct {
		Account, User, Outcome string
		AccessKeyID            string `json:"access_key_id"`
	}
	mustJSON(t, r.stdout, &res)
	if r.code != 0 || len(res) != 1 || res[0].Account != m || res[0].Outcome != "activated" {
		t.Fatalf("activate --accounts %s --key: exit %d, %+v\n%s", m, r.code, res, r.stderr)
	}
	if st := keyStatusByCLI(t, memberEnv(t, m), "dev", ks[m]["dev"]); st != "Active" {
		t.Errorf("account %s: dev's key is %s after activate, want Active", m, st)
	}
}

// A key the run does not cover, or no account knows, is bad input: one sentence naming the
// account and the fix, exit 2, and nothing changes anywhere.
func TestOrgDeactivateKeyOutsideTheRunChangesNothing(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	ks := mkOrgUsers(t, g)
	a, b := g.members[0], g.members[1]
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"key of an account not covered", []string{"--accounts", a, "--key", ks[a]["dev"], "--key", ks[b]["dev"]},
			"keywarden: access key " + ks[b]["dev"] + " is in account " + b + ", which this run does not cover; add the account to --accounts"},
		{"unknown key", []string{"--org", "--key", ks[a]["dev"], "--key", "AKIAIOSFODNN7EXAMPLE"}, "access key AKIAIOSFODNN7EXAMPLE not found"},
		{"key of another user", []string{"--org", "--user", "stale", "--key", ks[a]["dev"]},
			"keywarden: in account " + a + ": access key " + ks[a]["dev"] + " belongs to user dev, not stale"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := kw(t, admin(t), append([]string{"deactivate"}, tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d (want 2)\nstderr %q (want %q)\nstdout %q", r.code, r.stderr, tc.want, r.stdout)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("want one sentence, got:\n%s", r.stderr)
			}
			for _, id := range g.members {
				if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != "Active" {
					t.Fatalf("bad input changed account %s: dev's key is %s", id, st)
				}
			}
		})
	}
}

// --user NAME --all acts in every account and names it; one account whose role is denied is
// that account's failure alone: named with its reason, exit 1, every other account done.
func TestOrgDeactivateUserAllInEachAccountOneDenied(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 3)
	ks := mkOrgUsers(t, g)
	bad := g.members[1]
	p := moto(t).Proxy(t)
	remove := p.FailWhen(assumeIn(bad), emu.Denied)
	w := witness(t)
	cfg := p.Config(w[0], w[1])

	r := kw(t, cfg, "deactivate", "--org", "--user", "dev", "--all")
	if r.code != 1 {
		t.Fatalf("deactivate --org --user dev --all: exit %d, want 1\n%s", r.code, r.stderr)
	}
	line := "keywarden: account " + bad + " failed: assume arn:aws:iam::" + bad + ":role/KeywardenMember (sts:AssumeRole): access denied"
	if !strings.Contains(r.stderr, line) || !strings.Contains(r.stderr, "1 of 4 accounts failed ("+bad+")") {
		t.Errorf("stderr does not name the denied account and why:\n%s", r.stderr)
	}
	for _, id := range append([]string{g.mgmt}, g.members...) {
		want := "deactivated"
		if id == bad {
			want = ""
		}
		has := strings.Contains(r.stdout, id+" "+ks[id]["dev"]+" dev deactivated\n")
		if has != (want != "") {
			t.Errorf("account %s: line present %v, want %v:\n%s", id, has, want != "", r.stdout)
		}
	}
	for _, id := range g.members {
		want := "Inactive"
		if id == bad {
			want = "Active"
		}
		if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != want {
			t.Errorf("account %s: dev's key is %s, want %s", id, st, want)
		}
		if st := keyStatusByCLI(t, memberEnv(t, id), "stale", ks[id]["stale"]); st != "Active" {
			t.Errorf("account %s: stale's key is %s, want Active (not selected)", id, st)
		}
	}

	// The next morning, the denial fixed: activate re-enables each account's key, and the
	// key a curfew never touched in the once-denied account is not reported at all.
	remove()
	r = kw(t, cfg, "activate", "--org", "--user", "dev", "--all", "-o", "json")
	var res []struct{ Account, Outcome string }
	mustJSON(t, r.stdout, &res)
	if r.code != 0 || len(res) != 3 {
		t.Fatalf("activate --org: exit %d, %+v\n%s", r.code, res, r.stderr)
	}
	for _, x := range res {
		if x.Account == bad || x.Outcome != "activated" {
			t.Errorf("activate result %+v", x)
		}
	}
	for _, id := range g.members {
		if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != "Active" {
			t.Errorf("account %s: dev's key is %s after activate, want Active", id, st)
		}
	}
}

// Across accounts an exact name means "this user wherever it exists": --user dev --all acts
// in each account that has dev, says in one line each account that has not, and is bad input
// (nothing changed anywhere) only when no account has the user.
func TestOrgExactUserActsWhereItExists(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	a, b := g.members[0], g.members[1]
	devA := mkUser(t, iam.NewFromConfig(memberConfig(t, admin(t), a)), "dev", 1)[0]
	lone := mkUser(t, iam.NewFromConfig(memberConfig(t, admin(t), b)), "lone", 1)[0]

	r := kw(t, admin(t), "deactivate", "--accounts", a+","+b, "--user", "nobody", "--user", "nobody-*", "--all")
	if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "no user matches nobody, nobody-* in any of 2 accounts") {
		t.Fatalf("a name in no account: exit %d, want 2 and one line\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}

	r = kw(t, admin(t), "deactivate", "--accounts", a+","+b, "--user", "dev", "--all")
	if r.code != 0 {
		t.Fatalf("dev in one of two accounts: exit %d\n%s", r.code, r.stderr)
	}
	if want := a + " " + devA + " dev deactivated\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if want := "keywarden: account " + b + ": no user dev here\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if st := keyStatusByCLI(t, memberEnv(t, a), "dev", devA); st != "Inactive" {
		t.Errorf("account %s: dev's key is %s, want Inactive", a, st)
	}
	if st := keyStatusByCLI(t, memberEnv(t, b), "lone", lone); st != "Active" {
		t.Errorf("account %s: lone's key is %s, want Active (not selected)", b, st)
	}

	r = kw(t, admin(t), "activate", "--accounts", a+","+b, "--user", "dev", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, a+" "+devA+" dev activated") {
		t.Fatalf("activate dev in one of two accounts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
