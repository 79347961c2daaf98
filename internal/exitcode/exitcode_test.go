package exitcode

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/sink"
)

type coded struct {
	code  int
	cause error
}

func (c *coded) Error() string        { return "coded" }
func (c *coded) Unwrap() error        { return c.cause }
func (c *coded) CommandExitCode() int { return c.code }
func wrap(err error) error            { return fmt.Errorf("step: %w", err) }
func denied() error                   { return &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"} }
func throttled() error                { return &smithy.GenericAPIError{Code: "Throttling", Message: "slow"} }
func unknownUser() error              { return &inventory.UnknownUserError{Name: "dev"} }
func refusedSelf() error              { return &engine.RefusedError{Msg: "a key of another user"} }

// exitStatus is the *exec.ExitError of a program that exits with code.
func exitStatus(code int) error {
	return exec.Command("sh", "-c", fmt.Sprintf("exit %d", code)).Run()
}

func TestOfMapsEachKindOfErrorToItsCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"no error", nil, OK},
		{"a code the chain carries wins", &coded{code: Findings, cause: denied()}, Findings},
		{"a carrier without a code looks at its cause", &coded{cause: denied()}, Auth},
		{"a carrier deeper in the chain", wrap(&coded{code: Usage}), Usage},
		{"self-rotation refused", wrap(refusedSelf()), Refused},
		{"service rotation refused", &engine.RefusedError{Msg: "in use"}, Refused},
		{"a destination refused", wrap(&sink.RefusedError{Msg: "not ours"}), Refused},
		{"a destination that does not parse", &sink.InvalidError{Msg: "bad"}, Usage},
		{"an unknown user", wrap(unknownUser()), Usage},
		{"an unknown key", &inventory.UnknownKeyError{KeyID: "AKIA"}, Usage},
		{"a key of another user than named", &inventory.NotTheirKeyError{KeyID: "AKIA", Owner: "alice", Users: []string{"bob"}}, Usage},
		{"a profile with no key of its own", &credfile.RefusalError{Profile: "sso"}, Usage},
		{"a malformed credentials file", wrap(&credfile.ParseError{Line: 3}), Usage},
		{"a missing credentials file", &credfile.NotFoundError{Path: "/x"}, Usage},
		{"access denied", wrap(denied()), Auth},
		{"throttled to the end", wrap(throttled()), Error},
		{"anything else", errors.New("boom"), Error},
		{"a program's exit status is not keywarden's", wrap(exitStatus(3)), Error},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestHelpListsOnlyTheCodesGiven(t *testing.T) {
	got := Help(Auth, OK, Usage, OK)
	want := "Exit codes:\n  0  " + meaning[OK] + "\n  2  " + meaning[Usage] + "\n  5  " + meaning[Auth]
	if got != want {
		t.Errorf("Help =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "findings") {
		t.Errorf("Help lists a code it was not given:\n%s", got)
	}
}
