package test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/test/emu"
)

// incidentEvent is a fixture of internal/lambda/testdata/events with AWS's documentation key
// id (and, for GuardDuty, user) replaced by a real key of moto's.
func incidentEvent(t *testing.T, name, key, user string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "lambda", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "AKIAIOSFODNN7EXAMPLE", key)
	return strings.ReplaceAll(s, `"userName": "dev"`, `"userName": "`+user+`"`)
}

type incidentResult struct {
	Mode    string `json:"mode"`
	Changed int    `json:"changed"`
	Trigger struct {
		Kind    string `json:"kind"`
		Ignored string `json:"ignored"`
	} `json:"trigger"`
	Responses []incident.Report `json:"responses"`
}

// The function under the Runtime API, with moto checking every signature: AWS Health's
// exposed-key event and a GuardDuty finding about a user's key each leave that key inactive
// under an incident record naming the trigger, and tell the owner; a role's finding, a
// foreign event and a Health event naming no key change nothing and say why.
func TestLambdaAnswersLeakedKeyEvents(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	leaked := mkUser(t, c, "dev", 1)[0]
	tagOwner(t, c, "dev", "dev@example.com")
	found := mkUser(t, c, "ci", 1)[0]
	bystander := mkUser(t, c, "bystander", 1)[0]
	h := newHook(t)
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, "KEYWARDEN_CONFIG="+`notify:
  security: soc@example.com
  webhook: {url: "`+h.srv.URL+`/hook"}
incident: {health: true, guardduty: true, reason_prefix: prod}
jobs:
  curfew:
    select: {users: [nobody]}
    do: [deactivate: {}]
`)

	answer := func(payload string) (reply, incidentResult, time.Duration) {
		t.Helper()
		start := time.Now()
		r := rt.invoke(t, payload)
		took := time.Since(start)
		var res incidentResult
		if r.kind == "response" {
			mustJSON(t, string(r.body), &res)
		}
		return r, res, took
	}
	for _, c := range []struct{ name, fixture, key, user, reason string }{
		{"health", "health-exposed.json", leaked, "dev", "prod_AWS_Health_AWS_RISK_CREDENTIALS_EXPOSED_arn:aws:health:"},
		{"guardduty", "guardduty-iamuser.json", found, "ci", "prod_GuardDuty_UnauthorizedAccess:IAMUser/"},
	} {
		r, res, took := answer(incidentEvent(t, c.fixture, c.key, c.user))
		if r.kind != "response" || res.Mode != "incident" || res.Trigger.Kind != c.name || res.Changed != 1 || len(res.Responses) != 1 {
			t.Fatalf("%s: %s %s\nstderr:\n%s", c.name, r.kind, r.body, stderr)
		}
		rep := res.Responses[0]
		if st := stepOf(rep, "deactivate"); st.Outcome != incident.Done || rep.User != c.user || rep.KeyID != c.key {
			t.Fatalf("%s: %+v", c.name, rep)
		}
		if s := statusByCLI(t, c.user, c.key); s != "Inactive" {
			t.Fatalf("%s: the key is %s", c.name, s)
		}
		rec, err := keys.ParseRecord(tagsByCLI(t, c.user)[keys.TagKey(c.key)])
		if err != nil || !rec.Incident() || rec.State != keys.Settled || !strings.HasPrefix(rec.Reason, c.reason) {
			t.Fatalf("%s: record %+v, %v", c.name, rec, err)
		}
		// The figure for the report: the function's own clock from the event's arrival at
		// the handler to the deactivation's end, and the whole invocation as the harness saw it.
		ms := -1.0
		for _, l := range strings.Split(stderr.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "incident" && m["access_key_id"] == c.key {
				ms, _ = m["deactivated_after_ms"].(float64)
			}
		}
		if ms < 0 {
			t.Fatalf("%s: no incident log line with deactivated_after_ms:\n%s", c.name, stderr)
		}
		t.Logf("%s: key inactive %.0f ms after the event reached the handler; invocation answered in %v", c.name, ms, took.Round(time.Millisecond))
	}
	// dev has an owner tag: dev and security are told; ci has none: security alone.
	texts := h.got()
	if len(texts) != 3 || !containsAll(texts[0], "For dev@example.com", leaked, "AWS Health AWS_RISK_CREDENTIALS_EXPOSED") ||
		!containsAll(texts[2], "For soc@example.com", found, "GuardDuty UnauthorizedAccess:IAMUser") {
		t.Fatalf("notices: %q", texts)
	}

	r, res, _ := answer(incidentEvent(t, "guardduty-role.json", bystander, "bystander"))
	if r.kind != "response" || !strings.Contains(res.Trigger.Ignored, "AssumedRole principal's credentials") || len(res.Responses) != 0 {
		t.Fatalf("a role's finding: %s %s", r.kind, r.body)
	}
	for _, c := range []struct{ fixture, want string }{
		{"ec2-state-change.json", "not an event keywarden answers: aws.ec2"},
		{"guardduty-instance.json", `resource of type \"Instance\"`},
	} {
		if r, _, _ := answer(incidentEvent(t, c.fixture, bystander, "bystander")); r.kind != "error" || !strings.Contains(string(r.body), c.want) {
			t.Fatalf("%s: %s %s", c.fixture, r.kind, r.body)
		}
	}
	noKey := strings.ReplaceAll(incidentEvent(t, "health-exposed.json", bystander, ""), bystander, "ACCESS_KEY_ID_HERE")
	if r, _, _ := answer(noKey); r.kind != "error" || !strings.Contains(string(r.body), "names no access key id") {
		t.Fatalf("a Health event naming no key: %s %s", r.kind, r.body)
	}
	if s := statusByCLI(t, "bystander", bystander); s != "Active" {
		t.Fatalf("an event that is no incident changed a key: %s", s)
	}
	if _, ok := tagsByCLI(t, "bystander")[keys.TagKey(bystander)]; ok || len(h.got()) != 3 {
		t.Fatalf("an event that is no incident left a record or a notice: %v %q", tagsByCLI(t, "bystander"), h.got())
	}
}

