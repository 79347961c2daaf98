package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/report"
)

type whoamiOptions struct {
	*Deps
	*globalOptions
}

func newCmdWhoami(d *Deps, g *globalOptions, runF func(context.Context, *whoamiOptions) error) *cobra.Command {
	o := &whoamiOptions{Deps: d, globalOptions: g}
	return &cobra.Command{
		Use: "whoami",
		Long: `Show the account, ARN and access key id of the credentials in use. That key is the one
keywarden refuses to deactivate or delete unless told --allow-self.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden whoami
  keywarden whoami --profile dev --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runWhoami(cmd.Context(), o)
		},
	}
}

func runWhoami(ctx context.Context, o *whoamiOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	id, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	switch o.Output {
	case "json":
		return report.JSON(o.Stdout, id)
	case "csv":
		return report.CSV(o.Stdout, []string{"account", "arn", "access_key_id"}, [][]string{{id.Account, id.ARN, id.AccessKeyID}})
	}
	_, err = fmt.Fprintf(o.Stdout, "account:       %s\narn:           %s\naccess key id: %s\n", id.Account, id.ARN, id.AccessKeyID)
	return err
}
