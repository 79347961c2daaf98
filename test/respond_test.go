package test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/permissions"
)

// respondReport runs respond with --output json and reads its report.
func respondReport(t *testing.T, args ...string) (result, incident.Report) {
	t.Helper()
	r := kw(t, admin(t), append([]string{"respond", "--output", "json"}, args...)...)
	var rep incident.Report
	if r.code == 0 || r.code == 1 {
		mustJSON(t, r.stdout, &rep)
	}
	return r, rep
}

func stepOf(rep incident.Report, name string) incident.Step {
	for _, s := range rep.Steps {
		if s.Step == name {
			return s
		}
	}
	return incident.Step{}
}

// A human's leaked key: off at once with a record that says why, not re-enabled by activate
// without --force nor by apply's curfew, and the owner and security are told which key.
func TestRespondToAHumansKey(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	key := mkUser(t, c, "dev", 1)[0]
	tagOwner(t, c, "dev", "dev@example.com")
	h := newHook(t)
	cfg := writeConfig(t, "", `notify:
  security: soc@example.com
  webhook: {url: "`+h.srv.URL+`/hook"}
jobs:
  curfew:
    select: {users: [dev]}
    do: [deactivate: {}]
`)
	r, rep := respondReport(t, "--key", key, "--reason", "pushed to github.com/acme/app; see INC-1", "-c", cfg)
	if r.code != 0 || stepOf(rep, "deactivate").Outcome != incident.Done || rep.Steps[0].Step != "deactivate" {
		t.Fatalf("respond: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if s := statusByCLI(t, "dev", key); s != "Inactive" {
		t.Fatalf("the leaked key is %s", s)
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "dev")[keys.TagKey(key)])
	if err != nil || !rec.Incident() || rec.State != keys.Settled || rec.Reason != "pushed_to_github.com/acme/app__see_INC-1" {
		t.Fatalf("record %+v, %v", rec, err)
	}
	if !strings.Contains(stepOf(rep, "deactivate").Detail, "the reason is recorded as") {
		t.Errorf("the cleaned reason is not said: %s", stepOf(rep, "deactivate").Detail)
	}
	if st := stepOf(rep, "replace"); st.Outcome != incident.Skipped || rep.Activity == nil {
		t.Errorf("a human's key has no rotate rule: %+v; activity %+v", st, rep.Activity)
	}
	texts := h.got()
	if len(texts) != 2 || !strings.HasPrefix(texts[0], "For dev@example.com: keywarden: INCIDENT") || !strings.HasPrefix(texts[1], "For soc@example.com: ") {
		t.Fatalf("notices: %q", texts)
	}
	for _, x := range texts {
		if !containsAll(x, key+" of dev was deactivated by keywarden respond", "pushed to github.com/acme/app", "deactivate: deactivated "+key, rep.Activity.Lines[0]) {
			t.Errorf("the notice does not name the key, the reason, the steps and what the key did:\n%s", x)
		}
	}

	r = kw(t, admin(t), "activate", "--key", key)
	if !strings.Contains(r.stdout, "deactivated as an incident") || statusByCLI(t, "dev", key) != "Inactive" {
		t.Fatalf("activate without --force: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kw(t, admin(t), "apply", "-c", cfg, "--yes", "--no-notify")
	if r.code != 0 || statusByCLI(t, "dev", key) != "Inactive" || !strings.Contains(tagsByCLI(t, "dev")[keys.TagKey(key)], "by=incident") {
		t.Fatalf("apply with the curfew touched the incident: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kw(t, admin(t), "serve", "-c", cfg, "--once", "curfew", "--no-notify")
	if r.code != 0 || statusByCLI(t, "dev", key) != "Inactive" || !strings.Contains(tagsByCLI(t, "dev")[keys.TagKey(key)], "by=incident") {
		t.Fatalf("serve --once with the curfew touched the incident: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kw(t, admin(t), "activate", "--key", key, "--force")
	if r.code != 0 || statusByCLI(t, "dev", key) != "Active" {
		t.Fatalf("activate --force: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// A service key under a rotate rule into Secrets Manager: the leaked key is off first, a new
// proven key is AWSCURRENT where the consumer reads, and the leaked key is still there.
func TestRespondReplacesAServiceKey(t *testing.T) {
	_, leaked, leakedSecret := svcSetup(t)
	held, _ := json.Marshal(credJSON{Version: 1, AccessKeyId: leaked, SecretAccessKey: leakedSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/"+svcUser, "--secret-string", string(held))
	cfg := rotateRule(t, `{older_than: 80d, to: ["secretsmanager:ci/{user}"], grace: 24h}`)

	// A consumer reads the secret throughout: every key it is handed other than the leaked one
	// must work the moment it reads it.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var bad []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := sm.NewFromConfig(admin(t))
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			o, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("ci/" + svcUser)})
			if err != nil {
				continue
			}
			var got credJSON
			json.Unmarshal([]byte(aws.ToString(o.SecretString)), &got)
			if got.AccessKeyId == leaked {
				continue
			}
			if _, err := sts.NewFromConfig(moto(t).Config(got.AccessKeyId, got.SecretAccessKey)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil && ctx.Err() == nil {
				bad = append(bad, got.AccessKeyId+": "+err.Error())
			}
			return
		}
	}()
	r, rep := respondReport(t, "--key", leaked, "--reason", "printed in a CI log", "-c", cfg)
	stop()
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("the consumer was handed a key that does not work: %v", bad)
	}
	if r.code != 0 || rep.Steps[0].Step != "deactivate" || rep.Steps[0].Outcome != incident.Done || stepOf(rep, "replace").Outcome != incident.Done {
		t.Fatalf("respond: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if s := statusByCLI(t, svcUser, leaked); s != "Inactive" {
		t.Fatalf("the leaked key is %s, want Inactive and kept as evidence", s)
	}
	sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
	if sec.AccessKeyId == leaked {
		t.Fatal("the consumer still reads the leaked key")
	}
	signsAsUser(t, sec)
	noSecretIn(t, []string{sec.SecretAccessKey, leakedSecret}, r.stdout, r.stderr)
	if !strings.Contains(stepOf(rep, "replace").Detail, sec.AccessKeyId) {
		t.Errorf("the step does not name the new key: %s", stepOf(rep, "replace").Detail)
	}
	if rec, _ := keys.ParseRecord(tagsByCLI(t, svcUser)[keys.TagKey(leaked)]); !rec.Incident() {
		t.Fatalf("the leaked key's record is %+v after the rotation", rec)
	}
}

// --dry-run says every step and notice and changes nothing: no key, tag, policy, secret or send.
func TestRespondDryRunChangesNothing(t *testing.T) {
	c, leaked, _ := svcSetup(t)
	tagOwner(t, c, svcUser, "ci-team@example.com")
	h := newHook(t)
	cfg := writeConfig(t, "", `notify:
  security: soc@example.com
  webhook: {url: "`+h.srv.URL+`/hook"}
jobs:
  rotate-ci:
    select: {users: ["svc-*"]}
    do: [rotate: {older_than: 80d, to: ["secretsmanager:ci/{user}"]}]
`)
	tags := tagsByCLI(t, svcUser)
	r := kw(t, admin(t), "respond", "--key", leaked, "--reason", "leak drill", "-c", cfg, "--dry-run")
	if r.code != 0 || !containsAll(r.stdout, "deactivate would deactivate ", "replace    would rotate ", "tell       would tell ci-team@example.com, soc@example.com",
		"would send to soc@example.com:", "by=incident reason=leak_drill") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kw(t, admin(t), "respond", "--key", leaked, "--quarantine", "-c", cfg, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "quarantine would put the deny-all inline policy") {
		t.Fatalf("dry run with --quarantine: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if s := statusByCLI(t, svcUser, leaked); s != "Active" {
		t.Fatalf("a dry run left the key %s", s)
	}
	if after := tagsByCLI(t, svcUser); !sameMap(tags, after) {
		t.Fatalf("a dry run changed the tags: %v -> %v", tags, after)
	}
	if out := string(awsCLI(t, "iam", "list-user-policies", "--user-name", svcUser)); strings.Contains(out, incident.QuarantinePolicyName) {
		t.Fatalf("a dry run put a policy: %s", out)
	}
	if out := string(awsCLI(t, "secretsmanager", "list-secrets")); strings.Contains(out, "ci/"+svcUser) {
		t.Fatalf("a dry run made a secret: %s", out)
	}
	if len(h.got()) != 0 {
		t.Fatalf("a dry run sent %q", h.got())
	}
}

// An unknown key is bad input: one sentence, exit 2. The key respond is signed with is refused
// (exit 4) and stays active: deactivating it would cut the response off after its first step.
func TestRespondBadTargetsChangeNothing(t *testing.T) {
	fresh(t)
	enableAuth(t)
	self := witness(t)[0]
	r0 := kw(t, admin(t), "respond", "--key", self)
	if r0.code != 4 || !strings.Contains(r0.stderr, "signed with "+self) {
		t.Fatalf("respond to its own key: exit %d\n%s\n%s", r0.code, r0.stdout, r0.stderr)
	}
	if out := string(awsCLI(t, "sts", "get-caller-identity")); !strings.Contains(out, "Arn") {
		t.Fatalf("the key respond is signed with no longer works: %s", out)
	}
	r := kw(t, admin(t), "respond", "--key", "AKIAIOSFODNN7EXAMPLE")
	if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "AKIAIOSFODNN7EXAMPLE") {
		t.Fatalf("unknown key: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := kw(t, admin(t), "respond"); r.code != 2 || !strings.Contains(r.stderr, "--key") {
		t.Fatalf("no key: exit %d\n%s", r.code, r.stderr)
	}
}

// --quarantine puts the deny-all inline policy on the user (read back with the AWS CLI) and
// says what became of AWS's managed policy; a service key is then not replaced (it would not work).
func TestRespondQuarantine(t *testing.T) {
	_, leaked, _ := svcSetup(t)
	cfg := rotateRule(t, `{older_than: 80d, to: ["secretsmanager:ci/{user}"]}`)
	r, rep := respondReport(t, "--key", leaked, "--quarantine", "-c", cfg)
	q := stepOf(rep, "quarantine")
	if r.code != 0 || q.Outcome != incident.Done || !strings.Contains(q.Detail, incident.ManagedQuarantine) {
		t.Fatalf("respond --quarantine: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var pol struct{ PolicyDocument any }
	mustJSON(t, string(awsCLI(t, "iam", "get-user-policy", "--user-name", svcUser, "--policy-name", incident.QuarantinePolicyName)), &pol)
	doc, _ := json.Marshal(pol.PolicyDocument)
	if !containsAll(string(doc), `"Effect":"Deny"`, `"Action":"*"`, `"Resource":"*"`) {
		t.Fatalf("the inline policy is %s", doc)
	}
	attached := string(awsCLI(t, "iam", "list-attached-user-policies", "--user-name", svcUser))
	if strings.Contains(q.Detail, "attached arn:") != strings.Contains(attached, incident.ManagedQuarantine) {
		t.Fatalf("the step says %q, IAM lists %s", q.Detail, attached)
	}
	if st := stepOf(rep, "replace"); st.Outcome != incident.Skipped || !strings.Contains(st.Detail, "--quarantine") {
		t.Fatalf("replace under quarantine: %+v", st)
	}
	if statusByCLI(t, svcUser, leaked) != "Inactive" {
		t.Fatal("the leaked key is still active")
	}
}

// respond --org finds the key's account as deactivate --org --key does and responds there only.
func TestRespondOrgActsInTheKeysAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	ks := mkOrgUsers(t, g)
	m, other := g.members[1], g.members[0]
	r, rep := respondReport(t, "--org", "--key", ks[m]["dev"], "--reason", "exposed")
	if r.code != 0 || rep.Account != m || stepOf(rep, "deactivate").Outcome != incident.Done {
		t.Fatalf("respond --org: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if st := keyStatusByCLI(t, memberEnv(t, m), "dev", ks[m]["dev"]); st != "Inactive" {
		t.Errorf("account %s: the leaked key is %s", m, st)
	}
	if st := keyStatusByCLI(t, memberEnv(t, other), "dev", ks[other]["dev"]); st != "Active" {
		t.Errorf("account %s: dev's key is %s, want Active (not named)", other, st)
	}
}

// What keywarden policy --respond --quarantine grants is enough for respond --quarantine.
func TestRespondPolicyIsEnough(t *testing.T) {
	doc := permissions.Document{Version: "2012-10-17", Statement: permissions.Respond("*", true)}
	runner, _, w := authWorld(t, motoCanCheck(doc))
	r := kw(t, runner, "respond", "--key", w.aliceKey, "--quarantine", "--output", "json")
	var rep incident.Report
	mustJSON(t, r.stdout, &rep)
	if r.code != 0 || stepOf(rep, "deactivate").Outcome != incident.Done || stepOf(rep, "quarantine").Outcome != incident.Done {
		t.Fatalf("respond signed with the respond policy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	moto(t).DisableAuth(t) // the AWS CLI witness signs as a user moto does not know
	if s := statusByCLI(t, "alice", w.aliceKey); s != "Inactive" {
		t.Fatalf("alice's key is %s", s)
	}
}

// What the key did comes from CloudTrail's history (the harness proxy answers LookupEvents from
// the calls it forwarded): the response and the notice name the calls, the refused one with
// its error, and the address and user agent they came from; --since bounds the look back.
func TestRespondNamesWhatTheKeyDidFromCloudTrail(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	mkUser(t, c, "ci", 0)
	id, secret := mkKey(t, c, "ci")
	created := createdAt(t, c, "ci", id) // moto's clock, which stamps the proxy's events too
	p := moto(t).Proxy(t)
	ctx := context.Background()
	leaked := p.Config(id, secret)
	leaked.RetryMaxAttempts = 1
	for range 3 {
		if _, err := sts.NewFromConfig(leaked).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := iam.NewFromConfig(leaked).ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Fatal("a key with no policy listed the users")
	}
	w := witness(t)
	r := kwAt(t, created.Add(time.Hour), p.Config(w[0], w[1]), "respond", "--output", "json", "--key", id, "--reason", "in a CI log")
	var rep incident.Report
	if r.code != 0 {
		t.Fatalf("respond: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustJSON(t, r.stdout, &rep)
	a := rep.Activity
	if a == nil || a.Source != "cloudtrail" || a.Trail == nil || a.Trail.Events < 4 {
		t.Fatalf("activity not from CloudTrail: %+v", a)
	}
	text := strings.Join(a.Lines, "\n")
	if !containsAll(text, "sts.amazonaws.com GetCallerIdentity ×3", "iam.amazonaws.com ListUsers ×1 (1 refused or failed: AccessDenied", "127.0.0.1") {
		t.Errorf("the lines do not name the calls, the refusal and the address:\n%s", text)
	}
	if s := statusByCLI(t, "ci", id); s != "Inactive" {
		t.Fatalf("the leaked key is %s", s)
	}

	// A look back that ends before the key was used finds nothing in CloudTrail and says so.
	r = kwAt(t, created.Add(-time.Hour), p.Config(w[0], w[1]), "respond", "--output", "json", "--key", id, "--since", "1h", "--dry-run")
	rep = incident.Report{}
	mustJSON(t, r.stdout, &rep)
	if rep.Activity == nil || rep.Activity.Trail == nil || rep.Activity.Trail.Events != 0 {
		t.Fatalf("a look back before any use: %+v\n%s", rep.Activity, r.stderr)
	}
}
