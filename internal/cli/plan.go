package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
)

type planOptions struct {
	*Deps
	*globalOptions
	jobFlags
	// DetailedExitcode is Terraform's contract for CI: 0 no changes, 2 changes, 1 error.
	DetailedExitcode bool
}

func newCmdPlan(d *Deps, g *globalOptions, runF func(context.Context, *planOptions) error) *cobra.Command {
	o := &planOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "plan [-c FILE] [--job NAME]...",
		Long: `Read keywarden.yaml, read the users its jobs select, and print each action the jobs
would take (job, rule, user, key, reason). Nothing is changed. Report rules print as findings.

The file is checked first: every problem is listed as FILE:LINE:COL and nothing is read
from AWS. --at evaluates as of another moment, to see what next month's run would do.
A summary (jobs, users, keys, actions by kind) goes to stderr; "no changes" when there is
nothing to do.

Needs what 'keywarden policy -c FILE' prints, minus the statements that change keys.

Exit codes:
  0  success: the plan was printed (with --detailed-exitcode: and there is nothing to change)
  1  AWS or network failure (with --detailed-exitcode: any error, bad input included)
  2  bad input: flags, config, unknown user (with --detailed-exitcode: changes are pending)
  5  no credentials, rejected credentials, or access denied (1 with --detailed-exitcode)`,
		Example: `  keywarden plan
  keywarden plan --detailed-exitcode   # in CI: 0 no changes, 2 changes pending, 1 error
  keywarden plan -c /etc/keywarden.yaml --job curfew
  keywarden plan --at +30d --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPlan(cmd.Context(), o)
		},
	}
	o.jobFlags.addFlags(cmd, true)
	cmd.Flags().BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 0 when nothing would change, 2 when something would, 1 on any error (Terraform's contract, for CI)")
	return cmd
}

func runPlan(ctx context.Context, o *planOptions) error {
	err := planAndPrint(ctx, o)
	if !o.DetailedExitcode {
		return err
	}
	return detailedExit(err)
}

func planAndPrint(ctx context.Context, o *planOptions) error {
	e, err := evaluateJobs(ctx, o.Deps, o.globalOptions, &o.jobFlags, false)
	if err != nil {
		return err
	}
	if err := printPlan(o.Deps, o.globalOptions, &o.jobFlags, e); err != nil {
		return err
	}
	if o.DetailedExitcode && e.changes() > 0 {
		return silentExit(exitcode.Changes)
	}
	return nil
}

// detailedExit folds every error into exit 1, so that under --detailed-exitcode 2 can only
// mean "changes pending" and a CI step cannot mistake bad input for a plan to apply.
func detailedExit(err error) error {
	var ce *codedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce) && ce.msg == "" && ce.code == exitcode.Changes:
		return err
	case errors.As(err, &ce):
		return &codedError{code: exitcode.Error, msg: ce.msg, detail: ce.detail, cause: ce.cause}
	}
	return &codedError{code: exitcode.Error, msg: err.Error(), cause: err}
}

// printPlan writes the plan to stdout and the summary and warnings to stderr.
func printPlan(d *Deps, g *globalOptions, f *jobFlags, e *jobEval) error {
	if err := e.writePlan(d.Stdout, g.Output); err != nil {
		return err
	}
	for _, w := range e.selfWarnings() {
		fmt.Fprintf(d.Stderr, "keywarden: warning: %s\n", w)
	}
	fmt.Fprintf(d.Stderr, "keywarden: %s%s\n", e.summary(), e.asOf(f))
	for _, w := range e.warningLines() {
		fmt.Fprintf(d.Stderr, "keywarden: %s\n", w)
	}
	planNotices(d.Stderr, e.cfg, e.plans)
	return accountFailures(d.Stderr, jobs.Failures(e.plans), len(e.plans))
}
