package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

func TestTemplateCommandPassesCfnLint(t *testing.T) {
	parallel(t)
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH; install it with 'pip install cfn-lint'")
	}
	r := kw(t, emu.OfflineConfig(), "template", "-c", "../internal/policy/testdata/keywarden.yaml", "--arch", "amd64",
		"--function-name", "kw-curfew", "--code-bucket", "my-bucket", "--code-key", "keywarden.zip")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"ScheduleExpressionTimezone: Asia/Tokyo", "ScheduleExpression: cron(0 0 * * ? *)", "- x86_64", "Default: my-bucket"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("template lacks %q", want)
		}
	}
	f := filepath.Join(t.TempDir(), "t.yaml")
	os.WriteFile(f, []byte(r.stdout), 0o600)
	if out, err := exec.Command(lint, f).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}

	r = kw(t, emu.OfflineConfig(), "template", "-c", "../internal/policy/testdata/keywarden.yaml", "--code-bucket", "b")
	if r.code != 2 || !strings.Contains(r.stderr, "--code-bucket and --code-key go together") || r.stdout != "" {
		t.Fatalf("half a code location: exit %d, %s", r.code, r.stderr)
	}
}

// A rotate rule and the rotation function in one template: the role grants the destinations
// (with the account left to CloudFormation) and Secrets Manager may invoke the function.
func TestTemplateWithRotationPassesCfnLint(t *testing.T) {
	parallel(t)
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH; install it with 'pip install cfn-lint'")
	}
	cfg := rotateRule(t, `{older_than: 80d, to: ["secretsmanager:ci/{user}", "ssm:/ci/{user}"], grace: 24h}`)
	r := kw(t, emu.OfflineConfig(), "template", "-c", cfg, "--secrets-manager-rotation", "svc-*", "--code-bucket", "my-bucket", "--code-key", "keywarden.zip")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Type: AWS::Lambda::Permission", "Principal: secretsmanager.amazonaws.com",
		"secretsmanager:ResourceTag/keywarden:user", "${AWS::AccountId}:secret:ci/svc-*-??????", "${AWS::AccountId}:parameter/ci/svc-*"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("template lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "000000000000") {
		t.Errorf("a placeholder account is left in the template:\n%s", r.stdout)
	}
	f := filepath.Join(t.TempDir(), "t.yaml")
	os.WriteFile(f, []byte(r.stdout), 0o600)
	if out, err := exec.Command(lint, f).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
