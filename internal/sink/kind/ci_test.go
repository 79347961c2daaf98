package kind

import (
	"strings"
	"testing"
)

// The CI kinds' options: each known once, names= two distinct variable names, the rest
// refused with the kind's syntax.
func TestCIDestinations(t *testing.T) {
	for spec, want := range map[string]string{
		"github:acme/deploy:names=KEY,SECRET":                         "",
		"github:acme/deploy:env=prod:names=AWS_KEY_{user},SEC_{user}": "",
		"github:acme/deploy:names=KEY":                                "want github:OWNER/REPO, with :env=ENVIRONMENT, :names=ID_VAR,SECRET_VAR optional, and :token=ssm:NAME or :token=secretsmanager:ID last",
		"github:acme/deploy:names=KEY,KEY":                            "want github:OWNER/REPO",
		"github:acme/deploy:names=1KEY,SECRET":                        "want github:OWNER/REPO",
		"github:acme/deploy:names=GITHUB_KEY,SECRET":                  "want github:OWNER/REPO",
		"github:acme/deploy:env=a:env=b":                              "want github:OWNER/REPO",
		"github:acme/deploy:scope=prod":                               "want github:OWNER/REPO",
		"github-org:acme":                                             "",
		"github-org:acme:visibility=selected:names=K_{user},S_{user}": "",
		"github-org:acme:visibility=public":                           "want github-org:ORG, with :visibility=all, private or selected",
		"github-org:acme/deploy":                                      "want github-org:ORG",
		"gitlab:acme/ci/deploy":                                       "",
		"gitlab:42":                                                   "",
		"gitlab:acme/deploy:scope=review/*:protected=true:names=K,S":  "",
		"gitlab:acme/deploy:scope={user}":                             "",
		"gitlab:acme//deploy":                                         "want gitlab:PROJECT_OR_GROUP_PATH, with :scope=ENVIRONMENT, :protected=true, :names=ID_VAR,SECRET_VAR optional",
		"gitlab:acme/deploy:protected=yes":                            "want gitlab:PROJECT_OR_GROUP_PATH",
		"gitlab:acme/deploy:env=prod":                                 "want gitlab:PROJECT_OR_GROUP_PATH",
		"gitlab:acme/deploy:names=K-1,S":                              "want gitlab:PROJECT_OR_GROUP_PATH",
	} {
		got := Problem(spec, nil)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("Problem(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestCIUserAndNames(t *testing.T) {
	for _, tc := range []struct{ spec, withUser, expanded string }{
		{"gitlab:acme/deploy", "gitlab:acme/deploy:scope={user}", "gitlab:acme/deploy:scope=svc-ci.x"},
		{"gitlab:acme/deploy:protected=true:scope=prod", "gitlab:acme/deploy:protected=true:scope={user}", "gitlab:acme/deploy:protected=true:scope=svc-ci.x"},
		{"github:acme/deploy:names=K,S", "github:acme/deploy:env={user}:names=K,S", "github:acme/deploy:env=svc-ci.x:names=K,S"},
		{"github-org:acme", "github-org:acme:names=AWS_ACCESS_KEY_ID_{user},AWS_SECRET_ACCESS_KEY_{user}",
			"github-org:acme:names=AWS_ACCESS_KEY_ID_SVC_CI_X,AWS_SECRET_ACCESS_KEY_SVC_CI_X"},
		{"github-org:acme:visibility=all:names=K,S", "github-org:acme:visibility=all:names=K_{user},S_{user}",
			"github-org:acme:visibility=all:names=K_SVC_CI_X,S_SVC_CI_X"},
	} {
		if got := WithUser(tc.spec); got != tc.withUser {
			t.Errorf("WithUser(%q) = %q, want %q", tc.spec, got, tc.withUser)
		}
		if got := ExpandUser(tc.withUser, "svc-ci.x"); got != tc.expanded {
			t.Errorf("ExpandUser(%q) = %q, want %q", tc.withUser, got, tc.expanded)
		}
	}
	for spec, want := range map[string]bool{"gitlab:a/b": false, "gitlab:a/b:token=ssm:/t": true, "github:a/b:env=x:token=secretsmanager:t": true, "github-org:a": false} {
		if RunsInLambda(spec) != want {
			t.Errorf("RunsInLambda(%q) != %v", spec, want)
		}
	}
	if ci, ok := GitLabTarget("a/b:scope=x:token=ssm:/ci/t"); !ok || ci.TokenRef != "ssm:/ci/t" || ci.Opts["scope"] != "x" {
		t.Errorf("GitLabTarget with a token: %+v %v", ci, ok)
	}
	ci, ok := GitLabTarget("acme/deploy:names=K,S")
	if !ok || ci.IDName != "K" || ci.SecretName != "S" || ci.Opts["scope"] != "*" || ci.Opts["protected"] != "false" {
		t.Errorf("GitLabTarget: %+v %v", ci, ok)
	}
	if ci, _ := GitHubTarget("acme/deploy"); ci.IDName != DefaultIDName || ci.SecretName != DefaultSecretName {
		t.Errorf("GitHubTarget's default names: %+v", ci)
	}
	if ci, _ := GitHubOrgTarget("acme"); ci.Opts["visibility"] != "private" {
		t.Errorf("GitHubOrgTarget's default visibility: %+v", ci)
	}
}
