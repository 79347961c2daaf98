package test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/lambda"
	"github.com/keywarden/keywarden/internal/lambda/contract"
)

const lambdaYAML = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [access-key-user]}
    do: [{deactivate: {}}]
  report-only:
    do: [{report: {older_than: 90d}}]
`

// lambdaHandler is the function as Lambda would run it, signed as moto's admin, with env as its
// environment and its JSON log in the returned buffer.
func lambdaHandler(t *testing.T, env map[string]string) (*lambda.Handler, *bytes.Buffer) {
	var log bytes.Buffer
	cfg := admin(t)
	return &lambda.Handler{
		AWS: cfg, SSM: ssm.NewFromConfig(cfg),
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return fixedNow },
		Log:    slog.New(slog.NewJSONHandler(&log, nil)),
	}, &log
}

// logLines parses the JSON log, failing the test on a line that is not JSON.
func logLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func TestLambdaRunsNamedJobAndIsIdempotent(t *testing.T) {
	c := fresh(t)
	id, secret := mkKey(t, c, mustUser(t, c, "access-key-user"))
	other := mkUser(t, c, "other", 1)[0]
	h, log := lambdaHandler(t, map[string]string{contract.EnvConfig: lambdaYAML})

	r, err := h.Handle(context.Background(), []byte(`{"job":"curfew"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode != "config" || r.Job != "curfew" || r.Changed != 1 || len(r.Keys) != 1 ||
		r.Keys[0].User != "access-key-user" || r.Keys[0].AccessKeyID != id || r.Keys[0].Outcome != apply.Deactivated {
		t.Fatalf("result = %+v", r)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Inactive" {
		t.Fatalf("aws CLI sees %s, want Inactive", s)
	}
	if s := statusByCLI(t, "other", other); s != "Active" {
		t.Fatalf("a user outside the job was changed: %s", s)
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "access-key-user")[keys.TagKey(id)])
	if err != nil || rec.Origin != "job:curfew" || !rec.Time.Equal(fixedNow) {
		t.Fatalf("provenance = %+v, %v", rec, err)
	}
	lines := logLines(t, log)
	if len(lines) != 2 || lines[0]["msg"] != "key" || lines[0]["access_key_id"] != id || lines[0]["outcome"] != "deactivated" ||
		lines[1]["msg"] != "run" || lines[1]["changed"] != float64(1) {
		t.Fatalf("log = %s", log)
	}
	if strings.Contains(log.String(), secret) {
		t.Fatal("the log holds a secret access key")
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"access_key_id":"`+id+`"`) || !strings.Contains(string(b), `"outcome":"deactivated"`) {
		t.Fatalf("returned JSON does not name the key and outcome: %s", b)
	}

	// The job selects active keys, so a second run finds nothing to do.
	r, err = h.Handle(context.Background(), []byte(`{"job":"curfew"}`))
	if err != nil || r.Changed != 0 || len(r.Keys) != 0 || statusByCLI(t, "access-key-user", id) != "Inactive" {
		t.Fatalf("second run: %+v, %v", r, err)
	}
}

func TestLambdaRefusesBadInvocationsAndChangesNothing(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		payload string
		wantErr string
	}{
		{"missing job", map[string]string{contract.EnvConfig: lambdaYAML}, `{}`, "the event names no job; want {\"job\":\"curfew\"} with one of: curfew, report-only"},
		{"unknown job", map[string]string{contract.EnvConfig: lambdaYAML}, `{"job":"curfue"}`, `unknown job "curfue" in KEYWARDEN_CONFIG; jobs: curfew, report-only`},
		{"typo in event", map[string]string{contract.EnvConfig: lambdaYAML}, `{"jbo":"curfew"}`, `bad event: unknown field "jbo"`},
		{"event not an object", map[string]string{contract.EnvConfig: lambdaYAML}, `"curfew"`, "bad event: want a JSON object"},
		{"bad config", map[string]string{contract.EnvConfig: "jobs: [\n"}, `{"job":"curfew"}`, "KEYWARDEN_CONFIG:1: invalid YAML"},
		{"no config at all", map[string]string{}, `{"job":"curfew"}`, "no configuration"},
		{"seed mode event not an object", map[string]string{contract.EnvSeedUser: "access-key-user", contract.EnvSeedKey: "SEEDKEY"}, `[]`, "bad event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fresh(t)
			id, _ := mkKey(t, c, mustUser(t, c, "access-key-user"))
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "SEEDKEY", id)
			}
			h, log := lambdaHandler(t, env)
			_, err := h.Handle(context.Background(), []byte(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if s := statusByCLI(t, "access-key-user", id); s != "Active" {
				t.Fatalf("key is %s after a refused invocation", s)
			}
			if len(tagsByCLI(t, "access-key-user")) != 0 {
				t.Fatal("a refused invocation wrote tags")
			}
			lines := logLines(t, log)
			if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["error"] != err.Error() {
				t.Fatalf("want one error line, log = %s", log)
			}
		})
	}
}

func TestLambdaSeedModeDeactivatesTheOneKey(t *testing.T) {
	c := fresh(t)
	user := mustUser(t, c, "access-key-user")
	id, _ := mkKey(t, c, user)
	keep, _ := mkKey(t, c, user)
	env := map[string]string{contract.EnvSeedUser: "access-key-user", contract.EnvSeedKey: id}
	h, _ := lambdaHandler(t, env)

	// The seed's CloudWatch Events rule sends a scheduled event; seed mode takes any object.
	ev := `{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`
	r, err := h.Handle(context.Background(), []byte(ev))
	if err != nil || r.Mode != "seed" || r.Changed != 1 || r.Keys[0].AccessKeyID != id {
		t.Fatalf("result %+v, err %v", r, err)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Inactive" {
		t.Fatalf("target key is %s, want Inactive", s)
	}
	if s := statusByCLI(t, "access-key-user", keep); s != "Active" {
		t.Fatalf("the user's other key is %s, want Active", s)
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "access-key-user")[keys.TagKey(id)])
	if err != nil || rec.Origin != lambda.SeedOrigin {
		t.Fatalf("provenance = %+v, %v", rec, err)
	}
	r, err = h.Handle(context.Background(), []byte(`{}`))
	if err != nil || r.Unchanged != 1 || r.Keys[0].Outcome != apply.Unchanged {
		t.Fatalf("second run: %+v, %v", r, err)
	}

	h, _ = lambdaHandler(t, map[string]string{contract.EnvSeedUser: "access-key-user", contract.EnvSeedKey: "AKIANOSUCHKEY0000000"})
	if _, err := h.Handle(context.Background(), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "AKIANOSUCHKEY0000000 of access-key-user: key no longer exists") {
		t.Fatalf("missing seed key: err = %v", err)
	}
}

func TestLambdaReadsConfigFromSSM(t *testing.T) {
	c := fresh(t)
	id, _ := mkKey(t, c, mustUser(t, c, "access-key-user"))
	awsCLI(t, "ssm", "put-parameter", "--name", "/keywarden/config", "--type", "SecureString", "--value", lambdaYAML)
	h, _ := lambdaHandler(t, map[string]string{contract.EnvConfigSSM: "/keywarden/config"})
	r, err := h.Handle(context.Background(), []byte(`{"job":"curfew","dry_run":true}`))
	if err != nil || !r.DryRun || r.Keys[0].Outcome != "would deactivate" {
		t.Fatalf("dry run: %+v, %v", r, err)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Active" {
		t.Fatalf("dry run changed the key to %s", s)
	}
	if _, err := h.Handle(context.Background(), []byte(`{"job":"curfew"}`)); err != nil {
		t.Fatal(err)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Inactive" {
		t.Fatalf("key is %s, want Inactive", s)
	}
	h, _ = lambdaHandler(t, map[string]string{contract.EnvConfigSSM: "/keywarden/missing"})
	if _, err := h.Handle(context.Background(), []byte(`{"job":"curfew"}`)); err == nil || !strings.Contains(err.Error(), "read config from SSM parameter /keywarden/missing") {
		t.Fatalf("missing parameter: err = %v", err)
	}
}

func mustUser(t *testing.T, c *iam.Client, name string) string {
	t.Helper()
	if _, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return name
}
