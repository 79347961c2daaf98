package kind

import (
	"strings"
	"testing"
)

func TestProblem(t *testing.T) {
	hint := func(got string, known []string) string {
		if got == "secretmanager" {
			return "secretsmanager"
		}
		return ""
	}
	for spec, want := range map[string]string{
		"secretsmanager:ci/{user}":         "",
		"ssm:/ci/{user}":                   "",
		"profile:ci-{user}@/tmp/c":         "",
		"exec:./push {user}":               "",
		"ci/svc":                           `destination "ci/svc": want secretsmanager:SECRET_ID, ssm:NAME, exec:COMMAND, github:OWNER/REPO[:env=ENV], github-org:ORG[:visibility=all|private|selected], gitlab:PROJECT_OR_GROUP[:scope=ENV][:protected=true], k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME] or profile:NAME[@FILE]`,
		"ssm:":                             `destination "ssm:": want `,
		"vault:x":                          `destination "vault:x": unknown kind "vault"; want `,
		"secretmanager:x":                  `unknown kind "secretmanager" (did you mean secretsmanager?); want `,
		"secretsmanager:ci svc/{user}":     "a secret name is up to 512 letters, digits and /_+=.@-",
		"secretsmanager:ci/{usr}":          "a secret name is up to 512",
		"ssm:/ci/a+b":                      "a parameter name is letters, digits and _.-/",
		"profile:@/tmp/c":                  "want profile:NAME[@FILE]",
		"profile:ci@":                      "want profile:NAME[@FILE]",
		"profile:c[i]":                     "want profile:NAME[@FILE]",
		"exec:   ":                         "want exec:COMMAND [ARG]...",
		"ssm:" + strings.Repeat("a", 2049): "a parameter name",
	} {
		got := Problem(spec, hint)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("Problem(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestUserInDestinations(t *testing.T) {
	for spec, want := range map[string]string{
		"secretsmanager:ci/": "secretsmanager:ci/{user}",
		"ssm:/ci/svc":        "ssm:/ci/svc/{user}",
		"profile:ci@/tmp/c":  "profile:ci-{user}@/tmp/c",
		"profile:ci":         "profile:ci-{user}",
		"exec:./push":        "exec:./push {user}",
		"github:acme/deploy": "github:acme/deploy:env={user}",
	} {
		if got := WithUser(spec); got != want {
			t.Errorf("WithUser(%q) = %q, want %q", spec, got, want)
		}
		if got := ExpandUser(WithUser(spec), "svc-ci"); strings.Contains(got, "{user}") || !strings.Contains(got, "svc-ci") {
			t.Errorf("ExpandUser(%q) = %q", WithUser(spec), got)
		}
	}
}

func TestLambdaAndRegistry(t *testing.T) {
	if got := strings.Join(Names(), " "); got != "secretsmanager ssm exec github github-org gitlab k8s profile" {
		t.Errorf("Names() = %s", got)
	}
	for spec, want := range map[string]bool{"secretsmanager:x": true, "ssm:x": true, "exec:x": false, "profile:x": false, "github:a/b": false, "k8s:a/b": false} {
		if RunsInLambda(spec) != want {
			t.Errorf("RunsInLambda(%q) != %v", spec, want)
		}
	}
}
