package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/exitcode"
)

// A rotate rule the Lambda cannot deliver passes neither template nor deploy --dry-run (one
// sentence naming job and destination, exit 2, no template), and validate, for which the file
// is valid (apply and serve run it), warns in the same words.
func TestTemplateRefusesWhatTheLambdaCannotDeliver(t *testing.T) {
	for _, dest := range []string{"exec:./push {user}", "profile:ci-{user}", "github:acme/deploy:env={user}"} {
		t.Run(dest, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "keywarden.yaml")
			yaml := "jobs:\n  rotate-ci:\n    schedule: \"0 3 * * 1\"\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/{user}\", \"" + dest + "\"]}\n"
			if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			want := "job rotate-ci: destination " + dest + " "
			for _, args := range [][]string{{"template", "-c", p}, {"deploy", "-c", p, "--dry-run"}} {
				code, out, errs := runRoot(t, args...)
				if code != exitcode.Usage || out != "" || !strings.HasPrefix(errs, "keywarden: "+want) || strings.Count(errs, "\n") != 1 {
					t.Errorf("%s: exit %d, want 2 and one sentence starting %q\nstdout %q\nstderr %q", args[0], code, want, out, errs)
				}
			}
			d, _, errb := testDeps()
			if code := Run(context.Background(), d, []string{"validate", "-c", p}); code != 0 ||
				!strings.Contains(errb.String(), "keywarden: warning: not deployable as a Lambda: "+want) {
				t.Errorf("validate: exit %d, want 0 and a warning\n%s", code, errb)
			}
		})
	}
}

// A literal webhook URL with a token is warned about before template writes it in plain text;
// the same hook by reference is not, and its name (not its value) is what the template holds.
func TestTemplateWarnsOfAWebhookToken(t *testing.T) {
	jobs := "jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    select: {users: [dev]}\n    do:\n      - deactivate: {}\n"
	for url, warn := range map[string]bool{
		"https://hooks.slack.com/services/T0/B0/SECRETPATH": true,
		"ssm:/keywarden/webhook":                            false,
	} {
		p := filepath.Join(t.TempDir(), "keywarden.yaml")
		if err := os.WriteFile(p, []byte("notify: {webhook: {url: \""+url+"\"}}\n"+jobs), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runRoot(t, "template", "-c", p)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", url, code, errs)
		}
		if got := strings.Contains(errs, "warning: notify.webhook.url carries a token"); got != warn {
			t.Errorf("%s: warned %v, want %v\n%s", url, got, warn, errs)
		}
		if strings.Contains(errs, "SECRETPATH") {
			t.Errorf("the warning echoes the token: %s", errs)
		}
		if !warn && !strings.Contains(out, "ssm:GetParameter") {
			t.Errorf("%s: the function's role cannot read the URL:\n%s", url, out)
		}
	}
}

// A rotate rule whose destinations cannot be read back (exec:, github:) is valid, but validate
// warns that a rerun after a crash could not recover the new key, and names what to add.
func TestValidateWarnsOfARotationNothingCanReadBack(t *testing.T) {
	for dests, warn := range map[string]bool{
		`"exec:./push {user}", "github:acme/deploy:env={user}"`: true,
		`"github:acme/deploy:env={user}", "ssm:/ci/{user}"`:     false,
	} {
		p := filepath.Join(t.TempDir(), "keywarden.yaml")
		yaml := "jobs:\n  rotate-ci:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [" + dests + "]}\n"
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		d, _, errb := testDeps()
		code := Run(context.Background(), d, []string{"validate", "-c", p})
		got := strings.Contains(errb.String(), "keywarden: warning: job rotate-ci: no destination of its rotate rule (exec:./push {user}, github:acme/deploy:env={user}) can be read back, so a rerun after a crash cannot recover the new key; add a secretsmanager:, ssm:, gitlab:, k8s: or profile: destination beside them")
		if code != 0 || got != warn {
			t.Errorf("%s: exit %d, warned %v, want %v\n%s", dests, code, got, warn, errb)
		}
	}
}

// A rotate rule into gitlab: validates, is not deployable as a Lambda (the token is in
// keywarden's environment), counts as readable back, and policy names the token it needs.
func TestGitLabRuleValidatesAndPolicyNamesItsToken(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keywarden.yaml")
	yaml := "jobs:\n  rotate-ci:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, to: [\"gitlab:acme/deploy:scope={user}:protected=true\"]}\n"
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, errb := testDeps()
	if code := Run(context.Background(), d, []string{"validate", "-c", p}); code != 0 ||
		!strings.Contains(errb.String(), "destination gitlab:acme/deploy:scope={user}:protected=true reads its GitLab token from the environment, not by reference (:token=ssm:NAME), which the Lambda cannot") ||
		strings.Contains(errb.String(), "can be read back") {
		t.Fatalf("validate: exit %d\n%s", code, errb)
	}
	d, out, errb := testDeps()
	if code := Run(context.Background(), d, []string{"policy", "-c", p}); code != 0 || !strings.Contains(out.String(), "iam:CreateAccessKey") ||
		!strings.Contains(errb.String(), "keywarden: note: gitlab: destinations need GITLAB_TOKEN: a personal, project or group access token with the api scope") {
		t.Fatalf("policy: exit %d\n%s\n%s", code, out, errb)
	}

	// With the token kept by reference, the Lambda can deliver there, and may read the token.
	os.WriteFile(p, []byte(strings.Replace(yaml, "protected=true", "protected=true:token=ssm:/ci/gitlab-token", 1)), 0o600)
	d, _, errb = testDeps()
	if code := Run(context.Background(), d, []string{"validate", "-c", p}); code != 0 || strings.Contains(errb.String(), "warning") {
		t.Fatalf("validate with the token by reference: exit %d\n%s", code, errb)
	}
	d, out, _ = testDeps()
	if code := Run(context.Background(), d, []string{"policy", "-c", p}); code != 0 || !strings.Contains(out.String(), "parameter/ci/gitlab-token") {
		t.Fatalf("policy with the token by reference: exit %d\n%s", code, out)
	}
	os.WriteFile(p, []byte(strings.Replace(yaml, "scope={user}", "scope=prod", 1)), 0o600)
	d, _, errb = testDeps()
	if code := Run(context.Background(), d, []string{"validate", "-c", p}); code != 2 || !strings.Contains(errb.String(), `put {user} in it, like "gitlab:acme/deploy:scope={user}:protected=true"`) {
		t.Fatalf("validate of one variable for every user: exit %d\n%s", code, errb)
	}
}
