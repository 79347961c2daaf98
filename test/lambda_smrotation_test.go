package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Secrets Manager drives its rotation function one step at a time and retries a step that
// failed or timed out; here each step comes twice, through the Lambda Runtime API, and the
// second must change nothing.
func TestLambdaSecretsManagerRotationFunction(t *testing.T) {
	c, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old), "--tags", "Key=keywarden:user,Value="+svcUser)
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, witnessEnv(t)...)     // signed as the admin moto knows; no keywarden.yaml
	token := fmt.Sprintf("%036x", time.Now().UnixNano()) // Secrets Manager sends a UUID: 32 to 64 characters
	step := func(name string) {
		t.Helper()
		for try := 1; try <= 2; try++ {
			r := rt.invoke(t, `{"Step":"`+name+`","SecretId":"ci/svc","ClientRequestToken":"`+token+`"}`)
			if r.kind != "response" || !strings.Contains(string(r.body), `"mode":"secretsmanager-rotation"`) {
				t.Fatalf("%s (try %d): %s %s\nstderr:\n%s", name, try, r.kind, r.body, stderr)
			}
		}
	}

	step("createSecret")
	ks := userKeys(t, svcUser)
	var newID string
	for id := range ks {
		if id != oldID {
			newID = id
		}
	}
	if len(ks) != 2 || ks[oldID] != "Active" || ks[newID] != "Active" {
		t.Fatalf("after createSecret twice: keys %v; want the old one and exactly one new one", ks)
	}
	pending := secretByCLI(t, "ci/svc", "AWSPENDING")
	if pending.AccessKeyId != newID || secretByCLI(t, "ci/svc", "AWSCURRENT").AccessKeyId != oldID {
		t.Fatalf("AWSPENDING holds %s (want %s) and AWSCURRENT must still be the old key", pending.AccessKeyId, newID)
	}
	if stages := stagesByCLI(t, "ci/svc")[token]; len(stages) != 1 || stages[0] != "AWSPENDING" {
		t.Fatalf("the token's version has stages %v, want [AWSPENDING]", stages)
	}

	step("setSecret")
	step("testSecret")
	if secretByCLI(t, "ci/svc", "AWSCURRENT").AccessKeyId != oldID || statusByCLI(t, svcUser, oldID) != "Active" {
		t.Fatal("testSecret changed what consumers read, or the old key")
	}

	step("finishSecret")
	cur := secretByCLI(t, "ci/svc", "AWSCURRENT")
	signsAsUser(t, cur)
	if cur.AccessKeyId != newID || !slices.Contains(stagesByCLI(t, "ci/svc")[token], "AWSCURRENT") {
		t.Fatalf("AWSCURRENT holds %s, stages %v; want the token's version with %s", cur.AccessKeyId, stagesByCLI(t, "ci/svc"), newID)
	}
	if prev := secretByCLI(t, "ci/svc", "AWSPREVIOUS"); prev.AccessKeyId != oldID {
		t.Fatalf("AWSPREVIOUS holds %s, want the old key", prev.AccessKeyId)
	}
	if st := statusByCLI(t, svcUser, oldID); st != "Inactive" {
		t.Fatalf("no keywarden:grace on the secret: the old key must be deactivated at finishSecret, is %s", st)
	}
	tags := tagsByCLI(t, svcUser)
	if tags["keywarden:rotation"] != "" || !strings.HasPrefix(tags["keywarden:"+oldID], "deactivated ") {
		t.Fatalf("tags %v: want the rotation closed and the old key's deactivation recorded", tags)
	}
	if k := userKeys(t, svcUser); len(k) != 2 {
		t.Fatalf("keys %v", k)
	}
	noSecretIn(t, []string{cur.SecretAccessKey, oldSecret}, stderr.String())
	_ = c
}

// keywarden:grace on the secret keeps the old key active after finishSecret; the next
// rotation's createSecret refuses while that grace lasts (no third key), and a grace that is
// not a duration is refused before any key is made.
func TestLambdaSecretsManagerRotationGrace(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old),
		"--tags", "Key=keywarden:user,Value="+svcUser, "Key=keywarden:grace,Value=24h")
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/bad", "--secret-string", string(old),
		"--tags", "Key=keywarden:user,Value="+svcUser, "Key=keywarden:grace,Value=soon")
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, witnessEnv(t)...)
	invoke := func(step, secret, token string) reply {
		t.Helper()
		return rt.invoke(t, `{"Step":"`+step+`","SecretId":"`+secret+`","ClientRequestToken":"`+token+`"}`)
	}

	if r := invoke("createSecret", "ci/bad", fmt.Sprintf("%036x", 1)); r.kind != "error" || !strings.Contains(string(r.body), "want a duration like 24h") {
		t.Fatalf("a malformed grace: %s %s", r.kind, r.body)
	}
	if k := userKeys(t, svcUser); len(k) != 1 {
		t.Fatalf("a refused createSecret made a key: %v", k)
	}

	token := fmt.Sprintf("%036x", time.Now().UnixNano())
	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		if r := invoke(step, "ci/svc", token); r.kind != "response" {
			t.Fatalf("%s: %s %s\nstderr:\n%s", step, r.kind, r.body, stderr)
		}
	}
	cur := secretByCLI(t, "ci/svc", "AWSCURRENT")
	signsAsUser(t, cur)
	if st := statusByCLI(t, svcUser, oldID); st != "Active" {
		t.Fatalf("within keywarden:grace=24h the old key must stay active, is %s", st)
	}
	if r := invoke("createSecret", "ci/svc", fmt.Sprintf("%036x", time.Now().UnixNano())); r.kind != "error" || !strings.Contains(string(r.body), "is not finished") {
		t.Fatalf("the next rotation within the grace: %s %s", r.kind, r.body)
	}
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Active" || k[cur.AccessKeyId] != "Active" {
		t.Fatalf("keys %v: want the old key (in its grace) and the current one, no third", k)
	}
	if got := secretByCLI(t, "ci/svc", "AWSCURRENT"); got != cur {
		t.Fatalf("the refused createSecret moved AWSCURRENT to %s", got.AccessKeyId)
	}
}
