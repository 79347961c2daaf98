package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/rotate"
)

// TestRotateRefusesProfiles: a profile keywarden cannot rotate, or a file it cannot read, is
// refused before any AWS call, naming the reason, and nothing changes.
func TestRotateRefusesProfiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		creds   string // appended to the credentials file
		config  string // the config file
		profile string
		broken  string // replaces the credentials file entirely
		code    int
		want    string
	}{
		{name: "session token", creds: "[tmp]\naws_access_key_id = ASIATMPTMPTMPTMPTMP0\naws_secret_access_key = s\naws_session_token = tok\n", profile: "tmp", code: 2, want: "temporary credentials (aws_session_token)"},
		{name: "credential_process", config: "[profile proc]\ncredential_process = /bin/creds\n", profile: "proc", code: 2, want: "uses credential_process"},
		{name: "sso", config: "[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 123456789012\nsso_role_name = Dev\n", profile: "sso", code: 2, want: "IAM Identity Center (SSO)"},
		{name: "role", config: "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = dev\n", profile: "role", code: 2, want: `rotate its source profile "dev" instead`},
		{name: "missing profile", profile: "nosuch", code: 2, want: `profile "nosuch" is in neither`},
		{name: "malformed file", broken: "[dev]\naws_access_key_id = AKIA\nthis line is secret-ish garbage\n", profile: "dev", code: 2, want: "line 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, oldID, oldSecret, credsPath := rotSetup(t)
			text, _ := os.ReadFile(credsPath)
			text = append(text, tc.creds...)
			if tc.broken != "" {
				text = []byte(tc.broken)
			}
			os.WriteFile(credsPath, text, 0o600)
			cfgPath := filepath.Join(filepath.Dir(credsPath), "config")
			os.WriteFile(cfgPath, []byte(tc.config), 0o600)
			p := moto(t).Proxy(t)
			r := kw(t, p.Config("unused", "unused"), "rotate", "--profile", tc.profile,
				"--credentials-file", credsPath, "--config-file", cfgPath)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", r.code, tc.code, tc.want, r.stderr)
			}
			if strings.Contains(r.stderr, "garbage") {
				t.Fatalf("the error echoes the file's content:\n%s", r.stderr)
			}
			if calls := p.Calls(); len(calls) != 0 {
				t.Fatalf("AWS was called: %v", calls)
			}
			assertUnchanged(t, credsPath, text, oldID, oldSecret)
			assertOnlyFiles(t, filepath.Dir(credsPath), "config", "credentials")
		})
	}
	t.Run("unreadable file", func(t *testing.T) {
		dir := t.TempDir() // a directory where the file should be: root can read any file
		r := kw(t, moto(t).Config("unused", "unused"), "rotate", "--credentials-file", dir, "--config-file", dir+"/none")
		if r.code == 0 || !strings.Contains(r.stderr, "read "+dir) {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
	})
	t.Run("no credentials file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials")
		r := kw(t, moto(t).Config("unused", "unused"), "rotate", "--credentials-file", path, "--config-file", path+".none")
		if r.code != 2 || !strings.Contains(r.stderr, path+" does not exist") {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(rotate.JournalPath(path)); !os.IsNotExist(err) {
			t.Fatalf("a journal was written: %v", err)
		}
	})
}

// TestRotateTwoKeyLimit: an inactive second key is deleted only with --make-room; an active one
// is never touched.
func TestRotateTwoKeyLimit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   iamtypes.StatusType
		makeRoom bool
		code     int
		want     string
	}{
		{"inactive without make-room", iamtypes.StatusTypeInactive, false, 4, "pass --make-room to delete it"},
		{"active with make-room", iamtypes.StatusTypeActive, true, 4, "never touches an active key"},
		{"inactive with make-room", iamtypes.StatusTypeInactive, true, 0, "made room: deleted the inactive key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			admin, oldID, oldSecret, credsPath := rotSetup(t)
			other, _ := mkKey(t, admin, rotUser)
			_, err := admin.UpdateAccessKey(context.Background(), &iam.UpdateAccessKeyInput{UserName: aws.String(rotUser), AccessKeyId: &other, Status: tc.status})
			if err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(credsPath)
			args := []string{}
			if tc.makeRoom {
				args = append(args, "--make-room")
			}
			r := rotKW(t, credsPath, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, other) {
				t.Fatalf("exit %d, want %d and %q about %s:\n%s", r.code, tc.code, tc.want, other, r.stderr)
			}
			if tc.code == 0 {
				assertRotated(t, credsPath, oldID, oldSecret, "")
				return
			}
			if got, _ := os.ReadFile(credsPath); string(got) != string(before) {
				t.Fatal("credentials file changed")
			}
			if ks := userKeys(t, rotUser); len(ks) != 2 || ks[other] != string(tc.status) || ks[oldID] != "Active" {
				t.Fatalf("IAM keys changed: %v", ks)
			}
		})
	}
}

// TestRotateLocked: a second rotate on the same file while one holds the lock refuses at once.
func TestRotateLocked(t *testing.T) {
	_, oldID, oldSecret, credsPath := rotSetup(t)
	before, _ := os.ReadFile(credsPath)
	f, err := os.OpenFile(rotate.LockPath(credsPath), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	r := rotKW(t, credsPath)
	if r.code != 4 || !strings.Contains(r.stderr, "another keywarden rotate is working on this credentials file") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	assertUnchanged(t, credsPath, before, oldID, oldSecret)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if r := rotKW(t, credsPath); r.code != 0 {
		t.Fatalf("after the lock is released: exit %d\n%s", r.code, r.stderr)
	}
}

// assertOnlyFiles fails unless dir holds exactly names: a refused rotation leaves no lock,
// journal or temporary file behind.
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("%s holds %v, want only %v", dir, got, names)
	}
}
