package test

import (
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// A consumer still on the old key after the grace is the one thing only the key's owner can
// fix: the rule keeps the key, tells the owner once, and does not repeat it at the next run.
func TestRotateRuleTellsTheOwnerOfAConsumerStillOnTheOldKey(t *testing.T) {
	c, oldID, oldSecret := svcSetup(t)
	tagOwner(t, c, svcUser, "@svc-team")
	t0 := createdAt(t, c, svcUser, oldID) // keywarden's clock relates to moto's stamps only
	if r := kwAt(t, t0, admin(t), "rotate", "--user", svcUser, "--to", "ssm:/ci/"+svcUser); r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	awsCLIEnv(t, moto(t).Env(oldID, oldSecret), "sts", "get-caller-identity") // a consumer still on it

	h := newHook(t)
	cfg := writeConfig(t, "", "notify:\n  webhook: {url: \""+h.srv.URL+"/hook\"}\njobs:\n  rotate-ci:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/{user}\"], grace: 24h}\n")
	after := t0.Add(25 * time.Hour)
	r := kwAt(t, after, admin(t), "plan", "-c", cfg)
	if r.code != 0 || !containsAll(r.stderr, "still in use: job rotate-ci keeps "+oldID+" of "+svcUser+" active", "a consumer used the old key", "its owner is told now", "would tell @svc-team: 1 warning") {
		t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kwAt(t, after, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "waiting: ") {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got := h.got()
	if len(got) != 1 || !containsAll(got[0], oldID+" of "+svcUser+" is still in use after job rotate-ci rotated it", "a consumer used the old key", "Point that consumer at the new key") {
		t.Fatalf("the owner was told %d times: %q", len(got), got)
	}
	if strings.Contains(got[0], "CloudTrail saw") {
		t.Fatalf("bare moto has no event history, yet the notice names a caller: %q", got[0])
	}
	noSecretIn(t, []string{oldSecret}, got[0], r.stdout, r.stderr)
	if st := statusByCLI(t, svcUser, oldID); st != "Active" {
		t.Fatalf("a key a consumer still uses was %s", st)
	}
	if w := tagsByCLI(t, svcUser)[keys.WarnedTag]; w != oldID+"=rotate-ci/"+policy.InUseMemo {
		t.Fatalf("%s = %q, want the notice remembered", keys.WarnedTag, w)
	}

	r = kwAt(t, after.Add(time.Hour), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || len(h.got()) != 1 || strings.Contains(r.stderr, "still in use:") {
		t.Fatalf("the second run told the owner again: exit %d, %d notices\n%s", r.code, len(h.got()), r.stderr)
	}
}

// Where CloudTrail's history can be read (the harness proxy answers LookupEvents from what it
// forwarded), the warning and the owner's notice name who is still on the old key: the source
// address and the user agent of the calls made with it since the new key was delivered.
func TestRotateRuleNamesWhoIsStillOnTheOldKey(t *testing.T) {
	c, oldID, oldSecret := svcSetup(t)
	tagOwner(t, c, svcUser, "@svc-team")
	t0 := createdAt(t, c, svcUser, oldID)
	p := moto(t).Proxy(t)
	w := witness(t)
	adminCfg := p.Config(w[0], w[1])
	if r := kwAt(t, t0, adminCfg, "rotate", "--user", svcUser, "--to", "ssm:/ci/"+svcUser); r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	awsCLIEnv(t, p.Env(oldID, oldSecret), "sts", "get-caller-identity") // the consumer still on it

	h := newHook(t)
	cfg := writeConfig(t, "", "notify:\n  webhook: {url: \""+h.srv.URL+"/hook\"}\njobs:\n  rotate-ci:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/{user}\"], grace: 24h}\n")
	after := t0.Add(25 * time.Hour)
	who := "CloudTrail saw it called from 127.0.0.1 with \"aws-cli/"
	r := kwAt(t, after, adminCfg, "plan", "-c", cfg)
	if r.code != 0 || !containsAll(r.stderr, "still in use: job rotate-ci keeps "+oldID, who, "1 calls, last ") {
		t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r = kwAt(t, after, adminCfg, "apply", "-c", cfg, "--yes"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got := h.got()
	if len(got) != 1 || !containsAll(got[0], oldID+" of "+svcUser+" is still in use", who) {
		t.Fatalf("the owner was told %q", got)
	}
	noSecretIn(t, []string{oldSecret}, got[0], r.stdout, r.stderr)
}
