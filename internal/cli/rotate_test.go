package cli

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/exitcode"
)

func TestRotateFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want func(*rotateOptions) bool
	}{
		{"defaults", nil, 0, func(o *rotateOptions) bool {
			return o.Retire == "delete" && o.Wait == 2*time.Minute && !o.MakeRoom && o.Probe == "" && o.CredentialsFile == ""
		}},
		{"all flags", []string{"--credentials-file", "/c", "--retire", "deactivate", "--make-room", "--wait", "5m", "--probe", "aws s3 ls"}, 0, func(o *rotateOptions) bool {
			return o.CredentialsFile == "/c" && o.Retire == "deactivate" && o.MakeRoom && o.Wait == 5*time.Minute && o.Probe == "aws s3 ls"
		}},
		{"bad retire", []string{"--retire", "shred"}, 2, nil},
		{"zero wait", []string{"--wait", "0s"}, 2, nil},
		{"unterminated probe", []string{"--probe", "sh -c 'true"}, 2, nil},
		{"a request token", []string{"--client-request-token", "ci-run-4711"}, 0, func(o *rotateOptions) bool { return o.Token == "ci-run-4711" }},
		{"an empty request token", []string{"--client-request-token", ""}, 2, nil},
		{"a request token with a newline", []string{"--client-request-token", "a\nb"}, 2, nil},
		{"a request token for a service rotation", []string{"--user", "svc-ci", "--to", "ssm:/x", "--client-request-token", "job:x@2026-11-23T03:00:00Z"}, 0, func(o *rotateOptions) bool { return o.Token == "job:x@2026-11-23T03:00:00Z" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _, errb := testDeps()
			var got *rotateOptions
			cmd := newCmdRotate(d, &globalOptions{}, func(_ context.Context, o *rotateOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			code := reportError(errb, cmd.Execute())
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errb)
			}
			if tc.want != nil && (got == nil || !tc.want(got)) {
				t.Fatalf("options %+v", got)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"aws s3 ls", []string{"aws", "s3", "ls"}, false},
		{`sh -c 'aws s3 ls | head'`, []string{"sh", "-c", "aws s3 ls | head"}, false},
		{`echo "a b" c\ d ''`, []string{"echo", "a b", "c d", ""}, false},
		{"  spaced\tout  ", []string{"spaced", "out"}, false},
		{`echo "open`, nil, true},
		{`trailing\`, nil, true},
		{"   ", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := splitArgs(tc.in)
			if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("splitArgs(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func TestRotateHelpListsExitCodes(t *testing.T) {
	code, out, _ := runRoot(t, "rotate", "--help")
	if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "keywarden rotate --profile dev") {
		t.Fatalf("help:\n%s", out)
	}
}

// Exit 4 means an unsafe act a flag would allow; a profile with nothing of its own to rotate
// is bad input.
func TestRotateErrExitCodes(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"missing profile", &credfile.RefusalError{Profile: "nosuch", Kind: credfile.KindMissing}, exitcode.Usage},
		{"session token", fmt.Errorf("read profile: %w", &credfile.RefusalError{Profile: "tmp", Kind: credfile.KindTemporary}), exitcode.Usage},
		{"another user's key", &engine.RefusedError{Msg: "not a key of user x"}, exitcode.Refused},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := exitcode.Of(rotateErr(c.err)); got != c.want {
				t.Errorf("exit %d, want %d", got, c.want)
			}
		})
	}
}
