package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/jobs"
)

type planOptions struct {
	*Deps
	*globalOptions
	jobFlags
}

func newCmdPlan(d *Deps, g *globalOptions, runF func(context.Context, *planOptions) error) *cobra.Command {
	o := &planOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use:   "plan [-c FILE] [--job NAME]...",
		Short: "Show what the jobs of a policy file would change, and why; change nothing",
		Long: `Read keywarden.yaml, read the users its jobs select, and print each action the jobs
would take (job, rule, user, key, reason). Nothing is changed. Report rules print as findings.

The file is checked first: every problem is listed as FILE:LINE:COL and nothing is read
from AWS. --at evaluates as of another moment, to see what next month's run would do.
A summary (jobs, users, keys, actions by kind) goes to stderr; "no changes" when there is
nothing to do.

Needs what 'keywarden policy -c FILE' prints, minus the statements that change keys.

` + exitCodesHelp,
		Example: `  keywarden plan
  keywarden plan -c /etc/keywarden.yaml --job curfew
  keywarden plan --at +30d --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPlan(cmd.Context(), o)
		},
	}
	o.jobFlags.addFlags(cmd, true)
	return cmd
}

func runPlan(ctx context.Context, o *planOptions) error {
	e, err := evaluateJobs(ctx, o.Deps, o.globalOptions, &o.jobFlags, false)
	if err != nil {
		return err
	}
	return printPlan(o.Deps, o.globalOptions, &o.jobFlags, e)
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
