// Package exitcode is keywarden's one map from an error to the process's exit code, and the
// words each command's help uses for the codes it can return. Commands word their errors;
// they never pick a code by looking at an error's type: Of does.
package exitcode

import (
	"errors"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/sink"
)

// The codes, the same for every command (docs/credentials.md lists them).
const (
	OK       = 0
	Error    = 1 // AWS or network failure, or some actions failed
	Usage    = 2 // bad flags, config, unknown user or key
	Findings = 3 // audit --fail-on-findings found something
	Refused  = 4 // an unsafe act was refused (self-lockout, a key of another user)
	Auth     = 5 // no credentials, rejected credentials, or access denied
	// Changes is plan --detailed-exitcode's "changes pending" (Terraform's 2); without that
	// flag no command returns it for anything but bad input.
	Changes = 2
)

// Coder is an error that carries its code because the code is the caller's knowledge, not
// the error's type: bad flags, a refusal worded by a command, a silent exit. 0 means "no
// code of its own": Of looks further down the chain. (Not ExitCode: a program's exit status,
// exec.ExitError's ExitCode, is not keywarden's.)
type Coder interface{ CommandExitCode() int }

// Of is the exit code of err: a code the chain carries (Coder), else the code of the first
// kind in the chain it knows: an unsafe act refused, bad input, a credentials failure; any
// other failure is 1.
func Of(err error) int {
	switch {
	case err == nil:
		return OK
	case carried(err) != OK:
		return carried(err)
	case refused(err):
		return Refused
	case badInput(err):
		return Usage
	}
	switch awserr.Classify(err) {
	case awserr.AccessDenied, awserr.NoCredentials, awserr.BadCredentials:
		return Auth
	}
	return Error
}

// carried is the first non-zero code a Coder in the chain carries.
func carried(err error) int {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if c, ok := e.(Coder); ok && c.CommandExitCode() != OK {
			return c.CommandExitCode()
		}
	}
	return OK
}

func refused(err error) bool {
	var r *engine.RefusedError
	var d *sink.RefusedError
	return errors.As(err, &r) || errors.As(err, &d)
}

// badInput: an unknown user or key, a key named with users it is not one of, a destination
// that does not parse, and a profile that is missing or holds no long-term key of its own (not
// an unsafe act some flag would allow: 4 means that).
func badInput(err error) bool {
	var uu *inventory.UnknownUserError
	var uk *inventory.UnknownKeyError
	var nt *inventory.NotTheirKeyError
	var ie *sink.InvalidError
	var cr *credfile.RefusalError
	var pe *credfile.ParseError
	var nf *credfile.NotFoundError
	return errors.As(err, &uu) || errors.As(err, &uk) || errors.As(err, &nt) || errors.As(err, &ie) ||
		errors.As(err, &cr) || errors.As(err, &pe) || errors.As(err, &nf)
}