// In an organization the function runs in the management account, where AWS Health's
// organizational view and GuardDuty's administrator deliver the members' events: the
// response runs in the account the event names (detail.affectedAccount, detail.accountId),
// through the member role, and an event from an account the config does not cover changes
// nothing.
func TestLambdaAnswersAMemberAccountsEvent(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	ks := mkOrgUsers(t, g)
	a, b := g.members[0], g.members[1]
	h, _ := lambdaHandler(t, map[string]string{contract.EnvConfig: `accounts: {ids: [` + a + `]}
incident: {health: true, guardduty: true}
jobs: {curfew: {select: {users: [nobody]}, do: [deactivate: {}]}}
`})
	orgView := func(key, account string) string {
		ev := incidentEvent(t, "health-exposed-metadata.json", key, "")
		ev = strings.ReplaceAll(ev, "AKIAI44QH8DHBEXAMPLE", key)
		ev = strings.Replace(ev, `"account": "123456789012"`, `"account": "`+g.mgmt+`"`, 1)
		return strings.Replace(ev, `"affectedAccount": "123456789012"`, `"affectedAccount": "`+account+`"`, 1)
	}
	r, err := h.Handle(context.Background(), []byte(orgView(ks[a]["dev"], a)))
	if err != nil || r.Changed != 1 || len(r.Responses) != 1 || r.Responses[0].Account != a {
		t.Fatalf("Health's organizational view for %s: %+v, %v", a, r, err)
	}
	if s := statusIn(t, a, "dev", ks[a]["dev"]); s != "Inactive" {
		t.Fatalf("the member's key is %s", s)
	}
	gd := strings.ReplaceAll(incidentEvent(t, "guardduty-iamuser.json", ks[b]["stale"], "stale"), `"accountId": "123456789012"`, `"accountId": "`+b+`"`)
	if _, err := h.Handle(context.Background(), []byte(gd)); err == nil || !strings.Contains(err.Error(), "incident in account "+b+", which keywarden.yaml's accounts: does not cover") {
		t.Fatalf("a finding from an account not covered: %v", err)
	}
	if s := statusIn(t, b, "stale", ks[b]["stale"]); s != "Active" {
		t.Fatalf("a key of an account not covered is %s", s)
	}
}

