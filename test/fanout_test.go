package test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/lambda"
	"github.com/keywarden/keywarden/test/emu"
)

// The fan-out state machine keywarden template --fan-out writes, executed by moto's Step
// Functions: over an organization of 45 accounts, some of them closed, every ACTIVE account
// is in exactly one batch, no closed one in any, and no batch is larger than a page. The
// batches are read from the execution's history (the Lambda invocations' parameters), through
// the AWS CLI, not from keywarden. Every batch carries the firing's time of the input, which
// the function reads as its rotation token's firing (a retried batch never rotates twice).
func TestFanOutStateMachineBatchesEveryActiveAccountOnce(t *testing.T) {
	s := executingMoto(t)

	ctx := context.Background()
	org := organizations.NewFromConfig(admin(t))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var closed []string
	for i := range 44 { // and the management account: 45
		name := fmt.Sprintf("member-%02d", i)
		a, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if i%11 == 3 {
			id := aws.ToString(a.CreateAccountStatus.AccountId)
			if _, err := org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &id}); err != nil {
				t.Fatal(err)
			}
			closed = append(closed, id)
		}
	}
	var all struct{ Accounts []struct{ Id, State string } }
	if err := json.Unmarshal(awsCLI(t, "organizations", "list-accounts"), &all); err != nil {
		t.Fatal(err)
	}
	var active []string
	for _, a := range all.Accounts {
		if a.State == "ACTIVE" {
			active = append(active, a.Id)
		}
	}
	if len(all.Accounts) != 45 || len(active) != 45-len(closed) || len(closed) == 0 {
		t.Fatalf("the organization has %d accounts, %d active, %d closed; want 45 with some closed", len(all.Accounts), len(active), len(closed))
	}

	fnArn := mkFunction(t)
	smArn, created := mkFanOut(t, s, fnArn)
	// A firing's time as the scheduler writes <aws.scheduler.scheduled-time>: the
	// state machine's creation as moto stamped it, so the test holds on any date.
	fired := cliTime(t, created).UTC().Truncate(time.Second).Format(time.RFC3339)
	batches, status := runFanOut(t, smArn, "curfew-1", deploy.FanOutInput("curfew", false, fired), fnArn)
	seen := map[string]int{}
	for _, b := range batches {
		if len(b.Accounts) > deploy.FanOutBatch {
			t.Errorf("a batch of %d accounts, more than %d", len(b.Accounts), deploy.FanOutBatch)
		}
		if b.Time != fired {
			t.Errorf("a batch carries time %q, want the firing's %s", b.Time, fired)
		}
		for _, id := range b.Accounts {
			seen[id]++
		}
	}
	if status != "SUCCEEDED" {
		t.Errorf("execution %s, want SUCCEEDED", status)
	}
	if len(batches) != 3 {
		t.Errorf("%d batches, want 3 (pages of %d of 45 accounts): %v", len(batches), deploy.FanOutBatch, batches)
	}
	for _, id := range active {
		if seen[id] != 1 {
			t.Errorf("ACTIVE account %s is in %d batches, want 1", id, seen[id])
		}
	}
	for id, n := range seen {
		if !slices.Contains(active, id) {
			t.Errorf("account %s, not ACTIVE (closed: %v), is in %d batches", id, slices.Contains(closed, id), n)
		}
	}
}

// An execution started by hand with the input of earlier releases, {"job","warn"} without a
// time, still runs: its batches carry an empty time, so each invocation's start is its firing.
// A test of its own: moto's Step Functions fails every StartExecution after its first (HTTP
// 500, a lock it cannot copy), so one moto runs one execution.
func TestFanOutExecutionWithoutATimeStillRuns(t *testing.T) {
	s := executingMoto(t)
	org := organizations.NewFromConfig(admin(t))
	if _, err := org.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	fnArn := mkFunction(t)
	smArn, _ := mkFanOut(t, s, fnArn)
	batches, status := runFanOut(t, smArn, "curfew-by-hand", `{"job":"curfew","warn":false}`, fnArn)
	if status != "SUCCEEDED" || len(batches) != 1 {
		t.Fatalf("execution without a time: %s, %d batches; want SUCCEEDED and 1 (the management account's)", status, len(batches))
	}
	if b := batches[0]; b.Time != "" || len(b.Accounts) != 1 {
		t.Errorf("the batch of an execution without a time is %+v, want time \"\" and the one account", b)
	}
}

