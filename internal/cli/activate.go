package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/policy"
)

type activateOptions struct {
	*Deps
	*globalOptions
	keySelector
	Force bool
}

func newCmdActivate(d *Deps, g *globalOptions, runF func(context.Context, *activateOptions) error) *cobra.Command {
	o := &activateOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "activate (--key ID | --user NAME --all)",
		Long: `Re-enable access keys that keywarden itself deactivated, as its provenance tag on the
user records. A key disabled by someone else (say, after a leak) stays inactive and is reported
"skipped: not deactivated by keywarden (use --force)". The deactivation record is replaced by
an activation record, so a later deactivation by someone else is not mistaken for keywarden's.

Needs iam:GetAccessKeyLastUsed, iam:ListAccessKeys, iam:ListUserTags, iam:TagUser,
iam:UntagUser and iam:UpdateAccessKey on the users concerned.

` + keyAccountsHelp + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Refused, exitcode.Auth),
		Example: `  keywarden activate --key AKIAIOSFODNN7EXAMPLE
  keywarden activate --user access-key-user --all
  keywarden activate --key AKIAIOSFODNN7EXAMPLE --force   # a key someone else disabled
  keywarden activate --org --user dev --all              # the morning after an org-wide curfew`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runActivate(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, "activate")
	cmd.Flags().BoolVar(&o.Force, "force", false, "also re-enable keys that keywarden did not deactivate")
	return cmd
}

func runActivate(ctx context.Context, o *activateOptions) error {
	return runKeyChange(ctx, o.Deps, o.globalOptions, &o.keySelector, policy.Activate, apply.Options{Force: o.Force})
}
