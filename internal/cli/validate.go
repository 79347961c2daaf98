package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/exitcode"
)

type validateOptions struct {
	*Deps
	Config string
}

func newCmdValidate(d *Deps, runF func(context.Context, *validateOptions) error) *cobra.Command {
	o := &validateOptions{Deps: d}
	cmd := &cobra.Command{
		Use: "validate [-c FILE]",
		Long: `Read keywarden.yaml and report every problem in it, each with its file:line:col,
exactly as plan, apply, serve and deploy would refuse it: unknown keys, bad durations,
time zones and cron expressions (a schedule that never fires included). Nothing is read
from AWS and no credentials are needed, so it fits a pre-commit hook or a CI step.

` + exitcode.Help(exitcode.OK, exitcode.Usage),
		Example: `  keywarden validate
  keywarden validate -c deploy/keywarden.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runValidate(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Config, "config", "c", defaultConfig, "the policy file to check")
	return cmd
}

func runValidate(_ context.Context, o *validateOptions) error {
	cfg, err := readConfig(o.Config)
	if err != nil {
		return err
	}
	n := len(cfg.Jobs)
	fmt.Fprintf(o.Stderr, "keywarden: config %s is valid: %s (%s)\n", o.Config, count(n, "job"), strings.Join(cfg.JobNames(), ", "))
	// Valid for apply and serve, but template and deploy will refuse these: say so now.
	for _, p := range deploy.LambdaProblems(cfg) {
		fmt.Fprintf(o.Stderr, "keywarden: warning: not deployable as a Lambda: %v\n", p)
	}
	for _, p := range cfg.UnreadableRotations() {
		fmt.Fprintf(o.Stderr, "keywarden: warning: %s\n", p)
	}
	return nil
}
