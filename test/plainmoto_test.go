package test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// These tests talk to moto itself, without the harness's front that gives moto's auth errors
// AWS's shape: what a user who points keywarden at moto sees. keywarden must tell the truth there.

func noUnknownError(t *testing.T, r result) {
	t.Helper()
	for _, bad := range []string{"UnknownError", "XML syntax", "StatusCode:", "RequestID"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr says %q:\n%s", bad, r.stderr)
		}
	}
}

func TestPlainMotoRejectedCredentialsExit5(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	id := mkUser(t, c, "alice", 1)[0]
	for _, args := range [][]string{{"whoami"}, {"audit", "--source", "api"}} {
		r := kw(t, moto(t).PlainConfig(id, "not-the-secret"), args...)
		if r.code != 5 || !strings.Contains(r.stderr, "AWS rejected the credentials") {
			t.Errorf("%s with a wrong secret: exit %d, want 5 and 'rejected':\n%s", args[0], r.code, r.stderr)
		}
		noUnknownError(t, r)
	}
}

func TestPlainMotoDenialNamesTheAction(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	mkUser(t, c, "nobody", 0)
	id, secret := mkKey(t, c, "nobody") // no policy at all
	r := kw(t, moto(t).PlainConfig(id, secret), "audit", "--source", "api")
	if r.code != 5 || !strings.Contains(r.stderr, "may not iam:ListUsers") || !strings.Contains(r.stderr, `"Action": "iam:ListUsers"`) {
		t.Errorf("audit without a policy: exit %d, want 5 naming iam:ListUsers with a granting policy:\n%s", r.code, r.stderr)
	}
	noUnknownError(t, r)
}

// rotate against plain moto: the deleted old key is refused at once, so rotation takes seconds
// (not the whole --wait) and says rejected.
func TestPlainMotoRotateSeesOldKeyRejected(t *testing.T) {
	_, oldID, oldSecret, credsPath := rotSetup(t)
	cfgFile := filepath.Join(filepath.Dir(credsPath), "config")
	r := kw(t, moto(t).PlainConfig("AKIANOTAKEYNOTAKEY00", "nope"),
		"rotate", "--profile", "dev", "--credentials-file", credsPath, "--config-file", cfgFile, "--wait", "20s", "-o", "json")
	if r.code != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"old_key": "rejected"`) {
		t.Errorf("old key not proven rejected:\n%s\n%s", r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "waiting for IAM to refuse") {
		t.Errorf("rotate waited on a key moto refused at once:\n%s", r.stderr)
	}
	noUnknownError(t, r)
	assertRotated(t, credsPath, oldID, oldSecret, "")
}

// An endpoint that is not AWS at all gets one sentence naming it and what came back.
func TestEndpointThatIsNotAWS(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
	}{
		{"a web page", 200, "text/html; charset=utf-8"},
		{"a proxy's error page", 502, "text/html"},
		{"plain text", 404, "text/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				w.Write([]byte("<!doctype html><html><body>It works!</body></html>"))
			}))
			defer web.Close()
			r := kw(t, emu.ConfigFor(web.URL, "AKIAEXAMPLEEXAMPLE00", "secret"), "whoami")
			want := "the endpoint " + web.URL + " answered sts:GetCallerIdentity with HTTP " + strconv.Itoa(tc.status)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, strings.Split(tc.ctype, ";")[0]) {
				t.Errorf("exit %d, want 1 and one line with %q:\n%s", r.code, want, r.stderr)
			}
			noUnknownError(t, r)
		})
	}
}

// The real binary, configured only by the environment as a user would, against plain moto.
func TestPlainMotoBinaryRejectedKey(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	id := mkUser(t, c, "alice", 1)[0]
	r := runBinary(t, moto(t).PlainEnv(id, "not-the-secret"), "whoami")
	if r.code != 5 || !strings.Contains(r.stdout+r.stderr, "AWS rejected the credentials (SignatureDoesNotMatch)") {
		t.Errorf("binary: exit %d, want 5 and SignatureDoesNotMatch:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
