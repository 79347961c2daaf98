package sink

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/keywarden/keywarden/internal/awsapi/secretsmanager"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	"github.com/keywarden/keywarden/test/emu"
)

func gitlab(t *testing.T, gl *emu.GitLab, spec string) *GitLab {
	t.Helper()
	d, err := Parse(spec, Env{User: "svc-ci", ExecEnv: []string{"GITLAB_TOKEN=" + gl.Token, "CI_SERVER_URL=https://wrong.example", "GITLAB_URL=" + gl.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*GitLab)
}

// The variables GitLab holds are the key, masked, in the scope and protection asked for, and
// a rerun finds the key by reading them back, also when a run stopped between the two writes.
func TestGitLabDeliversReadableVariables(t *testing.T) {
	gl := emu.StartGitLab(t, "acme/ci/deploy", "acme:group")
	ctx := context.Background()
	for _, tc := range []struct{ spec, path, scope, id, secret, want string }{
		{"gitlab:acme/ci/deploy", "acme/ci/deploy", "*", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "gitlab:acme/ci/deploy"},
		{"gitlab:acme:scope={user}:protected=true:names=KEY_{user},SECRET_{user}", "acme", "svc-ci", "KEY_SVC_CI", "SECRET_SVC_CI",
			"gitlab:acme:scope=svc-ci:protected=true:names=KEY_SVC_CI,SECRET_SVC_CI"},
	} {
		d := gitlab(t, gl, tc.spec)
		if d.String() != tc.want || !d.CanRecover() {
			t.Fatalf("%s: built %s, readable %v", tc.spec, d, d.CanRecover())
		}
		if err := d.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := d.Recover(ctx, key.AccessKeyID); ok || err != nil {
			t.Fatalf("%s: recovered from nothing: %v %v", tc.spec, ok, err)
		}
		for range 2 { // a rerun delivers again: nothing changes
			if err := d.Deliver(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
		id, ok1 := gl.Var(tc.path, tc.scope, tc.id)
		secret, ok2 := gl.Var(tc.path, tc.scope, tc.secret)
		if !ok1 || !ok2 || id.Value != key.AccessKeyID || secret.Value != key.SecretAccessKey || !id.Masked || !secret.Masked ||
			secret.Protected != strings.Contains(tc.spec, "protected=true") {
			t.Fatalf("%s: GitLab holds %+v, %+v", tc.spec, id, secret)
		}
		if got, ok, err := d.Recover(ctx, key.AccessKeyID); !ok || err != nil || got != key {
			t.Fatalf("%s: recovered %v %v %v", tc.spec, got, ok, err)
		}
	}
	if n := gl.Calls("POST variable"); n != 4 || gl.Calls("PUT variable") != 0 {
		t.Fatalf("a rerun wrote again: %d creates, %d updates", n, gl.Calls("PUT variable"))
	}

	// Cut between the two writes: the id still names the old key, the secret is the new one.
	d := gitlab(t, gl, "gitlab:acme/ci/deploy")
	next := Secret{AccessKeyID: "AKIAIOSFODNN7NEXTKEY", SecretAccessKey: "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"}
	if err := d.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.put(ctx, d.SecretName, next.SecretAccessKey, d.description(next.AccessKeyID)); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := d.Recover(ctx, next.AccessKeyID); !ok || err != nil || got != next {
		t.Fatalf("the secret written first is not found: %v %v", ok, err)
	}
	if err := d.Deliver(ctx, next); err != nil {
		t.Fatal(err)
	}
	if gl.Calls("PUT variable") != 2 {
		t.Fatalf("%d updates, want the secret and then the id", gl.Calls("PUT variable"))
	}
}

// GitLab's refusals are one sentence each, saying what to do, and come from Check, before any
// key is made.
func TestGitLabRefusalsAreOneSentence(t *testing.T) {
	ctx := context.Background()
	reset := time.Unix(1893456000, 0) // 2030-01-01T00:00:00Z
	for _, tc := range []struct {
		name, spec string
		set        func(*emu.GitLab)
		want       string
		refused    bool // exit 4 rather than bad input
	}{
		{"no project", "gitlab:acme/nope", nil, "there is no project or group acme/nope, or the token cannot see it (404)", false},
		{"bad token", "gitlab:acme/deploy", func(g *emu.GitLab) { g.Token = "other" }, "GitLab refused the token (401); set GITLAB_TOKEN", false},
		{"read_api only", "gitlab:acme/deploy", func(g *emu.GitLab) { g.Scopes = []string{"read_api"} }, "the token's scopes are read_api, without api", true},
		{"developer", "gitlab:acme/deploy", (*emu.GitLab).Developer, "the token may not read the variable AWS_SECRET_ACCESS_KEY (403); its user needs the Maintainer role on the project acme/deploy", true},
		{"rate limit", "gitlab:acme/deploy", func(g *emu.GitLab) { g.RateLimited(reset) }, "GitLab's rate limit is spent (429); run again after 00:00:00 UTC", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gl := emu.StartGitLab(t, "acme/deploy")
			d := gitlab(t, gl, tc.spec)
			if tc.set != nil {
				tc.set(gl)
			}
			err := d.Check(ctx)
			var re *RefusedError
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "; ") > 1 || strings.Contains(err.Error(), "\n") || errors.As(err, &re) != tc.refused {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// Variables that hold another IAM user's key are not overwritten with this user's.
func TestGitLabRefusesAnotherUsersVariables(t *testing.T) {
	gl := emu.StartGitLab(t, "acme/deploy")
	ctx := context.Background()
	other, _ := Parse("gitlab:acme/deploy", Env{User: "svc-other", ExecEnv: []string{"GITLAB_TOKEN=" + gl.Token, "GITLAB_URL=" + gl.URL}})
	if err := other.Deliver(ctx, key); err != nil {
		t.Fatal(err)
	}
	var re *RefusedError
	if err := gitlab(t, gl, "gitlab:acme/deploy").Check(ctx); !errors.As(err, &re) || !strings.Contains(err.Error(), "holds the key of IAM user svc-other, not svc-ci") {
		t.Fatalf("got %v", err)
	}
}

func TestGitLabWithoutATokenIsBadInput(t *testing.T) {
	d, err := Parse("gitlab:acme/deploy", Env{User: "svc-ci", ExecEnv: []string{"HOME=/x"}})
	if err != nil {
		t.Fatal(err)
	}
	var ie *InvalidError
	if err := d.Check(context.Background()); !errors.As(err, &ie) || !strings.Contains(err.Error(), "set GITLAB_TOKEN") || d.(*GitLab).URL != "https://gitlab.com" {
		t.Fatalf("got %v", err)
	}
}

// tokenStore holds tokens by name, as SSM parameters and Secrets Manager secrets.
type tokenStore struct {
	SSMAPI
	SecretsManagerAPI
	tokens map[string]string
	reads  int
}

func (s *tokenStore) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	s.reads++
	v, ok := s.tokens[aws.ToString(in.Name)]
	if !ok || !aws.ToBool(in.WithDecryption) {
		return nil, &ssm.ParameterNotFound{Message: aws.String("not found")}
	}
	return &ssm.GetParameterOutput{Parameter: &ssm.Parameter{Value: &v}}, nil
}

func (s *tokenStore) GetSecretValue(_ context.Context, in *sm.GetSecretValueInput, _ ...func(*sm.Options)) (*sm.GetSecretValueOutput, error) {
	s.reads++
	v, ok := s.tokens[aws.ToString(in.SecretId)]
	if !ok {
		return nil, &sm.ResourceNotFoundException{Message: aws.String("not found")}
	}
	return &sm.GetSecretValueOutput{SecretString: &v}, nil
}

// A token kept by reference is read once, with the run's AWS credentials, and never needs the
// environment: how the Lambda delivers to a CI system. One that is not there is one sentence.
func TestCITokenByReference(t *testing.T) {
	gl := emu.StartGitLab(t, "acme/deploy")
	gh := emu.StartGitHub(t, "acme/deploy")
	store := &tokenStore{tokens: map[string]string{"/ci/gitlab-token": gl.Token + "\n", "ci/gh": gh.Token}}
	e := Env{User: "svc-ci", SSM: store, SecretsManager: store, ExecEnv: []string{"GITLAB_TOKEN=wrong", "GITLAB_URL=" + gl.URL, "GH_TOKEN=wrong", "GITHUB_API_URL=" + gh.URL}}
	ctx := context.Background()
	for _, spec := range []string{"gitlab:acme/deploy:scope=prod:token=ssm:/ci/gitlab-token", "github:acme/deploy:token=secretsmanager:ci/gh"} {
		d, err := Parse(spec, e)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != spec {
			t.Fatalf("built %s from %s", d, spec)
		}
		if err := d.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if err := d.Deliver(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := gl.Var("acme/deploy", "prod", GitHubKeyIDName); v.Value != key.AccessKeyID || store.reads != 2 {
		t.Fatalf("GitLab holds %q after %d token reads", v.Value, store.reads)
	}
	if v, _ := gh.Secret("acme/deploy", "", GitHubKeyIDName); v != key.AccessKeyID {
		t.Fatalf("GitHub holds %q", v)
	}
	d, _ := Parse("gitlab:acme/deploy:token=ssm:/ci/nope", e)
	var de *Error
	if err := d.Check(ctx); !errors.As(err, &de) || !strings.Contains(err.Error(), "read the token from ssm:/ci/nope (ssm:GetParameter)") {
		t.Fatalf("got %v", err)
	}
}

// A value GitLab refuses as invalid (400) is refused in one sentence that does not quote it:
// GitLab's own message may.
func TestGitLabRefusedValueIsNotInTheError(t *testing.T) {
	gl := emu.StartGitLab(t, "acme/deploy")
	d := gitlab(t, gl, "gitlab:acme/deploy")
	secret := "not#maskable!secret"
	err := d.Deliver(context.Background(), Secret{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: secret})
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "GitLab refused to create the variable AWS_SECRET_ACCESS_KEY as invalid (400)") ||
		strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
	if _, ok := gl.Var("acme/deploy", "*", d.SecretName); ok {
		t.Fatal("the refused variable was written")
	}
}
