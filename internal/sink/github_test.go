package sink

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/test/emu"
)

func github(t *testing.T, gh *emu.GitHub, spec string) *GitHub {
	t.Helper()
	d, err := Parse(spec, Env{User: "svc-ci", ExecEnv: []string{"GH_TOKEN=" + gh.Token, "GITHUB_API_URL=" + gh.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*GitHub)
}

// The values GitHub holds are what keywarden sealed: the test server opens each sealed box
// with the private key of the public key it published.
func TestGitHubDeliversSealedSecrets(t *testing.T) {
	gh := emu.StartGitHub(t, "acme/deploy", "acme/deploy:svc-ci")
	ctx := context.Background()
	for _, tc := range []struct{ spec, env, want string }{
		{"github:acme/deploy", "", "github:acme/deploy"},
		{"github:acme/deploy:env={user}", "svc-ci", "github:acme/deploy:env=svc-ci"},
	} {
		d := github(t, gh, tc.spec)
		if d.String() != tc.want || d.CanRecover() {
			t.Fatalf("%s: built %s, readable %v", tc.spec, d, d.CanRecover())
		}
		if err := d.Check(ctx); err != nil {
			t.Fatal(err)
		}
		for range 2 { // a rerun delivers again: the same values
			if err := d.Deliver(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
		id, ok1 := gh.Secret("acme/deploy", tc.env, GitHubKeyIDName)
		secret, ok2 := gh.Secret("acme/deploy", tc.env, GitHubSecretName)
		if !ok1 || !ok2 || id != key.AccessKeyID || secret != key.SecretAccessKey {
			t.Fatalf("%s: GitHub holds %q, %q", tc.spec, id, secret)
		}
	}
	if gh.Calls("GET secret") != 8 {
		t.Fatalf("each write verified by reading its metadata back: %d reads", gh.Calls("GET secret"))
	}
}

// GitHub's refusals are one sentence each, saying what to do; those Check can see come before
// any key is made.
func TestGitHubRefusalsAreOneSentence(t *testing.T) {
	ctx := context.Background()
	reset := time.Unix(1893456000, 0) // 2030-01-01T00:00:00Z
	for _, tc := range []struct {
		name, spec string
		set        func(*emu.GitHub)
		deliver    bool // refused only by the write
		want       string
	}{
		{"no repository", "github:acme/nope", nil, false, "the repository acme/nope does not exist or the token cannot see it (404)"},
		{"no environment", "github:acme/deploy:env=prod", nil, false, "the environment prod of repository acme/deploy does not exist"},
		{"bad token", "github:acme/deploy", func(g *emu.GitHub) { g.Token = "other" }, false, "GitHub refused the token (401)"},
		{"rate limit", "github:acme/deploy", func(g *emu.GitHub) { g.RateLimited(reset) }, false, "rate limit for this token is spent until 00:00:00 UTC; run again after it"},
		{"no write permission", "github:acme/deploy", (*emu.GitHub).ReadOnly, true, "the token may not write the secret AWS_ACCESS_KEY_ID (403); give it Secrets read and write on acme/deploy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gh := emu.StartGitHub(t, "acme/deploy")
			d := github(t, gh, tc.spec)
			if tc.set != nil {
				tc.set(gh)
			}
			err := d.Check(ctx)
			if tc.deliver {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				err = d.Deliver(ctx, key)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "; ") > 1 || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
			if _, set := gh.Secret("acme/deploy", "", GitHubKeyIDName); set {
				t.Fatal("a secret was written")
			}
		})
	}
}

func TestGitHubWithoutATokenIsBadInput(t *testing.T) {
	d, err := Parse("github:acme/deploy", Env{User: "svc-ci", ExecEnv: []string{"HOME=/x"}})
	if err != nil {
		t.Fatal(err)
	}
	var ie *InvalidError
	if err := d.Check(context.Background()); !errors.As(err, &ie) || !strings.Contains(err.Error(), "set GH_TOKEN or GITHUB_TOKEN") {
		t.Fatalf("got %v", err)
	}
}

// An organization's secrets are written as a repository's are, with the visibility asked for
// on every write, and under the names given.
func TestGitHubOrgDeliversSealedSecrets(t *testing.T) {
	gh := emu.StartGitHub(t, "acme")
	ctx := context.Background()
	d := github(t, gh, "github-org:acme:visibility=selected:names=AWS_ACCESS_KEY_ID_{user},AWS_SECRET_ACCESS_KEY_{user}")
	if d.String() != "github-org:acme:visibility=selected:names=AWS_ACCESS_KEY_ID_SVC_CI,AWS_SECRET_ACCESS_KEY_SVC_CI" || d.CanRecover() {
		t.Fatalf("built %s", d)
	}
	if err := d.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, key); err != nil {
		t.Fatal(err)
	}
	id, _ := gh.Secret("acme", "", "AWS_ACCESS_KEY_ID_SVC_CI")
	secret, _ := gh.Secret("acme", "", "AWS_SECRET_ACCESS_KEY_SVC_CI")
	if id != key.AccessKeyID || secret != key.SecretAccessKey || gh.Visibility("acme", "AWS_ACCESS_KEY_ID_SVC_CI") != "selected" {
		t.Fatalf("GitHub holds %q, %q, visibility %q", id, secret, gh.Visibility("acme", "AWS_ACCESS_KEY_ID_SVC_CI"))
	}
	if _, set := gh.Secret("acme", "", GitHubKeyIDName); set {
		t.Fatal("the default name was written too")
	}

	// Without visibility=, the secrets are the organization's private repositories'.
	d = github(t, gh, "github-org:acme")
	if err := d.Deliver(ctx, key); err != nil || gh.Visibility("acme", GitHubKeyIDName) != "private" || d.String() != "github-org:acme" {
		t.Fatalf("%s: %v, visibility %q", d, err, gh.Visibility("acme", GitHubKeyIDName))
	}
	for _, tc := range []struct{ spec, want string }{
		{"github-org:nope", "the organization nope does not exist or the token cannot see it (404)"},
		{"github-org:acme/deploy", "want github-org:ORG"},
	} {
		d, err := Parse(tc.spec, Env{User: "svc-ci", ExecEnv: []string{"GH_TOKEN=" + gh.Token, "GITHUB_API_URL=" + gh.URL}})
		if err == nil {
			err = d.Check(ctx)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: got %v, want %s", tc.spec, err, tc.want)
		}
	}
	gh.ReadOnly()
	var re *RefusedError
	if err := d.Deliver(ctx, key); !errors.As(err, &re) || !strings.Contains(err.Error(), "give it the organization permission Secrets read and write on acme (a classic token: the admin:org scope)") {
		t.Fatalf("got %v", err)
	}
}

// A run reads GitHub's public key once, in Check, and seals to it in Deliver; a key GitHub
// replaced in between still gets the values delivered, sealed to the new one.
func TestGitHubReadsThePublicKeyOncePerRun(t *testing.T) {
	ctx := context.Background()
	key := Secret{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s3cr3t"}
	for _, rotated := range []bool{false, true} {
		gh := emu.StartGitHub(t, "acme/deploy")
		d := github(t, gh, "github:acme/deploy")
		if err := d.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if rotated {
			gh.RotateKey(t)
		}
		if err := d.Deliver(ctx, key); err != nil {
			t.Fatalf("rotated %v: %v", rotated, err)
		}
		if secret, _ := gh.Secret("acme/deploy", "", GitHubSecretName); secret != key.SecretAccessKey {
			t.Fatalf("rotated %v: GitHub holds %q", rotated, secret)
		}
		want := 1
		if rotated {
			want = 2
		}
		if n := gh.Calls("GET public-key"); n != want {
			t.Fatalf("rotated %v: the public key read %d times, want %d", rotated, n, want)
		}
	}
}
