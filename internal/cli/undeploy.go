package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/exitcode"
)

type undeployOptions struct {
	*Deps
	*globalOptions
	StackName string
}

func newCmdUndeploy(d *Deps, g *globalOptions, runF func(context.Context, *undeployOptions) error) *cobra.Command {
	o := &undeployOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "undeploy [--stack-name NAME]",
		Long: `Delete the CloudFormation stack and wait until it is gone, showing stack events on stderr.
A stack that does not exist is not an error. The deploy bucket and its packages stay: remove
them with 'aws s3 rb s3://keywarden-deploy-ACCOUNT-REGION --force' if you no longer need them.
Keys the function deactivated stay as they are; 'keywarden activate' re-enables them.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden undeploy
  keywarden undeploy --stack-name keywarden-prod`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runUndeploy(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.StackName, "stack-name", defaultStack, "CloudFormation stack name")
	return cmd
}

func runUndeploy(ctx context.Context, o *undeployOptions) error {
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	stacks := &deploy.Stacks{CFN: deploy.CloudFormation(s.cfg), Progress: o.Stderr, Sleep: sleepCtx, Now: o.Now}
	deleted, err := stacks.Delete(ctx, o.StackName)
	if err != nil {
		return stackErr("delete stack "+o.StackName, err)
	}
	if !deleted {
		fmt.Fprintf(o.Stderr, "keywarden: no stack %s; nothing to delete\n", o.StackName)
		return nil
	}
	fmt.Fprintf(o.Stderr, "keywarden: deleted stack %s\n", o.StackName)
	return nil
}
