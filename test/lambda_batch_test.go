package test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// One invocation runs one batch of the organization's accounts, as a Step Functions Map or a
// schedule per batch sends it: only those accounts are acted in, an account the config
// excludes is left out and said so, and a batch naming an account the config does not cover,
// or a malformed id, is refused before anything changes. The AWS CLI, assuming the member
// role itself, witnesses every account.
func TestLambdaBatchOfAccounts(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 3)
	ks := mkOrgUsers(t, g)
	m0, m1, m2 := g.members[0], g.members[1], g.members[2]
	cfg := strings.Replace(orgCurfew, "  organization: true\n", "  organization: true\n  exclude: [\""+m2+"\"]\n", 1)
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, "KEYWARDEN_CONFIG="+cfg)
	unchanged := func(when string) {
		t.Helper()
		for _, id := range g.members {
			if st := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); st != "Active" {
				t.Fatalf("%s: account %s: dev's key is %s, want Active", when, id, st)
			}
		}
	}

	for _, bad := range []struct{ event, want string }{
		{`{"job":"curfew","accounts":["` + m0 + `","999999999999"]}`, "the batch names account 999999999999 that keywarden.yaml's accounts: does not cover"},
		{`{"job":"curfew","accounts":["` + m0 + `","1234"]}`, `accounts \"1234\": want 12-digit account ids`},
	} {
		r := rt.invoke(t, bad.event)
		if r.kind != "error" || !strings.Contains(string(r.body), bad.want) {
			t.Errorf("event %s: %s %s, want an error containing %s", bad.event, r.kind, r.body, bad.want)
		}
		unchanged("after a refused batch")
	}

	// An empty batch (a page of only suspended accounts) runs no account, not every account.
	if r := rt.invoke(t, `{"job":"curfew","accounts":[]}`); r.kind != "response" || strings.Contains(string(r.body), `"account":`) {
		t.Errorf("empty batch: %s %s", r.kind, r.body)
	}
	unchanged("after an empty batch")
	if st := statusByCLI(t, "dev", ks[g.mgmt]["dev"]); st != "Active" {
		t.Fatalf("an empty batch ran the management account: dev's key is %s", st)
	}

	r := rt.invoke(t, `{"job":"curfew","accounts":["`+m1+`","`+m0+`","`+m2+`"]}`)
	if r.kind != "response" {
		t.Fatalf("batch: %s %s\nstderr:\n%s", r.kind, r.body, stderr)
	}
	var res struct {
		Batch, Excluded []string
		Keys            []struct{ Account, User, Outcome string }
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	want := []string{m0, m1}
	sort.Strings(want)
	if strings.Join(res.Batch, ",") != strings.Join(want, ",") || strings.Join(res.Excluded, ",") != m2 {
		t.Errorf("batch %v excluded %v, want %v excluded [%s]", res.Batch, res.Excluded, want, m2)
	}
	if len(res.Keys) != 2 {
		t.Errorf("keys %+v, want dev's in %v", res.Keys, want)
	}
	for _, k := range res.Keys {
		if (k.Account != m0 && k.Account != m1) || k.User != "dev" || k.Outcome != "deactivated" {
			t.Errorf("key result %+v", k)
		}
	}
	for id, st := range map[string]string{m0: "Inactive", m1: "Inactive", m2: "Active"} {
		if got := keyStatusByCLI(t, memberEnv(t, id), "dev", ks[id]["dev"]); got != st {
			t.Errorf("account %s: dev's key is %s, want %s", id, got, st)
		}
	}
	if st := statusByCLI(t, "dev", ks[g.mgmt]["dev"]); st != "Active" {
		t.Errorf("management account, not in the batch: dev's key is %s, want Active", st)
	}
	logged := false
	for _, line := range strings.Split(stderr.String(), "\n") {
		logged = logged || strings.Contains(line, `"msg":"account excluded by the config, not run"`) && strings.Contains(line, `"account":"`+m2+`"`)
	}
	if !logged {
		t.Errorf("the log does not say the excluded account was left out:\n%s", stderr)
	}
}
