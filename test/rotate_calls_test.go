package test

import (
	"encoding/json"
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
)

// A fresh rotation reads the user's tags twice: at its start, and just before it removes its
// state (IAM has no conditional untag). The new key's record is counted against the tags it
// read and its own writes, not listed again; the deactivation's intent reads them once more,
// since another writer may have changed the old key's record since. Counted at the proxy.
func TestRotateDoesNotReadItsOwnTagsBack(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
	p := moto(t).Proxy(t)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "rotate", "--user", svcUser, "--to", "secretsmanager:ci/svc", "--grace", "0", "--output", "json")
	if r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	cur := secretByCLI(t, "ci/svc", "AWSCURRENT")
	rec, err := keys.ParseRecord(tagsByCLI(t, svcUser)[keys.TagKey(cur.AccessKeyId)])
	if err != nil || rec.Action != keys.ActionCreated || rec.State != keys.Settled {
		t.Fatalf("the new key's record %+v (%v): want a settled creation", rec, err)
	}
	if calls := p.Calls(); calls["ListUserTags"] != 3 || calls["TagUser"] != 7 || calls["CreateAccessKey"] != 1 {
		t.Fatalf("calls %v: want ListUserTags 3 (start, the deactivation's intent, the state's removal), TagUser 7, CreateAccessKey 1", calls)
	}
}
