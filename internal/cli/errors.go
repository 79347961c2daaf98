package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/inventory"
)

// codedError is an error worded for the user. Its code is the command's knowledge (bad input,
// a refusal, a silent exit) or 0, and then exitcode.Of finds it from cause.
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

func (e *codedError) CommandExitCode() int { return e.code }

func usageErr(err error) error { return &codedError{code: exitcode.Usage, msg: err.Error()} }

func usagef(format string, a ...any) error {
	return &codedError{code: exitcode.Usage, msg: fmt.Sprintf(format, a...)}
}

func refusedf(format string, a ...any) error {
	return &codedError{code: exitcode.Refused, msg: fmt.Sprintf(format, a...)}
}

// silentExit ends the command with a code after it has printed its own output.
func silentExit(code int) error { return &codedError{code: code} }

// awsErr words an AWS failure during what (e.g. "read the inventory"); its code is
// exitcode.Of's, from err.
func awsErr(what string, err error) error {
	var ce *codedError
	if errors.As(err, &ce) {
		return err
	}
	var uu *inventory.UnknownUserError
	var uk *inventory.UnknownKeyError
	if errors.As(err, &uu) || errors.As(err, &uk) {
		return &codedError{msg: err.Error(), cause: err}
	}
	return &codedError{msg: awserr.Message(what, err), detail: deniedPolicy(err), cause: err}
}

// deniedPolicy is the policy that grants what err was denied, or "" for any other failure.
func deniedPolicy(err error) string {
	if awserr.Classify(err) != awserr.AccessDenied {
		return ""
	}
	return awserr.PolicyFor(awserr.Denied(err))
}

// reportError prints err as keywarden's one sentence and returns its exit code (exitcode.Of).
func reportError(w io.Writer, err error) int {
	if err == nil {
		return exitcode.OK
	}
	msg, detail := err.Error(), ""
	var ce *codedError
	if errors.As(err, &ce) {
		msg, detail = ce.msg, ce.detail
	}
	if msg != "" {
		fmt.Fprintf(w, "keywarden: %s\n", msg)
	}
	if detail != "" {
		fmt.Fprintln(w, detail)
	}
	return exitcode.Of(err)
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
	return &codedError{code: exitcode.Usage, msg: oneLine(err.Error()), cause: err}
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
