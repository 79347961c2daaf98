package test

import (
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// A service key rotated into GitHub Actions secrets and Secrets Manager: both hold the same
// working key, and what GitHub holds (opened with the test server's private key, as a runner
// would see it) signs as the user. A repository that does not exist is refused before any key
// is made. Not parallel: keywarden reads GH_TOKEN from its process environment.
func TestServiceRotateIntoGitHubAndSecretsManager(t *testing.T) {
	takeLease(t)
	gh := emu.StartGitHub(t, "acme/deploy")
	t.Setenv("GH_TOKEN", gh.Token)
	t.Setenv("GITHUB_API_URL", gh.URL)
	_, oldID, _ := svcSetup(t)

	r := svcKW(t, "--to", "github:acme/nope", "--to", "secretsmanager:ci/svc-ci", "--grace", "0")
	if r.code != 2 || !strings.Contains(r.stderr, "the repository acme/nope does not exist or the token cannot see it (404)") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
		t.Fatalf("keys changed before the destination was checked: %v", k)
	}

	r = svcKW(t, "--to", "github:acme/deploy", "--to", "secretsmanager:ci/svc-ci", "--grace", "0")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc-ci", "AWSCURRENT")
	id, _ := gh.Secret("acme/deploy", "", "AWS_ACCESS_KEY_ID")
	secret, _ := gh.Secret("acme/deploy", "", "AWS_SECRET_ACCESS_KEY")
	if id != sec.AccessKeyId || secret != sec.SecretAccessKey || id == oldID {
		t.Fatalf("GitHub holds %s, AWSCURRENT %s (old %s)", id, sec.AccessKeyId, oldID)
	}
	signsAsUser(t, credJSON{Version: 1, AccessKeyId: id, SecretAccessKey: secret})
	noSecretIn(t, []string{secret}, r.stdout, r.stderr)
}

// Killed at each step of a rotation into github: and secretsmanager:, the same command
// finishes it: AWSCURRENT and the GitHub secrets (opened as a runner would see them) hold the
// same key, and it signs as the user. GitHub cannot be read back; Secrets Manager is what lets
// the rerun find the key again: the secret exists, so the new key is staged (AWSPENDING)
// before GitHub is written (a secret keywarden would create holds nothing until delivery, and
// a crash before it leaves a key only GitHub may hold, which the rerun refuses to guess).
func TestServiceRotateIntoGitHubCrashAtEachStep(t *testing.T) {
	parallel(t)
	crashIntoCI(t, []string{"before-create", "after-create", "after-stage", "after-verify",
		"before-deliver", "mid-deliver", "after-deliver", "after-delivered", "after-retire"}, true,
		func(t *testing.T) ciDest {
			gh := emu.StartGitHub(t, "acme/deploy")
			return ciDest{
				env: []string{"GH_TOKEN=" + gh.Token, "GITHUB_API_URL=" + gh.URL},
				to:  "github:acme/deploy",
				read: func() (string, string) {
					id, _ := gh.Secret("acme/deploy", "", "AWS_ACCESS_KEY_ID")
					secret, _ := gh.Secret("acme/deploy", "", "AWS_SECRET_ACCESS_KEY")
					return id, secret
				},
			}
		})
}
