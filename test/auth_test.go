package test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// userWithPolicy creates a user holding exactly one inline policy and returns its key.
func userWithPolicy(t *testing.T, c *iam.Client, name, policy string) (id, secret string) {
	t.Helper()
	mkUser(t, c, name, 0)
	if _, err := c.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String(name), PolicyName: aws.String("only"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	return mkKey(t, c, name)
}

const allowAllIAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}]}`

func TestSelfLockoutGuardWithRealSignedIdentity(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	id, secret := userWithPolicy(t, c, "alice", allowAllIAM)
	self := moto(t).Config(id, secret)

	r := kw(t, self, "deactivate", "--key", id)
	if r.code != 4 || !strings.Contains(r.stdout, id+" alice refused: keywarden is signed with this key") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if statusByCLI(t, "alice", id) != "Active" {
		t.Fatal("the guard let keywarden deactivate its own key")
	}
	r = kw(t, self, "deactivate", "--user", "alice", "--all")
	if r.code != 4 || statusByCLI(t, "alice", id) != "Active" {
		t.Fatalf("--all is not guarded: exit %d, %s", r.code, r.stdout)
	}

	r = kw(t, self, "deactivate", "--key", id, "--allow-self")
	if r.code != 0 || statusByCLI(t, "alice", id) != "Inactive" {
		t.Fatalf("--allow-self: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestAccessDeniedNamesTheActionAndChangesNothing(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	target := mkUser(t, c, "target", 1)[0]
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	id, secret := userWithPolicy(t, c, "reader", readOnly)

	r := kw(t, moto(t).Config(id, secret), "deactivate", "--key", target)
	if r.code != 5 {
		t.Fatalf("exit %d, want 5\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "access denied") || !strings.Contains(r.stderr, "iam:TagUser") ||
		!strings.Contains(r.stderr, `"Action": "iam:TagUser"`) {
		t.Fatalf("the message should name the missing action and print a policy granting it:\n%s", r.stderr)
	}
	if statusByCLI(t, "target", target) != "Active" || len(tagsByCLI(t, "target")) != 0 {
		t.Fatal("a denied run changed something")
	}
}

func TestRejectedAndMissingCredentials(t *testing.T) {
	fresh(t)
	enableAuth(t)
	r := kw(t, moto(t).Config("AKIAUNKNOWNUNKNOWN00", "nope"), "whoami")
	if r.code != 5 || !strings.Contains(r.stderr, "AWS rejected the credentials (InvalidClientTokenId)") {
		t.Fatalf("unknown key: exit %d, %q", r.code, r.stderr)
	}

	cfg := moto(t).Config("", "")
	cfg.Credentials = nil
	r = kw(t, cfg, "audit")
	if r.code != 5 || !strings.Contains(r.stderr, "no AWS credentials found") {
		t.Fatalf("no credentials: exit %d, %q", r.code, r.stderr)
	}
}

func TestNetworkFailureIsOneSentence(t *testing.T) {
	fresh(t)
	cfg := admin(t)
	cfg.BaseEndpoint = aws.String("http://127.0.0.1:1") // nothing listens on port 1
	r := kw(t, cfg, "audit")
	if r.code != 1 || !strings.Contains(r.stderr, "could not reach AWS") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
