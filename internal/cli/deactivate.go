package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

type deactivateOptions struct {
	*Deps
	*globalOptions
	keySelector
	AllowSelf bool
}

func newCmdDeactivate(d *Deps, g *globalOptions, runF func(context.Context, *deactivateOptions) error) *cobra.Command {
	o := &deactivateOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "deactivate (--key ID | --user NAME --all)",
		Long: `Deactivate access keys. A key id alone is enough: keywarden looks up its owner.

An already inactive key is reported "unchanged". Each change is recorded as a tag on the
user (keywarden:<key id>), so "keywarden activate" can later re-enable exactly these keys.
keywarden refuses to deactivate the key it is signed with unless --allow-self.

Needs iam:GetAccessKeyLastUsed (to find a key's owner), iam:ListAccessKeys, iam:ListUserTags,
iam:TagUser, iam:UntagUser and iam:UpdateAccessKey on the users concerned.

` + keyAccountsHelp + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Refused, exitcode.Auth),
		Example: `  # the nightly curfew, by hand
  keywarden deactivate --key AKIAIOSFODNN7EXAMPLE

  # every active key of one user, previewed first
  keywarden deactivate --user access-key-user --all --dry-run
  keywarden deactivate --user access-key-user --all --output json

  # a leaked key, wherever it lives in the organization
  keywarden deactivate --org --key AKIAIOSFODNN7EXAMPLE

  # one user's keys in two member accounts
  keywarden deactivate --accounts 111122223333,444455556666 --user ci --all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDeactivate(cmd.Context(), o)
		},
	}
	o.addFlags(cmd, "deactivate")
	cmd.Flags().BoolVar(&o.AllowSelf, "allow-self", false, "allow deactivating the key keywarden is signed with (you will lose access)")
	return cmd
}

func runDeactivate(ctx context.Context, o *deactivateOptions) error {
	return runKeyChange(ctx, o.Deps, o.globalOptions, &o.keySelector, policy.Deactivate, apply.Options{AllowSelf: o.AllowSelf})
}

// runKeyChange is the body deactivate and activate share: check, select, act, print.
func runKeyChange(ctx context.Context, d *Deps, g *globalOptions, sel *keySelector, kind policy.Kind, ao apply.Options) error {
	if err := g.check(); err != nil {
		return err
	}
	spec, err := sel.accountFlags.spec(nil)
	if err != nil {
		return err
	}
	s, err := g.session(ctx)
	if err != nil {
		return err
	}
	if spec != nil {
		return keyChangeAccounts(ctx, d, g, sel, kind, ao, s, spec)
	}
	selfKey, err := s.selfKeyID(ctx)
	if err != nil {
		return err
	}
	acts, unmatched, err := sel.actions(ctx, s.iam, kind, "requested")
	if err != nil {
		return err
	}
	if len(unmatched) > 0 {
		return noUserErr(unmatched, "")
	}
	if len(acts) == 0 {
		what := "an active"
		if kind == policy.Activate {
			what = "an inactive"
		}
		fmt.Fprintf(d.Stderr, "keywarden: no %s key to %s: the selected users have none\n", what, kind)
		return newResultPrinter(g, d, false).finish(nil)
	}
	ao.Origin = string(kind)
	ao.SelfKeyID = selfKey
	ao.DryRun = sel.DryRun
	ao.Now = d.Now
	if sel.DryRun {
		fmt.Fprintln(d.Stderr, "keywarden: dry run: nothing will change")
	}
	p := newResultPrinter(g, d, false)
	ao.OnResult = func(r apply.Result) { p.add(jobs.Result{Result: r}) }
	var rs []jobs.Result
	for _, r := range apply.Apply(ctx, s.iam, acts, ao) {
		rs = append(rs, jobs.Result{Result: r})
	}
	return p.finish(rs)
}
