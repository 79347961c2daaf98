package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/doctor"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/policy"
)

type doctorOptions struct {
	*Deps
	*globalOptions
	Config string
	accountFlags
}

func newCmdDoctor(d *Deps, g *globalOptions, runF func(context.Context, *doctorOptions) error) *cobra.Command {
	o := &doctorOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "doctor [-c FILE] [--org | --accounts ID,…]",
		Long: `For every account the run covers (keywarden.yaml's accounts:, or --org / --accounts), assume
the member role and try the read calls keywarden makes there: iam:ListUsers, iam:ListAccessKeys,
iam:GetAccessKeyLastUsed and iam:ListUserTags. One line per account says "ready" or the first
thing that is wrong and how to fix it. Nothing is changed; the calls that change keys are not
tried (their permissions come from the same 'keywarden policy -c FILE' as the reads).

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden doctor --org
  keywarden doctor -c keywarden.yaml
  keywarden doctor --accounts 111122223333,444455556666 --role KeywardenMember`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDoctor(cmd.Context(), o, cmd.Flags().Changed("config"))
		},
	}
	cmd.Flags().StringVarP(&o.Config, "config", "c", defaultConfig, "the policy file whose accounts: section to check")
	o.accountFlags.addFlags(cmd)
	return cmd
}

func runDoctor(ctx context.Context, o *doctorOptions, explicitConfig bool) error {
	var file *policy.Accounts
	if explicitConfig || !o.Org && len(o.IDs) == 0 {
		cfg, err := readConfig(o.Config)
		if err != nil {
			return err
		}
		file = cfg.Accounts
	}
	spec, err := o.accountFlags.spec(file)
	if err != nil {
		return err
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	accts, err := s.accounts(ctx, spec)
	if err != nil {
		return err
	}
	n := 0
	if spec != nil {
		n = spec.Concurrency
	}
	rs := doctor.Check(ctx, accts, n)
	bad := 0
	for _, r := range rs {
		name := r.Account.ID
		if name == "" {
			name = "this account"
		}
		if r.Err == nil {
			fmt.Fprintf(o.Stdout, "%s ready\n", name)
			continue
		}
		bad++
		fmt.Fprintf(o.Stdout, "%s not ready: %s\n", name, r.Err.Error())
	}
	if bad > 0 {
		return &codedError{code: exitcode.Error, msg: fmt.Sprintf("%d of %s not ready; fix each as its line says (keywarden org bootstrap creates the member role)", bad, count(len(rs), "account"))}
	}
	return nil
}
