package test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/test/emu"
)

// A service key rotated into GitLab CI/CD variables and Secrets Manager: both hold the same
// working key, masked in GitLab. A token GitLab refuses, one without the api scope, a
// project that does not exist and a spent rate limit are each one sentence, with their exit
// code, before any key is made. Not parallel: keywarden reads GITLAB_TOKEN from its process
// environment.
func TestServiceRotateIntoGitLabAndSecretsManager(t *testing.T) {
	takeLease(t)
	gl := emu.StartGitLab(t, "acme/ci/deploy")
	t.Setenv("GITLAB_TOKEN", gl.Token)
	t.Setenv("GITLAB_URL", gl.URL)
	_, oldID, _ := svcSetup(t)

	token := gl.Token
	for _, tc := range []struct {
		name, to string
		set      func()
		code     int
		want     string
	}{
		{"no project", "gitlab:acme/nope", nil, 2, "there is no project or group acme/nope, or the token cannot see it (404)"},
		{"bad token", "gitlab:acme/ci/deploy", func() { gl.Token = "revoked" }, 2, "GitLab refused the token (401); set GITLAB_TOKEN to a valid, unexpired access token"},
		{"read_api", "gitlab:acme/ci/deploy", func() { gl.Scopes = []string{"read_api"} }, 4, "the token's scopes are read_api, without api"},
		{"rate limit", "gitlab:acme/ci/deploy", func() { gl.RateLimited(time.Unix(1893456000, 0)) }, 1, "GitLab's rate limit is spent (429); run again after 00:00:00 UTC"},
	} {
		gl.Token, gl.Scopes = token, []string{"api"}
		if tc.set != nil {
			tc.set()
		}
		r := svcKW(t, "--to", tc.to, "--to", "secretsmanager:ci/svc-ci", "--grace", "0")
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("%s: exit %d, want %d and %q\n%s", tc.name, r.code, tc.code, tc.want, r.stderr)
		}
		if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
			t.Fatalf("%s: keys changed before the destination was checked: %v", tc.name, k)
		}
	}
	gl.Token, gl.Scopes = token, []string{"api"}

	r := svcKW(t, "--to", "gitlab:acme/ci/deploy:scope=production", "--to", "secretsmanager:ci/svc-ci", "--grace", "0")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc-ci", "AWSCURRENT")
	id, _ := gl.Var("acme/ci/deploy", "production", "AWS_ACCESS_KEY_ID")
	secret, _ := gl.Var("acme/ci/deploy", "production", "AWS_SECRET_ACCESS_KEY")
	if id.Value != sec.AccessKeyId || secret.Value != sec.SecretAccessKey || id.Value == oldID || !secret.Masked {
		t.Fatalf("GitLab holds %s (masked %v), AWSCURRENT %s (old %s)", id.Value, secret.Masked, sec.AccessKeyId, oldID)
	}
	signsAsUser(t, credJSON{Version: 1, AccessKeyId: id.Value, SecretAccessKey: secret.Value})
	noSecretIn(t, []string{secret.Value}, r.stdout, r.stderr)
}

// Killed at a few steps of a rotation into gitlab: and a secretsmanager: secret that does not
// exist yet, the same command finishes it. Nothing stages the key there, so after the first
// delivery (GitLab, readable, goes first) the rerun finds the secret by reading GitLab's
// variables back.
func TestServiceRotateIntoGitLabCrash(t *testing.T) {
	parallel(t)
	crashIntoCI(t, []string{"after-verify", "mid-deliver", "after-deliver"}, false, func(t *testing.T) ciDest {
		gl := emu.StartGitLab(t, "acme/deploy")
		return ciDest{
			env:      []string{"GITLAB_TOKEN=" + gl.Token, "GITLAB_URL=" + gl.URL},
			to:       "gitlab:acme/deploy",
			recovers: []string{"mid-deliver"},
			read: func() (string, string) {
				id, _ := gl.Var("acme/deploy", "*", "AWS_ACCESS_KEY_ID")
				secret, _ := gl.Var("acme/deploy", "*", "AWS_SECRET_ACCESS_KEY")
				return id.Value, secret.Value
			},
		}
	})
}

// The Lambda function rotates into gitlab: with the token kept in SSM by reference: read with
// the function's own credentials, never in its configuration or environment. GitLab and
// Secrets Manager then hold the same working key.
func TestLambdaRotatesIntoGitLabWithATokenByReference(t *testing.T) {
	gl := emu.StartGitLab(t, "acme/deploy")
	c, oldID, _ := svcSetup(t)
	awsCLI(t, "ssm", "put-parameter", "--name", "/ci/gitlab-token", "--type", "SecureString", "--value", gl.Token)
	fired := createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour).Truncate(time.Second)
	yaml := "jobs:\n  rotate-ci:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: {older_than: 80d, grace: 0s, to: [\"gitlab:acme/deploy:scope={user}:token=ssm:/ci/gitlab-token\", \"secretsmanager:ci/{user}\"]}\n"
	h, log := lambdaHandler(t, map[string]string{contract.EnvConfig: yaml, "GITLAB_URL": gl.URL, "GITLAB_TOKEN": "not-this-one"})
	h.Sleep = cli.Sleep // the deployed function's sleeper (cmd/keywarden hands lambda.Main the same)
	h.Now = func() time.Time { return fired }
	r, err := h.Handle(context.Background(), []byte(`{"job":"rotate-ci","time":"`+fired.UTC().Format(time.RFC3339)+`"}`))
	if err != nil || r.Changed != 1 {
		t.Fatalf("%+v, %v\n%s", r, err, log)
	}
	sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT")
	id, _ := gl.Var("acme/deploy", svcUser, "AWS_ACCESS_KEY_ID")
	secret, _ := gl.Var("acme/deploy", svcUser, "AWS_SECRET_ACCESS_KEY")
	if id.Value != sec.AccessKeyId || secret.Value != sec.SecretAccessKey || id.Value == oldID {
		t.Fatalf("GitLab holds %s, AWSCURRENT %s (old %s)", id.Value, sec.AccessKeyId, oldID)
	}
	signsAsUser(t, credJSON{Version: 1, AccessKeyId: id.Value, SecretAccessKey: secret.Value})
	noSecretIn(t, []string{secret.Value, gl.Token}, log.String())
}