// fanOutBatch is one Lambda invocation's event as the state machine built it.
type fanOutBatch struct {
	Job      string
	Warn     *bool
	Time     string
	Accounts []string
}

// executingMoto is a fresh moto whose Step Functions run their executions and whose Lambda
// invokes without Docker, as the fan-out tests need, put back as it was when the test ends.
func executingMoto(t *testing.T) *emu.Server {
	t.Helper()
	fresh(t)
	s := moto(t)
	motoConfig(t, s.MotoURL, `{"stepfunctions": {"execute_state_machine": true}, "lambda": {"use_docker": false}}`)
	t.Cleanup(func() {
		motoConfig(t, s.MotoURL, `{"stepfunctions": {"execute_state_machine": false}, "lambda": {"use_docker": true}}`)
	})
	return s
}

// mkFanOut creates the fan-out state machine of the template, invoking fnArn, and returns its
// ARN and its creation as moto stamped it (cliTime reads it).
func mkFanOut(t *testing.T, s *emu.Server, fnArn string) (string, json.RawMessage) {
	t.Helper()
	var sm struct {
		StateMachineArn string
		CreationDate    json.RawMessage
	}
	if err := json.Unmarshal(awsCLI(t, "stepfunctions", "create-state-machine", "--name", "keywarden-fan-out",
		"--role-arn", "arn:aws:iam::"+s.AccountID+":role/keywarden-fan-out", "--definition", fanOutDefinition(t, fnArn)), &sm); err != nil {
		t.Fatal(err)
	}
	return sm.StateMachineArn, sm.CreationDate
}

// runFanOut starts an execution of the state machine, waits for it, and returns the events of
// its Lambda invocations (read from its history) and its status. Each event is
// checked as the function reads it: a strict parse (ParseEvent refuses unknown fields and a
// time that is not RFC 3339), the job curfew, warn false.
func runFanOut(t *testing.T, smArn, name, input, fnArn string) ([]fanOutBatch, string) {
	t.Helper()
	var ex struct{ ExecutionArn string }
	json.Unmarshal(awsCLI(t, "stepfunctions", "start-execution", "--state-machine-arn", smArn, "--name", name, "--input", input), &ex)
	status := waitExecution(t, ex.ExecutionArn)
	var hist struct {
		Events []struct {
			Type                      string
			TaskScheduledEventDetails *struct{ ResourceType, Resource, Parameters string }
		}
	}
	if err := json.Unmarshal(awsCLI(t, "stepfunctions", "get-execution-history", "--execution-arn", ex.ExecutionArn), &hist); err != nil {
		t.Fatal(err)
	}
	var batches []fanOutBatch
	for _, e := range hist.Events {
		d := e.TaskScheduledEventDetails
		if e.Type != "TaskScheduled" || d == nil || d.ResourceType != "lambda" {
			continue
		}
		var p struct {
			FunctionName string
			Payload      json.RawMessage
		}
		var b fanOutBatch
		if err := json.Unmarshal([]byte(d.Parameters), &p); err != nil || json.Unmarshal(p.Payload, &b) != nil {
			t.Fatalf("invocation parameters %s: %v", d.Parameters, err)
		}
		if p.FunctionName != fnArn || b.Job != "curfew" || b.Warn == nil || *b.Warn {
			t.Errorf("an invocation of %s with %s, want the function with job curfew, warn false", p.FunctionName, d.Parameters)
		}
		if _, err := lambda.ParseEvent(p.Payload, true); err != nil {
			t.Errorf("the function would refuse the batch %s: %v", p.Payload, err)
		}
		batches = append(batches, b)
	}
	return batches, status
}

// cliTime reads a time the AWS CLI printed: ISO 8601, or epoch seconds where the CLI is set to
// print timestamps as they came.
func cliTime(t *testing.T, raw json.RawMessage) time.Time {
	t.Helper()
	var secs float64
	if json.Unmarshal(raw, &secs) == nil {
		return time.Unix(0, int64(secs*1e9)).UTC()
	}
	var s string
	json.Unmarshal(raw, &s)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %s: %v", raw, err)
	}
	return at
}

