// Package test holds keywarden's integration tests: the real commands against moto_server,
// started on a free loopback port by test/emu, with the AWS CLI as an independent witness.
package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/test/emu"
)

var moto *emu.Server

func TestMain(m *testing.M) {
	s, stop, err := emu.Launch()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	moto = s
	code := m.Run()
	stop()
	emu.RemoveBinary()
	os.Exit(code)
}

// fresh resets the shared moto and returns an admin IAM client (auth is off after a reset).
func fresh(t *testing.T) *iam.Client {
	t.Helper()
	moto.Reset(t)
	witness = [2]string{"AKIAADMINADMINADMIN0", "admin-secret"}
	return iam.NewFromConfig(admin())
}

// witness is the identity the AWS CLI uses to check what keywarden did.
var witness = [2]string{"AKIAADMINADMINADMIN0", "admin-secret"}

// enableAuth turns on moto's signature and policy checks and returns an admin IAM client;
// the witness switches to that admin too.
func enableAuth(t *testing.T) *iam.Client {
	t.Helper()
	a := moto.EnableAuth(t)
	witness = [2]string{a.AccessKeyID, a.SecretAccessKey}
	return iam.NewFromConfig(admin())
}

var fixedNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// kw runs one keywarden command line in-process, signed with cfg.
func kw(t *testing.T, cfg aws.Config, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	d := &cli.Deps{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now:    func() time.Time { return fixedNow },
		Getenv: func(string) string { return "" },
		LoadAWS: func(context.Context, awsconfig.Options) (aws.Config, error) {
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

func admin() aws.Config { return moto.Config(witness[0], witness[1]) }

func mkUser(t *testing.T, c *iam.Client, name string, nkeys int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range nkeys {
		o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(o.AccessKey.AccessKeyId))
	}
	return ids
}

func mkKey(t *testing.T, c *iam.Client, user string) (id, secret string) {
	t.Helper()
	o, err := c.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(o.AccessKey.AccessKeyId), aws.ToString(o.AccessKey.SecretAccessKey)
}

// awsCLI runs the AWS CLI against moto, as an independent witness of what keywarden did.
func awsCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	return awsCLIEnv(t, moto.Env(witness[0], witness[1]), args...)
}

func awsCLIEnv(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--output", "json"}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// statusByCLI asks the AWS CLI for the status of a user's key.
func statusByCLI(t *testing.T, user, keyID string) string {
	t.Helper()
	return keyStatusByCLI(t, moto.Env(witness[0], witness[1]), user, keyID)
}

func keyStatusByCLI(t *testing.T, env []string, user, keyID string) string {
	t.Helper()
	var o struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string }
	}
	if err := json.Unmarshal(awsCLIEnv(t, env, "iam", "list-access-keys", "--user-name", user), &o); err != nil {
		t.Fatal(err)
	}
	for _, k := range o.AccessKeyMetadata {
		if k.AccessKeyId == keyID {
			return k.Status
		}
	}
	return "absent"
}

// tagsByCLI returns a user's tags as the AWS CLI reports them.
func tagsByCLI(t *testing.T, user string) map[string]string {
	t.Helper()
	var o struct{ Tags []struct{ Key, Value string } }
	if err := json.Unmarshal(awsCLI(t, "iam", "list-user-tags", "--user-name", user), &o); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range o.Tags {
		m[tg.Key] = tg.Value
	}
	return m
}