// statusIn reads a key's status in a member account through the member role.
func statusIn(t *testing.T, account, user, key string) string {
	t.Helper()
	c := iam.NewFromConfig(memberConfig(t, admin(t), account))
	out, err := c.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range out.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == key {
			return string(k.Status)
		}
	}
	return "missing"
}

// The incident: block is the consent: without it, or with the event's kind turned off, an
// event the rules would never have sent changes nothing and says what to add.
func TestLambdaAnswersOnlyWhatIncidentTurnsOn(t *testing.T) {
	c := fresh(t)
	key := mkUser(t, c, "dev", 1)[0]
	for _, x := range []struct{ yaml, fixture, want string }{
		{lambdaYAML, "health-exposed.json", "keywarden.yaml has no incident: block; add incident: {health: true}"},
		{"incident: {guardduty: true}\n" + lambdaYAML, "health-exposed.json", "incident.health is off in keywarden.yaml: nothing done"},
		{"incident: {health: true}\n" + lambdaYAML, "guardduty-iamuser.json", "incident.guardduty is off"},
	} {
		h, log := lambdaHandler(t, map[string]string{contract.EnvConfig: x.yaml})
		r, err := h.Handle(context.Background(), []byte(incidentEvent(t, x.fixture, key, "dev")))
		if err == nil || !strings.Contains(err.Error(), x.want) || r.Mode != "incident" || len(r.Responses) != 0 {
			t.Fatalf("%s: %+v, %v", x.want, r, err)
		}
		if ls := logLines(t, log); len(ls) != 1 || ls[0]["msg"] != "run failed" {
			t.Errorf("%s: want one log line, got %v", x.want, ls)
		}
	}
	if s := statusByCLI(t, "dev", key); s != "Active" {
		t.Fatalf("an event the config does not answer changed the key: %s", s)
	}
}

// keywarden policy -c prints what the deployed function's role holds: with incident:, what
// the response needs (quarantine's actions only when incident.quarantine is on).
func TestPolicyGrantsTheResponseWithIncident(t *testing.T) {
	for _, x := range []struct {
		block            string
		respond, contain bool
	}{
		{"", false, false},
		{"incident: {health: true}\n", true, false},
		{"incident: {guardduty: true, quarantine: true}\n", true, true},
	} {
		cfg := writeConfig(t, "", x.block+lambdaYAML)
		r := kwRun(t, aws.Config{}, run{noAWS: true}, "policy", "-c", cfg)
		if r.code != 0 || strings.Contains(r.stdout, "KeywardenRespond") != x.respond || strings.Contains(r.stdout, "iam:PutUserPolicy") != x.contain {
			t.Errorf("policy -c with %q (exit %d):\n%s", x.block, r.code, r.stdout)
		}
	}
}

