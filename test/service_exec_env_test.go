package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An exec: destination cannot act as keywarden: the AWS CLI it runs, with keywarden's admin in
// a profile that AWS_PROFILE names in keywarden's environment, finds no credentials at all.
func TestServiceRotateExecChildFindsNoCredentials(t *testing.T) {
	svcSetup(t)
	w := witness(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[admin]\naws_access_key_id = "+w[0]+"\naws_secret_access_key = "+w[1]+"\n"), 0o600)
	var env []string
	for _, kv := range moto(t).Env(w[0], w[1]) {
		k, _, _ := strings.Cut(kv, "=")
		if k != "AWS_ACCESS_KEY_ID" && k != "AWS_SECRET_ACCESS_KEY" && k != "AWS_SHARED_CREDENTIALS_FILE" {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_PROFILE=admin", "AWS_SHARED_CREDENTIALS_FILE="+creds)

	got := filepath.Join(dir, "child")
	script := filepath.Join(dir, "deliver.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat >/dev/null\naws iam list-users >"+got+" 2>&1\necho \"exit=$?\" >>"+got+"\n"), 0o700)
	r := runBinary(t, env, "rotate", "--user", svcUser, "--grace", "0", "--to", "ssm:/ci/svc", "--to", "exec:"+script)
	if r.code != 0 {
		t.Fatalf("exit %d (keywarden itself signs through AWS_PROFILE)\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatalf("the program never ran: %v", err)
	}
	if !strings.Contains(string(b), "Unable to locate credentials") || strings.Contains(string(b), "exit=0") || strings.Contains(string(b), svcUser) {
		t.Fatalf("the child found credentials:\n%s", b)
	}
}
