package test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/keys"
)

// sampleConfig is the policy package's sample keywarden.yaml: curfew on access-key-user,
// hygiene (deactivate unused 45d, delete 30d after keywarden deactivated, report 90d) on all.
const sampleConfig = "../internal/policy/testdata/keywarden.yaml"

// run is how one in-process command is set up beyond kw's defaults.
type run struct {
	now   time.Time
	tty   bool   // stdin and stdout are a terminal, so apply may ask
	stdin string // what the person types
	noAWS bool   // the command must not load an AWS config at all
}

// kwRun is kw with a chosen clock, terminal and stdin.
func kwRun(t *testing.T, cfg aws.Config, o run, args ...string) result {
	t.Helper()
	if o.now.IsZero() {
		o.now = fixedNow
	}
	var out, errb bytes.Buffer
	d := &cli.Deps{
		Stdin: strings.NewReader(o.stdin), Stdout: &out, Stderr: &errb,
		Now:              func() time.Time { return o.now },
		Getenv:           func(string) string { return "" },
		StdinIsTerminal:  o.tty,
		StdoutIsTerminal: o.tty,
		LoadAWS: func(context.Context, awsconfig.Options) (aws.Config, error) {
			if o.noAWS {
				t.Errorf("keywarden %s loaded an AWS config; it should have stopped before", strings.Join(args, " "))
			}
			return cfg, nil
		},
	}
	code := cli.Run(context.Background(), d, args)
	r := result{code, out.String(), errb.String()}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Fatalf("keywarden panicked:\n%s", r.stderr)
	}
	return r
}

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keywarden.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// jobsWorld is the account the sample config is tested against.
type jobsWorld struct {
	curfewKey string // access-key-user's active key: curfew deactivates it
	oldKey    string // old's key, deactivated by keywarden 40 days ago: hygiene deletes it
	aliceKey  string // alice's fresh key: nothing happens to it
}

// mkJobsWorld creates the users with c. The provenance record on old is written with the SDK,
// dated 40 days before fixedNow, as a keywarden run then would have left it.
func mkJobsWorld(t *testing.T, c *iam.Client) jobsWorld {
	t.Helper()
	ctx := context.Background()
	w := jobsWorld{
		curfewKey: mkUser(t, c, "access-key-user", 1)[0],
		oldKey:    mkUser(t, c, "old", 1)[0],
		aliceKey:  mkUser(t, c, "alice", 1)[0],
	}
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("old"), AccessKeyId: &w.oldKey, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	rec := keys.Record{Action: keys.ActionDeactivated, Time: fixedNow.Add(-40 * 24 * time.Hour), Origin: "job:hygiene"}
	if _, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("old"), Tags: []iamtypes.Tag{{Key: aws.String(keys.TagKey(w.oldKey)), Value: aws.String(rec.String())}}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// snapshot is every key's status and every tag of the world's users, by the AWS CLI.
func (w jobsWorld) snapshot(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{
		"access-key-user " + w.curfewKey: statusByCLI(t, "access-key-user", w.curfewKey),
		"old " + w.oldKey:                statusByCLI(t, "old", w.oldKey),
		"alice " + w.aliceKey:            statusByCLI(t, "alice", w.aliceKey),
	}
	for _, u := range []string{"access-key-user", "old", "alice"} {
		for k, v := range tagsByCLI(t, u) {
			m["tag "+u+" "+k] = v
		}
	}
	return m
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// createdAt is when IAM says a key was created (moto uses the wall clock).
func createdAt(t *testing.T, c *iam.Client, user, id string) time.Time {
	t.Helper()
	o, err := c.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range o.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == id {
			return aws.ToTime(k.CreateDate)
		}
	}
	t.Fatalf("no key %s of %s", id, user)
	return time.Time{}
}
