package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
)

type applyOptions struct {
	*Deps
	*globalOptions
	jobFlags
	Yes       bool
	DryRun    bool
	AllowSelf bool
	NoNotify  bool
}

func newCmdApply(d *Deps, g *globalOptions, runF func(context.Context, *applyOptions) error) *cobra.Command {
	o := &applyOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "apply [-c FILE] [--job NAME]... [--yes]",
		Long: `Evaluate keywarden.yaml as 'keywarden plan' does, show the plan on stderr, then carry it out
and print one line per key on stdout, as each key is done (so in the order they finish). On a terminal apply asks before changing anything;
otherwise (CI, cron) it needs --yes.

Each key is re-read right before it is changed, so a key already in the wanted state is
"unchanged", and running apply twice changes nothing the second time. Every change is recorded
on the user as a keywarden:<key id> tag naming the job. Report rules print as findings.
keywarden refuses to deactivate or delete the key it is signed with unless --allow-self
(exit 4; the other keys are still handled). --dry-run prints the plan and stops.

With a notify: block, each key's owner gets one digest per run (email, SNS, webhook) of what
was done to their keys and what a rule's warn: says is coming; --no-notify sends nothing.

Needs what 'keywarden policy -c FILE' prints.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Refused, exitcode.Auth),
		Example: `  keywarden apply                          # asks before changing anything
  keywarden apply -c keywarden.yaml --job curfew --yes
  keywarden apply --dry-run --output json  # the plan, as 'keywarden plan' prints it`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runApply(cmd.Context(), o)
		},
	}
	o.jobFlags.addFlags(cmd, false)
	f := cmd.Flags()
	f.BoolVarP(&o.Yes, "yes", "y", false, "apply without asking (needed when stdin or stdout is not a terminal)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the plan and change nothing (same as keywarden plan)")
	f.BoolVar(&o.AllowSelf, "allow-self", false, "allow deactivating or deleting the key keywarden is signed with (you will lose access)")
	f.BoolVar(&o.NoNotify, "no-notify", false, "tell no owner (the config's notify: block is not used for this run)")
	return cmd
}

func runApply(ctx context.Context, o *applyOptions) error {
	e, err := evaluateJobs(ctx, o.Deps, o.globalOptions, &o.jobFlags, !o.DryRun)
	if err != nil {
		return err
	}
	if o.DryRun {
		return printPlan(o.Deps, o.globalOptions, &o.jobFlags, e)
	}
	// stdout carries the results only, so --output json is one document; the plan is for
	// the person deciding, on stderr.
	if err := e.writePlan(o.Stderr, "table"); err != nil {
		return err
	}
	if !o.AllowSelf {
		for _, w := range e.selfWarnings() {
			fmt.Fprintf(o.Stderr, "keywarden: warning: %s\n", w)
		}
	}
	fmt.Fprintf(o.Stderr, "keywarden: %s\n", e.summary())
	for _, w := range e.warningLines() {
		fmt.Fprintf(o.Stderr, "keywarden: %s\n", w)
	}
	if n := e.changes(); n > 0 && !o.Yes {
		ok, err := o.confirm(n)
		if err != nil || !ok {
			return err
		}
	}
	opts := e.opts
	opts.Apply = apply.Options{Origin: "apply", AllowSelf: o.AllowSelf, Now: o.Now}
	opts.Rotate = ruleRotation(o.Deps)
	// apply has no schedule: the moment its plan was made is its firing.
	opts.Rotate.FireTime = e.at
	p := newResultPrinter(o.globalOptions, o.Deps, e.multi)
	opts.OnResult = p.add
	runs := jobs.Act(ctx, e.plans, opts)
	end := jobs.Finish("", runs)
	err = p.finish(end.Results)
	// A failed account is named after the keys of the others; its exit code (1) is the run's
	// unless a key's own failure already said more.
	if ferr := accountFailures(o.Stderr, end.Failed, end.Accounts); ferr != nil && err == nil {
		err = ferr
	}
	// Owners hear last: a notice never blocks or undoes a change, and says what was done.
	if nerr := tellOwners(ctx, o.Stderr, e.cfg, e.s.cfg, runs, e.summary(), o.NoNotify); nerr != nil && err == nil {
		err = nerr
	}
	return err
}

// confirm asks on a terminal; elsewhere nobody can answer, so it refuses without --yes.
func (o *applyOptions) confirm(n int) (bool, error) {
	if !o.StdinIsTerminal || !o.StdoutIsTerminal {
		return false, usagef("not applying %d %s: no terminal to confirm on; pass --yes to apply without asking", n, plural(n, "change"))
	}
	fmt.Fprintf(o.Stderr, "keywarden: apply %d %s? [y/N] ", n, plural(n, "change"))
	line, _ := bufio.NewReader(o.Stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	fmt.Fprintln(o.Stderr, "keywarden: apply cancelled: nothing changed")
	return false, nil
}
