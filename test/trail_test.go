package test

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/trail"
	"github.com/keywarden/keywarden/test/emu"
)

// CloudTrail through the harness proxy, which records every request it answers: a key used by
// a Go program (the SDK) and by the AWS CLI is found with the right calls, refusals, source
// address and both user agents, over more than one page; the AWS CLI reads the same answer,
// so its shape is CloudTrail's as botocore knows it.
func TestTrailFindsWhatAKeyDidThroughTheSDKAndTheCLI(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	mkUser(t, c, "app", 0)
	id, secret := mkKey(t, c, "app")
	since := createdAt(t, c, "app", id) // moto's clock, which stamps the proxy's events too
	p := moto(t).Proxy(t)
	ctx := context.Background()

	cfg := p.Config(id, secret)
	st := sts.NewFromConfig(cfg)
	const stsCalls = 52 // more than one page of 50
	for range stsCalls {
		if _, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	cfg.RetryMaxAttempts = 1
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Fatal("a key with no policy listed the users")
	}
	env := p.Env(id, secret)
	awsCLIEnv(t, env, "sts", "get-caller-identity")
	cmd := exec.Command("aws", "iam", "list-access-keys")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "AccessDenied") {
		t.Fatalf("aws iam list-access-keys with no policy: %v\n%s", err, out)
	}

	w := witness(t)
	src := trail.NewSource(p.Config(w[0], w[1]), nil, nil)
	a, err := trail.Lookup(ctx, src, id, since, since.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// 55 events come in two pages of at most 50. The count includes retries: now and then the
	// SDK reads a 200's body on a connection closed under it and retries (seen here once in ten
	// runs; aws/aws-sdk-go-v2#1825), so it is a floor.
	if n := p.Count("LookupEvents"); n < 2 {
		t.Fatalf("%d LookupEvents calls, want 2 pages", n)
	}
	if a.From != trail.FromCloudTrail || a.Events != stsCalls+3 {
		t.Fatalf("activity: from %q, %d events, want %d\n%s", a.From, a.Events, stsCalls+3, trail.Summary(a))
	}
	calls := map[string]trail.Call{}
	for _, c := range a.Calls {
		calls[c.Source+" "+c.Name] = c
	}
	if c := calls["sts.amazonaws.com GetCallerIdentity"]; c.Count != stsCalls+1 || c.Errors != 0 {
		t.Fatalf("GetCallerIdentity: %+v", c)
	}
	for _, name := range []string{"iam.amazonaws.com ListUsers", "iam.amazonaws.com ListAccessKeys"} {
		if c := calls[name]; c.Count != 1 || len(c.ErrorCodes) != 1 || c.ErrorCodes[0] != "AccessDenied" {
			t.Fatalf("%s: %+v, want one refused call", name, c)
		}
	}
	var sdk, cli bool
	for _, c := range a.Consumers {
		if c.SourceIP != "127.0.0.1" {
			t.Fatalf("consumer from %q, want the loopback address the calls came from", c.SourceIP)
		}
		sdk = sdk || strings.Contains(c.UserAgent, "aws-sdk-go-v2/")
		cli = cli || strings.HasPrefix(c.UserAgent, "aws-cli/")
	}
	if !sdk || !cli {
		t.Fatalf("consumers %+v, want the SDK's and the CLI's user agents", a.Consumers)
	}
	if a.First.Before(since.Truncate(time.Second)) || a.Last.Before(a.First) {
		t.Fatalf("first %s, last %s, key created %s", a.First, a.Last, since)
	}

	// An admin's lookup through the AWS CLI: botocore reads the proxy's answer.
	out := awsCLIEnv(t, p.Env(w[0], w[1]), "cloudtrail", "lookup-events", "--max-items", "3",
		"--lookup-attributes", "AttributeKey=AccessKeyId,AttributeValue="+id)
	var doc struct {
		Events []struct{ AccessKeyId, CloudTrailEvent, EventName string }
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Events) != 3 || doc.Events[0].AccessKeyId != id || !strings.Contains(doc.Events[0].CloudTrailEvent, `"sourceIPAddress":"127.0.0.1"`) {
		t.Fatalf("aws cloudtrail lookup-events (%v):\n%s", err, out)
	}
}

// A key CloudTrail has no event of (its call went to moto directly, not through the proxy):
// Lookup falls back to IAM's last use and says so; a denied lookup is an error naming the call.
func TestTrailFallsBackToIAMWithoutCloudTrail(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	mkUser(t, c, "app", 0)
	id, secret := mkKey(t, c, "app")
	since := createdAt(t, c, "app", id)
	if _, err := sts.NewFromConfig(moto(t).Config(id, secret)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	p := moto(t).Proxy(t)
	w := witness(t)
	cfg := p.Config(w[0], w[1])
	src := trail.NewSource(cfg, nil, iam.NewFromConfig(cfg))
	a, err := trail.Lookup(context.Background(), src, id, since, since.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.From != trail.FromIAM || a.LastUsed == nil || a.LastUsed.Service != "sts" || !strings.Contains(trail.Summary(a), "IAM says it was last used") {
		t.Fatalf("activity %+v: %s", a, trail.Summary(a))
	}
	p.FailNext("LookupEvents", 10, emu.Denied)
	_, err = trail.Lookup(context.Background(), trail.NewSource(cfg, nil, nil), id, since, since.Add(time.Hour))
	if err == nil || errors.Unwrap(err) == nil || !strings.Contains(err.Error(), "cloudtrail:LookupEvents") {
		t.Fatalf("a denied lookup: %v", err)
	}
}
