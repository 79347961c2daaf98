package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
)

// Exit codes, the same for every command and listed in each command's help.
const (
	exitOK       = 0
	exitError    = 1 // AWS or network failure, or some actions failed
	exitUsage    = 2 // bad flags, config, unknown user or key
	exitFindings = 3 // audit --fail-on-findings found something
	exitRefused  = 4 // an unsafe act was refused (self-lockout, a key of another user)
	exitAuth     = 5 // no credentials, rejected credentials, or access denied
	// exitChanges is plan --detailed-exitcode's "changes pending" (Terraform's 2); without
	// that flag no command returns it for anything but bad input.
	exitChanges = 2
)

const exitCodesHelp = `Exit codes:
  0  success (unchanged keys count as success)
  1  AWS or network failure, or some keys failed
  2  bad input: flags, config, unknown user or key, a profile with no key to rotate
  3  findings reported (audit --fail-on-findings)
  4  refused: an unsafe act needs an explicit flag
  5  no credentials, rejected credentials, or access denied`

// codedError carries an exit code and an already-worded message.
type codedError struct {
	code int
	msg  string
	// detail follows the message on its own lines (e.g. the policy that grants a denied action).
	detail string
	// cause is what was worded, for callers that list it (serve logs a config's problems).
	cause error
}

func (e *codedError) Error() string { return e.msg }

func (e *codedError) Unwrap() error { return e.cause }

func usageErr(err error) error { return &codedError{code: exitUsage, msg: err.Error()} }

func usagef(format string, a ...any) error {
	return &codedError{code: exitUsage, msg: fmt.Sprintf(format, a...)}
}

func refusedf(format string, a ...any) error {
	return &codedError{code: exitRefused, msg: fmt.Sprintf(format, a...)}
}

// silentExit ends the command with a code after it has printed its own output.
func silentExit(code int) error { return &codedError{code: code} }

// awsErr words an AWS failure during what (e.g. "read the inventory") and picks its exit code.
func awsErr(what string, err error) error {
	var ce *codedError
	if errors.As(err, &ce) {
		return err
	}
	var uu *inventory.UnknownUserError
	var uk *inventory.UnknownKeyError
	if errors.As(err, &uu) || errors.As(err, &uk) {
		return &codedError{code: exitUsage, msg: err.Error()}
	}
	e := &codedError{code: exitError, msg: awserr.Message(what, err)}
	switch awserr.Classify(err) {
	case awserr.AccessDenied:
		e.code = exitAuth
		e.detail = awserr.PolicyFor(awserr.Denied(err))
	case awserr.NoCredentials, awserr.BadCredentials:
		e.code = exitAuth
	}
	return e
}

// reportError prints err as keywarden's one sentence and returns the exit code.
func reportError(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ce *codedError
	if !errors.As(err, &ce) {
		ce = &codedError{code: exitError, msg: err.Error()}
	}
	if ce.msg != "" {
		fmt.Fprintf(w, "keywarden: %s\n", ce.msg)
	}
	if ce.detail != "" {
		fmt.Fprintln(w, ce.detail)
	}
	return ce.code
}

// oneLine folds cobra's "Did you mean this?" block into the sentence, so bad input stays one
// line: unknown command "deactivat" for "keywarden"; did you mean deactivate?
func oneLine(msg string) string {
	head, sugg, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return strings.TrimSpace(msg)
	}
	return head + "; did you mean " + strings.Join(strings.Fields(sugg), " or ") + "?"
}

// cobraUsage is one of cobra's own errors (an unknown command, a wrong number of arguments),
// typed as bad input where cobra makes it, since cobra gives it no type of its own.
func cobraUsage(err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: exitUsage, msg: oneLine(err.Error()), cause: err}
}

// flagError types pflag's errors (a bad value, an unknown flag) as bad input, in keywarden's
// words for a flag's value.
func flagError(_ *cobra.Command, err error) error { return usagef("%s", flagValueMessage(err.Error())) }

// typeCobraErrors wraps every command's argument check so that its errors are cobraUsage.
// (Flag errors are typed by the root's FlagErrorFunc; an unknown command by Run's Find.)
func typeCobraErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error { return cobraUsage(check(cmd, args)) }
	}
	for _, sub := range c.Commands() {
		typeCobraErrors(sub)
	}
}

// noArgs is cobra.NoArgs in keywarden's words: cobra's "unknown command "x" for "keywarden
// whoami"" reads as if whoami had subcommands.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usagef("%s takes no arguments, got %q; see '%s --help'", cmd.CommandPath(), args[0], cmd.CommandPath())
}
