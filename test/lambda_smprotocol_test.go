package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// Each step of the rotation function does only its step for its own token: a finishSecret with
// no pending version, a stale finishSecret, a token that names the previous version and a
// secret whose tag names another user than the key it holds are each refused in one sentence,
// changing nothing.
func TestLambdaSecretsManagerRotationProtocol(t *testing.T) {
	c, oldID, oldSecret := svcSetup(t)
	mkUser(t, c, "svc-other", 0)
	otherID, otherSecret := mkKey(t, c, "svc-other")
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	other, _ := json.Marshal(credJSON{1, otherID, otherSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old), "--tags", "Key=keywarden:user,Value="+svcUser)
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/mixed", "--secret-string", string(other), "--tags", "Key=keywarden:user,Value="+svcUser)
	first := ""
	for v := range stagesByCLI(t, "ci/svc") {
		first = v
	}
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, witnessEnv(t)...)
	n := 0
	token := func() string { n++; return fmt.Sprintf("%036x", time.Now().UnixNano()+int64(n)) }
	invoke := func(step, secret, tok string) reply {
		t.Helper()
		return rt.invoke(t, `{"Step":"`+step+`","SecretId":"`+secret+`","ClientRequestToken":"`+tok+`"}`)
	}
	refused := func(what string, r reply, want string) {
		t.Helper()
		if r.kind != "error" || !strings.Contains(string(r.body), want) || strings.Contains(string(r.body), "make-room") {
			t.Fatalf("%s: %s %s, want a refusal saying %q\nstderr:\n%s", what, r.kind, r.body, want, stderr)
		}
	}
	unchanged := func(what string, keys int) {
		t.Helper()
		if k := userKeys(t, svcUser); len(k) != keys || k[oldID] != "Active" {
			t.Fatalf("%s changed the keys: %v", what, k)
		}
		if cur := secretByCLI(t, "ci/svc", "AWSCURRENT"); cur.AccessKeyId != oldID {
			t.Fatalf("%s moved AWSCURRENT to %s", what, cur.AccessKeyId)
		}
	}

	refused("finishSecret with no pending version", invoke("finishSecret", "ci/svc", token()), "no AWSPENDING version")
	unchanged("finishSecret with no pending version", 1)
	if v := tagsByCLI(t, svcUser)[keys.RotationTag]; v != "" {
		t.Fatalf("a refused finishSecret left a rotation record: %s", v)
	}

	refused("a secret tagged for one user holding another's key", invoke("createSecret", "ci/mixed", token()), "svc-other")
	unchanged("a mismatched tag", 1)

	t1, t2 := token(), token()
	if r := invoke("createSecret", "ci/svc", t1); r.kind != "response" {
		t.Fatalf("createSecret t1: %s %s\n%s", r.kind, r.body, stderr)
	}
	if r := invoke("createSecret", "ci/svc", t2); r.kind != "response" {
		t.Fatalf("createSecret t2 (Secrets Manager restarting the rotation): %s %s\n%s", r.kind, r.body, stderr)
	}
	pending := secretByCLI(t, "ci/svc", "AWSPENDING")
	refused("a stale finishSecret", invoke("finishSecret", "ci/svc", t1), "no AWSPENDING version")
	if k := userKeys(t, svcUser); len(k) != 2 || k[pending.AccessKeyId] != "Active" {
		t.Fatalf("the stale finishSecret touched t2's pending key %s: %v", pending.AccessKeyId, k)
	}
	unchanged("a stale finishSecret", 2)
	for _, step := range []string{"testSecret", "finishSecret", "finishSecret"} {
		if r := invoke(step, "ci/svc", t2); r.kind != "response" {
			t.Fatalf("%s t2: %s %s\n%s", step, r.kind, r.body, stderr)
		}
	}
	if cur := secretByCLI(t, "ci/svc", "AWSCURRENT"); cur.AccessKeyId != pending.AccessKeyId {
		t.Fatalf("AWSCURRENT holds %s, want t2's key %s", cur.AccessKeyId, pending.AccessKeyId)
	}
	refused("createSecret with the previous version's token", invoke("createSecret", "ci/svc", first), "AWSPREVIOUS")
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" {
		t.Fatalf("keys after the refused createSecret: %v", k)
	}
}
