package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var key = Secret{AccessKeyID: "AKIAEXAMPLEEXAMPLE01", SecretAccessKey: "s3cr3t/value+x"}

func TestSecretJSONIsCredentialProcessShapeAndNeverPrinted(t *testing.T) {
	if got := string(key.JSON()); got != `{"Version":1,"AccessKeyId":"AKIAEXAMPLEEXAMPLE01","SecretAccessKey":"s3cr3t/value+x"}` {
		t.Fatalf("JSON %s", got)
	}
	var b bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		b.Reset()
		_, _ = b.WriteString(strings.TrimSpace(fmt.Sprintf(f, key)))
		if strings.Contains(b.String(), key.SecretAccessKey) {
			t.Fatalf("%s shows the secret: %s", f, b.String())
		}
	}
	if s, ok := parse(key.JSON(), key.AccessKeyID); !ok || s != key {
		t.Fatalf("parse: %v %v", s, ok)
	}
	if _, ok := parse(key.JSON(), "AKIAOTHER"); ok {
		t.Fatal("parse accepted another key's value")
	}
}

func TestParseSpecs(t *testing.T) {
	split := func(s string) ([]string, error) { return strings.Fields(s), nil }
	e := Env{User: "svc-ci", CredentialsFile: "/home/x/.aws/credentials", Split: split}
	for spec, want := range map[string]string{
		"secretsmanager:ci/{user}": "secretsmanager:ci/svc-ci",
		"ssm:/ci/svc":              "ssm:/ci/svc",
		"profile:ci":               "profile:ci@/home/x/.aws/credentials",
		"profile:ci@/tmp/c":        "profile:ci@/tmp/c",
		"exec:gh secret set K":     "exec:gh secret set K",
	} {
		s, err := Parse(spec, e)
		if err != nil || s.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", spec, s, err, want)
		}
	}
	for _, bad := range []string{"vault:x", "secretsmanager:", "ci/svc", "profile:@/tmp/c"} {
		if _, err := Parse(bad, e); err == nil {
			t.Errorf("Parse(%q) accepted a bad spec", bad)
		}
	}
}

func TestProfileDeliversAndRecovers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(path, []byte("# keep me\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER0\naws_secret_access_key = o\n"), 0o600)
	d := &Profile{Name: "ci", File: path}
	ctx := context.Background()
	if _, ok, _ := d.Recover(ctx, key.AccessKeyID); ok {
		t.Fatal("recovered a key never delivered")
	}
	if err := d.Deliver(ctx, key); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "# keep me") || !strings.Contains(string(b), "AKIAOTHEROTHEROTHER0") {
		t.Fatalf("other content lost:\n%s", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	if s, ok, err := d.Recover(ctx, key.AccessKeyID); err != nil || !ok || s != key {
		t.Fatalf("recover: %v %v %v", s, ok, err)
	}
}

func TestExecGetsTheKeyOnStdinOnly(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "got")
	script := filepath.Join(dir, "deliver.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > "+out+"\nenv >> "+out+".env\necho \"$@\" >> "+out+".argv\n"), 0o700)
	var log bytes.Buffer
	d := &Exec{Argv: []string{script, "--name", "CI_KEY"}, Env: []string{"PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=AKIAADMIN", "AWS_SECRET_ACCESS_KEY=admin-secret"}, Out: &log}
	if err := d.Deliver(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if strings.TrimSpace(string(got)) != string(key.JSON()) {
		t.Fatalf("stdin %q", got)
	}
	env, _ := os.ReadFile(out + ".env")
	argv, _ := os.ReadFile(out + ".argv")
	for _, s := range []string{key.SecretAccessKey, "admin-secret", "AKIAADMIN"} {
		if strings.Contains(string(env)+string(argv), s) {
			t.Fatalf("%q reached the program's env or argv", s)
		}
	}
	// A program that echoes what it was given (or logs it as it fails) prints no secret through us.
	log.Reset()
	echo := &Exec{Argv: []string{"sh", "-c", "cat; cat >&2 </dev/null; exit 3"}, Env: []string{"PATH=/usr/bin:/bin"}, Out: &log}
	if err := echo.Deliver(context.Background(), key); err == nil {
		t.Fatal("exit 3 counted as delivered")
	}
	if strings.Contains(log.String(), key.SecretAccessKey) || !strings.Contains(log.String(), key.AccessKeyID) || !strings.Contains(log.String(), "[secret]") {
		t.Fatalf("an echoing program's output reached stderr as %q", log.String())
	}
	fail := &Exec{Argv: []string{"false"}, Env: []string{"PATH=/usr/bin:/bin"}}
	if err := fail.Deliver(context.Background(), key); err == nil || strings.Contains(err.Error(), key.SecretAccessKey) {
		t.Fatalf("a failing program: %v", err)
	}
}

// A local destination that cannot work is refused by Check, before any key is made.
func TestCheckRefusesLocalDestinationsThatCannotWork(t *testing.T) {
	dir := t.TempDir()
	garbled := filepath.Join(dir, "garbled")
	if err := os.WriteFile(garbled, []byte("[ci\naws_access_key_id = x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    Sink
		want string // "" for accepted
	}{
		{"a program on PATH", &Exec{Argv: []string{"true"}}, ""},
		{"a program that is not there", &Exec{Argv: []string{"/no/such/prog", "{user}"}}, "exec:/no/such/prog {user}: cannot run /no/such/prog"},
		{"a program not on PATH", &Exec{Argv: []string{"no-such-keywarden-push"}}, "cannot run no-such-keywarden-push"},
		{"a new file in a directory that exists", &Profile{Name: "ci", File: filepath.Join(dir, "credentials")}, ""},
		{"a new file in a directory that does not", &Profile{Name: "ci", File: filepath.Join(dir, "nope", "credentials")}, "the directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"a file keywarden cannot parse", &Profile{Name: "ci", File: garbled}, "profile:ci@" + garbled + ": "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Check(context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an InvalidError saying %q", err, tc.want)
			}
		})
	}
}

func TestWithoutCredentialsLeavesNothingThatLocatesCredentials(t *testing.T) {
	env := []string{"PATH=/bin", "AWS_REGION=eu-west-1", "AWS_ENDPOINT_URL=http://x", "AWS_PROFILE=admin",
		"AWS_DEFAULT_PROFILE=admin", "AWS_SHARED_CREDENTIALS_FILE=/h/.aws/credentials", "AWS_CONFIG_FILE=/h/.aws/config",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_ROLE_SESSION_NAME=s",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1", "AWS_CONTAINER_AUTHORIZATION_TOKEN=x",
		"AWS_SESSION_TOKEN=x", "AWS_SECURITY_TOKEN=x", "AWS_ACCESS_KEY_ID=AKIA", "AWS_ACCESS_KEY=AKIA",
		"AWS_SECRET_ACCESS_KEY=s", "AWS_SECRET_KEY=s", "AWS_CREDENTIAL_EXPIRATION=x", "AWS_EC2_METADATA_DISABLED=false",
		"KEYWARDEN_FAILPOINT=after-create", "EXTRA=1"}
	got := map[string]string{}
	for _, kv := range WithoutCredentials(env, "EXTRA") {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := got[k]; dup {
			t.Fatalf("%s twice", k)
		}
		got[k] = v
	}
	want := map[string]string{"PATH": "/bin", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://x",
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_CONFIG_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}