// motoConfig sets moto's behaviour through /moto-api/config.
func motoConfig(t *testing.T, motoURL, body string) {
	t.Helper()
	resp, err := http.Post(motoURL+"/moto-api/config", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("moto config %s: %s", body, resp.Status)
	}
}

// mkFunction creates the function the state machine invokes; moto answers its invocations
// without running it (lambda use_docker false), which is all the batches need.
func mkFunction(t *testing.T) string {
	t.Helper()
	var zb bytes.Buffer
	z := zip.NewWriter(&zb)
	w, _ := z.Create("bootstrap")
	w.Write([]byte("#!/bin/sh\n"))
	z.Close()
	dir := t.TempDir()
	zf := filepath.Join(dir, "fn.zip")
	os.WriteFile(zf, zb.Bytes(), 0o600)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	var r struct{ Role struct{ Arn string } }
	json.Unmarshal(awsCLI(t, "iam", "create-role", "--role-name", "keywarden-fn", "--assume-role-policy-document", trust), &r)
	var f struct{ FunctionArn string }
	json.Unmarshal(awsCLI(t, "lambda", "create-function", "--function-name", "keywarden", "--runtime", "provided.al2023",
		"--handler", "bootstrap", "--role", r.Role.Arn, "--zip-file", "fileb://"+zf), &f)
	if f.FunctionArn == "" {
		t.Fatal("create-function returned no ARN")
	}
	return f.FunctionArn
}

// fanOutDefinition is the state machine of keywarden template --fan-out, with the function's
// ARN put where CloudFormation's DefinitionSubstitutions would.
func fanOutDefinition(t *testing.T, fnArn string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	os.WriteFile(cfg, []byte(`accounts:
  organization: true
jobs:
  curfew:
    schedule: "0 0 * * *"
    select: {users: [dev]}
    do: [{deactivate: {}}]
`), 0o600)
	r := kw(t, emu.OfflineConfig(), "template", "--fan-out", "-c", cfg)
	if r.code != 0 {
		t.Fatalf("template --fan-out: exit %d: %s", r.code, r.stderr)
	}
	var tpl struct {
		Resources map[string]struct {
			Properties struct {
				Definition              map[string]any `yaml:"Definition"`
				DefinitionSubstitutions map[string]any `yaml:"DefinitionSubstitutions"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(r.stdout), &tpl); err != nil {
		t.Fatal(err)
	}
	p := tpl.Resources[deploy.StateMachineID].Properties
	if p.Definition == nil || p.DefinitionSubstitutions["FunctionArn"] == nil {
		t.Fatalf("the template has no state machine with a FunctionArn substitution:\n%s", r.stdout)
	}
	b, err := json.Marshal(p.Definition)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "${FunctionArn}", fnArn)
}

// waitExecution polls until moto's execution ends and returns its status. Polling, not a
// timed assertion: the deadline only keeps a hung execution from hanging the suite.
func waitExecution(t *testing.T, arn string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var d struct{ Status, Error, Cause string }
		json.Unmarshal(awsCLI(t, "stepfunctions", "describe-execution", "--execution-arn", arn), &d)
		if d.Status != "RUNNING" {
			if d.Status != "SUCCEEDED" {
				t.Logf("execution %s: %s %s", d.Status, d.Error, d.Cause)
			}
			return d.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution still RUNNING after 2 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// --fan-out without an organization to walk is bad input: one line, exit 2, no template.
func TestTemplateFanOutRefusesAConfigWithoutOrganization(t *testing.T) {
	parallel(t)
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	os.WriteFile(cfg, []byte("jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    select: {users: [dev]}\n    do: [{deactivate: {}}]\n"), 0o600)
	r := kw(t, emu.OfflineConfig(), "template", "--fan-out", "-c", cfg)
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "no accounts: section") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
		t.Fatalf("exit %d, stdout %d bytes, stderr %q; want exit 2 and one line naming the missing accounts: section", r.code, len(r.stdout), r.stderr)
	}
}
