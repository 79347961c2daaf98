package cli

import (
	"errors"
	"io"
	"testing"
)

// Exit codes follow types, never words: an error that only reads like one of cobra's is a
// failure (1), while cobra's own argument and command errors are typed bad input (2) where
// they are made.
func TestExitCodeFollowsTheTypeNotTheText(t *testing.T) {
	for _, msg := range []string{"unknown command \"x\"", "unknown flag: --x", "accepts 1 arg(s), received 2", "requires at least 1 arg(s)"} {
		if code := reportError(io.Discard, errors.New(msg)); code != exitError {
			t.Errorf("untyped %q: exit %d, want %d", msg, code, exitError)
		}
	}
	for _, args := range [][]string{{"deactivat"}, {"whoami", "extra"}, {"version", "--bogus"}} {
		if code, _, _ := runRoot(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
