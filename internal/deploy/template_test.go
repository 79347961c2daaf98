package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/policy"
)

func loadSample(t *testing.T) (*policy.Config, []byte) {
	t.Helper()
	data, err := os.ReadFile("../policy/testdata/keywarden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := policy.Load("keywarden.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, data
}

func mustLoad(t *testing.T, y string) (*policy.Config, []byte) {
	t.Helper()
	cfg, err := policy.Load("keywarden.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, []byte(y)
}

// render builds and renders a template, then reads it back as plain YAML.
func render(t *testing.T, o Options) ([]byte, map[string]any) {
	t.Helper()
	tpl, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tpl.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return b, m
}

func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a mapping: %v", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: not a long enough list: %v", k, v)
			}
			v = l[k]
		}
	}
	return v
}

const curfewOnly = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [access-key-user]}
    do: [{deactivate: {}}]
`

func TestTemplateCurfew(t *testing.T) {
	cfg, data := mustLoad(t, curfewOnly)
	_, m := render(t, Options{Config: cfg, ConfigYAML: data})
	res := dig(t, m, "Resources")
	s := dig(t, res, "ScheduleCurfew", "Properties")
	if dig(t, s, "ScheduleExpression") != "cron(0 0 * * ? *)" || dig(t, s, "ScheduleExpressionTimezone") != "Asia/Tokyo" {
		t.Fatalf("schedule = %v", s)
	}
	if dig(t, s, "Target", "Input") != `{"job":"curfew","time":"<aws.scheduler.scheduled-time>"}` || dig(t, s, "FlexibleTimeWindow", "Mode") != "OFF" {
		t.Fatalf("schedule target = %v", s)
	}
	if dig(t, s, "Target", "DeadLetterConfig", "Arn", "Fn::GetAtt", 0) != DeadLetterID {
		t.Fatalf("no dead-letter queue: %v", s)
	}
	fn := dig(t, res, FunctionID, "Properties")
	if dig(t, fn, "Runtime") != "provided.al2023" || dig(t, fn, "Handler") != "bootstrap" || dig(t, fn, "Architectures", 0) != "arm64" {
		t.Fatalf("function = %v", fn)
	}
	if dig(t, fn, "Environment", "Variables", "KEYWARDEN_CONFIG") != curfewOnly {
		t.Fatal("the function does not get the config text")
	}
	// The curfew's role reaches only access-key-user, never every user.
	stmts := dig(t, res, FunctionRoleID, "Properties", "Policies", 0, "PolicyDocument", "Statement").([]any)
	for _, st := range stmts {
		for _, r := range dig(t, st, "Resource").([]any) {
			s, _ := yaml.Marshal(r)
			if !strings.Contains(string(s), "user/access-key-user") && !strings.Contains(string(s), "user/*/access-key-user") {
				t.Errorf("statement %v reaches %s", dig(t, st, "Sid"), s)
			}
		}
	}
	invoke := dig(t, res, SchedulerRoleID, "Properties", "Policies", 0, "PolicyDocument", "Statement", 0)
	if dig(t, invoke, "Action", 0) != "lambda:InvokeFunction" || dig(t, invoke, "Resource", 0, "Fn::GetAtt", 0) != FunctionID {
		t.Fatalf("scheduler may do %v", invoke)
	}
	if dig(t, res, LogGroupID, "Properties", "RetentionInDays") != LogRetentionDays {
		t.Fatal("log group without retention")
	}
}

func TestTemplateOptions(t *testing.T) {
	cfg, data := mustLoad(t, `jobs:
  monthly:
    schedule: "0 0 1 * MON"
    do: [{report: {older_than: 90d}}]
  manual:
    do: [{deactivate: {unused_for: 45d}}]
`)
	_, m := render(t, Options{Config: cfg, ConfigYAML: data, Arch: "amd64", FunctionName: "kw-prod", ConfigSSM: "/keywarden/config", CodeBucket: "b", CodeKey: "k.zip"})
	res := dig(t, m, "Resources").(map[string]any)
	if dig(t, res, FunctionID, "Properties", "Architectures", 0) != "x86_64" || dig(t, res, FunctionID, "Properties", "FunctionName") != "kw-prod" {
		t.Fatal("arch or name not applied")
	}
	if v := dig(t, res, FunctionID, "Properties", "Environment", "Variables").(map[string]any); v["KEYWARDEN_CONFIG_SSM"] != "/keywarden/config" || v["KEYWARDEN_CONFIG"] != nil {
		t.Fatalf("environment = %v", v)
	}
	if dig(t, m, "Parameters", CodeBucketParam, "Default") != "b" || dig(t, m, "Parameters", CodeKeyParam, "Default") != "k.zip" {
		t.Fatal("code location not the parameters' defaults")
	}
	if dig(t, res, "ScheduleMonthly", "Properties", "ScheduleExpression") != "cron(0 0 1 * ? *)" ||
		dig(t, res, "ScheduleMonthlyDays2", "Properties", "ScheduleExpression") != "cron(0 0 ? * 2 *)" {
		t.Fatal("cron's either-day rule is not two schedules")
	}
	for id := range res {
		if strings.Contains(id, "Manual") {
			t.Fatalf("an unscheduled job got %s", id)
		}
	}
}

func TestTemplateRefuses(t *testing.T) {
	cfg, data := loadSample(t)
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"bad arch", Options{Config: cfg, ConfigYAML: data, Arch: "386"}, `architecture "386"`},
		{"bad function name", Options{Config: cfg, ConfigYAML: data, FunctionName: "a b"}, `function name "a b"`},
		{"config too big for the environment", Options{Config: cfg, ConfigYAML: []byte(strings.Repeat("#", 5000))}, "--config-ssm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Build(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestTemplatePassesCfnLint runs cfn-lint on rendered templates. A missing cfn-lint fails the
// test: CI installs it, and a skipped lint would pass silently.
func TestTemplatePassesCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH; install it with 'pip install cfn-lint'")
	}
	cfg, data := loadSample(t)
	cfg2, data2 := mustLoad(t, `jobs:
  monthly-audit:
    schedule: "*/15 8-18 1 * MON-FRI"
    timezone: Europe/Berlin
    select: {paths: [/team/]}
    do: [{deactivate: {unused_for: 45d}}, {delete: {inactive_for: 30d}}]
`)
	cfg3, data3 := mustLoad(t, curfewWarnYAML)
	cfg4, data4 := mustLoad(t, orgCurfewWarn)
	cfg5, data5 := mustLoad(t, incidentYAML)
	cases := map[string]Options{
		"incident":       {Config: cfg5, ConfigYAML: data5},
		"fan-out":        {Config: cfg4, ConfigYAML: data4, FanOut: true},
		"curfew warn":    {Config: cfg3, ConfigYAML: data3},
		"sample":         {Config: cfg, ConfigYAML: data},
		"amd64 with ssm": {Config: cfg, ConfigSSM: "/keywarden/config", Arch: "amd64", FunctionName: "kw_2"},
		"either-day":     {Config: cfg2, ConfigYAML: data2},
	}
	dir := t.TempDir()
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			b, _ := render(t, o)
			f := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(lint, f).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Fatalf("cfn-lint %s: %v\n%s", name, err, out)
			}
		})
	}
	// The check itself must be able to fail: a schedule without its required target is an error.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("Resources:\n  S:\n    Type: AWS::Scheduler::Schedule\n    Properties:\n      ScheduleExpression: cron(0 0 * * ? *)\n"), 0o600)
	if out, err := exec.Command(lint, bad).CombinedOutput(); err == nil {
		t.Fatalf("cfn-lint passed a broken template:\n%s", out)
	}
}
