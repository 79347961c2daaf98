package cli

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/exitcode"
)

// Exit codes follow types, never words: an error that only reads like one of cobra's is a
// failure (1), while cobra's own argument and command errors are typed bad input (2) where
// they are made.
func TestExitCodeFollowsTheTypeNotTheText(t *testing.T) {
	for _, msg := range []string{"unknown command \"x\"", "unknown flag: --x", "accepts 1 arg(s), received 2", "requires at least 1 arg(s)"} {
		if code := reportError(io.Discard, errors.New(msg)); code != exitcode.Error {
			t.Errorf("untyped %q: exit %d, want %d", msg, code, exitcode.Error)
		}
	}
	for _, args := range [][]string{{"deactivat"}, {"whoami", "extra"}, {"version", "--bogus"}} {
		if code, _, _ := runRoot(t, args...); code != exitcode.Usage {
			t.Errorf("%v: exit %d, want %d", args, code, exitcode.Usage)
		}
	}
}

// Each command's help lists the exit codes that command can return, not the whole table: a
// reader of whoami's help must not look for a "findings" code it never returns.
func TestHelpListsTheExitCodesOfItsCommandOnly(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"whoami", "--help"}, "0 1 2 5"},
		{[]string{"validate", "--help"}, "0 2"},
		{[]string{"audit", "--help"}, "0 1 2 3 5"},
		{[]string{"rotate", "--help"}, "0 1 2 4 5"},
		{[]string{"deactivate", "--help"}, "0 1 2 4 5"},
		{[]string{"template", "--help"}, "0 1 2"},
	}
	for _, c := range cases {
		code, out, _ := runRoot(t, c.args...)
		if code != exitcode.OK {
			t.Fatalf("%v: exit %d", c.args, code)
		}
		_, block, ok := strings.Cut(out, "Exit codes:\n")
		if !ok {
			t.Errorf("%v: no exit codes in the help:\n%s", c.args, out)
			continue
		}
		var codes []string
		for _, line := range strings.Split(block, "\n") {
			f := strings.Fields(line)
			if !strings.HasPrefix(line, "  ") || len(f) < 2 || len(f[0]) != 1 {
				break
			}
			codes = append(codes, f[0])
		}
		if got := strings.Join(codes, " "); got != c.want {
			t.Errorf("%v: help lists exit codes %q, want %q", c.args, got, c.want)
		}
	}
}