// keywarden deploy with incident: creates the rules on the default bus, each targeting the
// function, with the pattern the template wrote (moto's CloudFormation and EventBridge).
func TestDeployCreatesTheIncidentRules(t *testing.T) {
	fresh(t)
	cfg := writeConfig(t, "", "incident: {health: true, guardduty: true}\n"+lambdaYAML)
	r := kw(t, admin(t), "deploy", "-c", cfg, "--arch", "amd64", "--binary", emu.TinyBinary(t))
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\n%s", r.code, r.stderr)
	}
	res := stackResources(t, "keywarden")
	for id, want := range map[string]string{deploy.HealthRuleID: contract.HealthExposed, deploy.GuardDutyRuleID: contract.GuardDutyAccessKey} {
		name := res[id]
		if i := strings.LastIndex(name, "/"); i >= 0 { // a rule's physical id may be its ARN
			name = name[i+1:]
		}
		if name == "" {
			t.Fatalf("stack has no %s: %v", id, res)
		}
		var rule struct{ EventPattern, EventBusName, State string }
		mustJSON(t, string(awsCLI(t, "events", "describe-rule", "--name", name)), &rule)
		if !strings.Contains(rule.EventPattern, want) || rule.State != "ENABLED" || rule.EventBusName != "default" {
			t.Errorf("%s: %+v", id, rule)
		}
		var targets struct{ Targets []struct{ Arn string } }
		mustJSON(t, string(awsCLI(t, "events", "list-targets-by-rule", "--rule", name)), &targets)
		if len(targets.Targets) != 1 || !strings.HasSuffix(targets.Targets[0].Arn, ":function:keywarden") {
			t.Errorf("%s targets %+v", id, targets)
		}
	}
	// moto gives a Lambda permission no physical id: its presence is what the stack says.
	_, h := res[deploy.HealthPermissionID]
	_, g := res[deploy.GuardDutyPermissionID]
	var pol struct{ Policy string }
	mustJSON(t, string(awsCLI(t, "lambda", "get-policy", "--function-name", "keywarden")), &pol)
	if !h || !g || strings.Count(pol.Policy, "events.amazonaws.com") != 2 {
		t.Errorf("the rules may not invoke the function: %v\n%s", res, pol.Policy)
	}
}

// The function's incident path with a replacement: AWS Health names a service key under a
// rotate rule into Secrets Manager; the function deactivates it, puts a new proven key where the
// consumer reads, and neither the new secret nor the leaked one is in its answer, its log or
// the user's tags (as respond's own test checks its output).
func TestLambdaIncidentReplacementLogsNoSecret(t *testing.T) {
	c, leaked, leakedSecret := svcSetup(t)
	held, _ := json.Marshal(credJSON{Version: 1, AccessKeyId: leaked, SecretAccessKey: leakedSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/"+svcUser, "--secret-string", string(held))
	h, log := lambdaHandler(t, map[string]string{contract.EnvConfig: `incident: {health: true}
jobs:
  rotate-ci:
    schedule: "0 3 * * 1"
    select: {users: ["svc-*"]}
    do:
      - rotate: {older_than: 80d, to: ["secretsmanager:ci/{user}"], grace: 24h}
`})
	h.Sleep = cli.Sleep // the deployed function's sleeper (cmd/keywarden hands lambda.Main the same)
	// keywarden's clock is moto's stamp of the key plus a minute, never a fixed date.
	at := createdAt(t, c, svcUser, leaked).Add(time.Minute)
	h.Now = func() time.Time { return at }
	r, err := h.Handle(context.Background(), []byte(incidentEvent(t, "health-exposed.json", leaked, svcUser)))
	if err != nil || r.Mode != "incident" || len(r.Responses) != 1 {
		t.Fatalf("%+v, %v\nlog:\n%s", r, err, log)
	}
	rep := r.Responses[0]
	if stepOf(rep, "deactivate").Outcome != incident.Done || stepOf(rep, "replace").Outcome != incident.Done {
		t.Fatalf("steps %+v\nlog:\n%s", rep.Steps, log)
	}
	if s := statusByCLI(t, svcUser, leaked); s != "Inactive" {
		t.Fatalf("the leaked key is %s", s)
	}
	sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
	if sec.AccessKeyId == leaked {
		t.Fatal("the consumer still reads the leaked key")
	}
	signsAsUser(t, sec)
	answer, _ := json.Marshal(r)
	noSecretIn(t, []string{sec.SecretAccessKey, leakedSecret}, string(answer), log.String())
}
