package test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const orgCurfew = `accounts:
  organization: true
  concurrency: 2
jobs:
  curfew:
    select: {users: [dev]}
    do:
      - deactivate: {}
`

// An organization of three accounts with users in each: audit, plan and apply act in every
// account, the management one with the caller's own credentials, and name the account; the
// AWS CLI, assuming the member role itself, witnesses each account's keys.
func TestOrgAuditPlanApplyActInEveryAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	ks := mkOrgUsers(t, g)
	all := append([]string{g.mgmt}, g.members...)
	sort.Strings(all)

	r := kw(t, admin(t), "audit", "--org", "-o", "json")
	if r.code != 0 {
		t.Fatalf("audit --org: exit %d\n%s", r.code, r.stderr)
	}
	var rows []struct {
		Account, User string
		AccessKeyID   string `json:"access_key_id"`
	}
	mustJSON(t, r.stdout, &rows)
	seen := map[string]bool{}
	for _, row := range rows {
		if ks[row.Account][row.User] != row.AccessKeyID {
			t.Errorf("audit row %+v: not a key of that user in that account", row)
		}
		seen[row.Account+" "+row.User] = true
	}
	if len(rows) != 2*len(all) || len(seen) != 2*len(all) {
		t.Errorf("audit --org: %d rows over %v, want dev and stale in each of %v", len(rows), seen, all)
	}
	if !strings.Contains(r.stderr, "3 accounts,") {
		t.Errorf("audit summary does not count the accounts:\n%s", r.stderr)
	}

	cfg := writeConfig(t, "", orgCurfew)
	r = kw(t, admin(t), "plan", "-c", cfg, "-o", "json")
	if r.code != 0 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	var plan struct {
		Actions []struct {
			Account, User, Action string
			AccessKeyID           string `json:"access_key_id"`
		}
	}
	mustJSON(t, r.stdout, &plan)
	var planned []string
	for _, a := range plan.Actions {
		if a.User != "dev" || a.AccessKeyID != ks[a.Account]["dev"] || a.Action != "deactivate" {
			t.Errorf("plan action %+v: want deactivate of dev's key in its account", a)
		}
		planned = append(planned, a.Account)
	}
	if strings.Join(planned, ",") != strings.Join(all, ",") {
		t.Errorf("plan covers %v, want %v in account order", planned, all)
	}
	if table := kw(t, admin(t), "plan", "-c", cfg); !strings.Contains(table.stdout, "ACCOUNT") || !strings.Contains(table.stdout, g.members[0]) {
		t.Errorf("plan table has no account column:\n%s", table.stdout)
	}

	r = kw(t, admin(t), "apply", "-c", cfg, "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	var res []struct {
		Account, Outcome string
		AccessKeyID      string `json:"access_key_id"`
	}
	mustJSON(t, r.stdout, &res)
	if len(res) != len(all) {
		t.Errorf("apply results %+v, want one per account", res)
	}
	for _, x := range res {
		if x.Outcome != "deactivated" || x.AccessKeyID != ks[x.Account]["dev"] {
			t.Errorf("apply result %+v", x)
		}
	}
	for _, id := range g.members {
		env := memberEnv(t, id)
		if st := keyStatusByCLI(t, env, "dev", ks[id]["dev"]); st != "Inactive" {
			t.Errorf("account %s: dev's key is %s, want Inactive", id, st)
		}
		if st := keyStatusByCLI(t, env, "stale", ks[id]["stale"]); st != "Active" {
			t.Errorf("account %s: stale's key is %s, want Active (not selected)", id, st)
		}
	}
	if st := statusByCLI(t, "dev", ks[g.mgmt]["dev"]); st != "Inactive" {
		t.Errorf("management account: dev's key is %s, want Inactive", st)
	}
}

// A job with users: [dev] runs where dev exists and says, one line an account, where it does
// not; only a name that no account has fails the run.
func TestOrgJobExactUserInSomeAccounts(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	a, b := g.members[0], g.members[1]
	devA := mkUser(t, iam.NewFromConfig(memberConfig(t, admin(t), a)), "dev", 1)[0]
	cfg := writeConfig(t, "", orgCurfew)

	r := kw(t, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 {
		t.Fatalf("apply with dev in one account of three: exit %d\n%s", r.code, r.stderr)
	}
	if want := a + " " + devA + " dev deactivated"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
	for _, id := range []string{g.mgmt, b} {
		if want := "keywarden: account " + id + ": no user dev here\n"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if st := keyStatusByCLI(t, memberEnv(t, a), "dev", devA); st != "Inactive" {
		t.Errorf("account %s: dev's key is %s, want Inactive", a, st)
	}

	r = kw(t, admin(t), "plan", "-c", writeConfig(t, "", strings.Replace(orgCurfew, "[dev]", "[nobody]", 1)))
	if r.code == 0 || !strings.Contains(r.stderr, `user "nobody" not found`) {
		t.Fatalf("a user in no account: exit %d, want non-zero naming it\n%s", r.code, r.stderr)
	}
}
