package test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/internal/svcrotate"
)

// A CI system reruns a `rotate --user` killed after its last write: with the same
// --client-request-token the rerun reports the rotation done (exit 0) and changes nothing;
// with another token, or none, it is refused with the finished rotation named, never advice
// to --make-room that would rotate again.
func TestServiceRotateRerunWithTheSameTokenIsDone(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	to := []string{"--to", "ssm:/ci/svc"}
	tok := []string{"--client-request-token", "ci-run-4711"}
	r := svcBin(t, []string{"KEYWARDEN_FAILPOINT=after-done"}, append(to, tok...)...)
	if r.code != 97 || !strings.Contains(r.stderr, "failpoint after-done") {
		t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
	}
	newID := paramByCLI(t, "/ci/svc").AccessKeyId
	before := userKeys(t, svcUser)
	if len(before) != 2 || before[newID] != "Active" || before[oldID] != "Inactive" || tagsByCLI(t, svcUser)[keys.RotationTag] != "" {
		t.Fatalf("after the kill: keys %v, tags %v; want the rotation finished", before, tagsByCLI(t, svcUser))
	}
	if rec, _ := keys.ParseRecord(tagsByCLI(t, svcUser)[keys.TagKey(newID)]); rec.Token != keys.TokenDigest("ci-run-4711") {
		t.Fatalf("the new key's creation record %+v carries no digest of the token", rec)
	}

	r = svcBin(t, nil, append(to, tok...)...)
	var res []svcrotate.Result
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || len(res) != 1 || res[0].State != "done" ||
		res[0].NewKeyID != newID || !strings.Contains(res[0].AlreadyDone, "already done by this token") {
		t.Fatalf("rerun with the same token: exit %d, want 0 and done\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if k := userKeys(t, svcUser); !maps.Equal(k, before) || paramByCLI(t, "/ci/svc").AccessKeyId != newID {
		t.Fatalf("the rerun changed the keys: %v, was %v", k, before)
	}

	for name, args := range map[string][]string{"another token": append(to, "--client-request-token", "ci-run-4712"), "no token": to} {
		r = svcBin(t, nil, args...)
		if r.code != 4 || strings.Contains(r.stderr, "make-room") || !containsAll(r.stderr, "finished", newID, oldID, "--client-request-token") {
			t.Fatalf("%s: exit %d, want a refusal naming the finished rotation\n%s", name, r.code, r.stderr)
		}
		if k := userKeys(t, svcUser); !maps.Equal(k, before) {
			t.Fatalf("%s changed the keys: %v, was %v", name, k, before)
		}
	}
}

// Self-rotation killed after its last write (the journal removed): the same token reports it
// done and makes no key; without one, and the old key kept inactive, the refusal names the
// finished rotation instead of advising --make-room.
func TestRotateProfileRerunWithTheSameTokenIsDone(t *testing.T) {
	_, oldID, _, credsPath := rotSetup(t)
	env := moto(t).Env("unused", "unused")
	tok := []string{"--client-request-token", "ci-run-9", "--retire", "deactivate", "--output", "json"}
	r := rotBin(t, env, credsPath, []string{"KEYWARDEN_FAILPOINT=after-done"}, tok...)
	if r.code != 97 || !strings.Contains(r.stderr, "failpoint after-done") {
		t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
	}
	newID, _ := profileKey(t, credsPath, "dev")
	before := userKeys(t, rotUser)
	if newID == oldID || len(before) != 2 || before[oldID] != "Inactive" {
		t.Fatalf("after the kill: profile %s, keys %v", newID, before)
	}

	r = rotBin(t, env, credsPath, nil, tok...)
	var res rotate.Result
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || res.State != "done" || res.NewKeyID != newID ||
		!strings.Contains(res.AlreadyDone, "already done by this token") {
		t.Fatalf("rerun with the same token: exit %d, want 0 and done\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if k := userKeys(t, rotUser); !maps.Equal(k, before) {
		t.Fatalf("the rerun changed the keys: %v, was %v", k, before)
	}
	if id, _ := profileKey(t, credsPath, "dev"); id != newID {
		t.Fatalf("the profile now holds %s, want %s", id, newID)
	}

	r = rotBin(t, env, credsPath, nil, "--retire", "deactivate")
	if r.code != 4 || strings.Contains(r.stderr, "make-room") || !containsAll(r.stderr, "finished", newID, oldID) {
		t.Fatalf("rerun without a token: exit %d, want a refusal naming the finished rotation\n%s", r.code, r.stderr)
	}
	if k := userKeys(t, rotUser); !maps.Equal(k, before) {
		t.Fatalf("the refused rerun changed the keys: %v, was %v", k, before)
	}
}

// A rule's run retried for the same firing (a Lambda invocation retried, apply rerun at the
// same --at) rotates once: its token is job:NAME@FIRETIME. make_room: true is what would let a
// second rotation through (it deletes the first one's inactive old key), so the token is all
// that stops it. keywarden's clock is moto's stamp of the key plus 81 days, never a fixed date.
func TestRotateRuleRetriedForTheSameFiringRotatesOnce(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	fired := createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour).Truncate(time.Second)
	cfg := rotateRule(t, `{older_than: 80d, to: ["ssm:/ci/{user}"], grace: 0s, make_room: true}`)
	r := kwAt(t, fired, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "rotated") {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	newID := paramByCLI(t, "/ci/"+svcUser).AccessKeyId
	before := userKeys(t, svcUser)
	if rec, _ := keys.ParseRecord(tagsByCLI(t, svcUser)[keys.TagKey(newID)]); rec.Token != keys.TokenDigest("job:rotate-ci@"+fired.UTC().Format(time.RFC3339)) {
		t.Fatalf("the new key's record %+v carries no digest of job:rotate-ci@%s", rec, fired.UTC().Format(time.RFC3339))
	}

	r = kwAt(t, fired, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, newID+" "+svcUser+" unchanged") || !strings.Contains(r.stderr, "already done by this token") {
		t.Fatalf("retried run: exit %d, want the rotation reported done\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if k := userKeys(t, svcUser); !maps.Equal(k, before) || paramByCLI(t, "/ci/"+svcUser).AccessKeyId != newID {
		t.Fatalf("the retried run rotated again: keys %v, were %v", k, before)
	}

	// A later firing is another request: the rule rotates again (make_room lets it).
	r = kwAt(t, fired.Add(81*24*time.Hour), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || paramByCLI(t, "/ci/"+svcUser).AccessKeyId == newID {
		t.Fatalf("next firing: exit %d, want a new rotation\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// A scheduled invocation retried by EventBridge Scheduler (the same event, a later start) rotates
// once: the event's time, not the invocation's, is the firing in the rule's token.
func TestLambdaRetriedInvocationRotatesOnce(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	fired := createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour).Truncate(time.Second)
	yaml := "jobs:\n  rotate-ci:\n    schedule: \"0 3 * * 1\"\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/{user}\"], grace: 0s, make_room: true}\n"
	h, _ := lambdaHandler(t, map[string]string{contract.EnvConfig: yaml})
	h.Sleep = cli.Sleep // the deployed function's sleeper (cmd/keywarden hands lambda.Main the same)
	event := []byte(`{"job":"rotate-ci","time":"` + fired.UTC().Format(time.RFC3339) + `"}`)
	h.Now = func() time.Time { return fired.Add(time.Second) }
	if _, err := h.Handle(context.Background(), event); err != nil {
		t.Fatal(err)
	}
	newID := paramByCLI(t, "/ci/"+svcUser).AccessKeyId
	before := userKeys(t, svcUser)
	if newID == oldID || len(before) != 2 {
		t.Fatalf("first invocation: keys %v, parameter %s", before, newID)
	}
	h.Now = func() time.Time { return fired.Add(7 * time.Minute) } // the scheduler's retry
	r, err := h.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if k := userKeys(t, svcUser); !maps.Equal(k, before) || paramByCLI(t, "/ci/"+svcUser).AccessKeyId != newID || r.Changed != 0 {
		t.Fatalf("the retried invocation rotated again: keys %v, were %v; result %+v", k, before, r)
	}
}
