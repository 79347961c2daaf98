package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/policy"
)

type orgBootstrapOptions struct {
	*Deps
	*globalOptions
	Config        string
	Deploy        bool
	RunnerAccount string
	StackSetName  string
}

func newCmdOrg(d *Deps, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use: "org",
		Long: `Commands that prepare an AWS Organization: 'org bootstrap' creates the member role in every
account. The other commands cover the organization with --org or keywarden.yaml's accounts:.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden org bootstrap -c keywarden.yaml --deploy`,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newCmdOrgBootstrap(d, g, nil))
	return cmd
}

func newCmdOrgBootstrap(d *Deps, g *globalOptions, runF func(context.Context, *orgBootstrapOptions) error) *cobra.Command {
	o := &orgBootstrapOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use:   "bootstrap -c FILE [--deploy]",
		Short: "Create the member role in every account: print or deploy a service-managed StackSet",
		Long: `Print the CloudFormation template of a service-managed StackSet (auto-deployment on, so an
account that joins the organization gets the role too) that creates the member role of
keywarden.yaml's accounts: section in every member account. The role trusts only the runner's
account (the caller's, or --runner-account), with the external id when the file sets one, and
holds exactly the permissions 'keywarden policy -c FILE' prints. The management account gets no
role: keywarden uses the caller's own credentials there.

--deploy creates the StackSet and its instances (in the organization's root, or the section's
ous) from the management account or a delegated administrator, instead of printing.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden org bootstrap -c keywarden.yaml > member-stackset.yaml
  keywarden org bootstrap -c keywarden.yaml --deploy
  keywarden doctor -c keywarden.yaml     # then: is every account ready?`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runOrgBootstrap(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Config, "config", "c", defaultConfig, "the keywarden.yaml with the accounts: section and the jobs")
	f.BoolVar(&o.Deploy, "deploy", false, "create the StackSet and its instances now instead of printing the template")
	f.StringVar(&o.RunnerAccount, "runner-account", "", "the account keywarden runs from (default: the caller's)")
	f.StringVar(&o.StackSetName, "stack-set-name", deploy.DefaultStackSet, "the StackSet's name")
	return cmd
}

func runOrgBootstrap(ctx context.Context, o *orgBootstrapOptions) error {
	cfg, err := readConfig(o.Config)
	if err != nil {
		return err
	}
	if cfg.Accounts == nil {
		return usagef("%s has no accounts: section; add one (accounts: {organization: true}) so the role has accounts to be assumed in", o.Config)
	}
	var s *session
	if o.Deploy || o.RunnerAccount == "" {
		if s, err = o.session(ctx); err != nil {
			return err
		}
	}
	if o.RunnerAccount == "" {
		id, err := s.whoami(ctx)
		if err != nil {
			return err
		}
		o.RunnerAccount = id.Account
	}
	region := o.Region
	if s != nil && s.cfg.Region != "" {
		region = s.cfg.Region
	}
	if region == "" {
		region = "us-east-1"
	}
	if !o.Deploy {
		t, err := deploy.MemberStackSet(cfg, o.RunnerAccount, region)
		if err != nil {
			return usageErr(err)
		}
		b, err := t.YAML()
		if err != nil {
			return err
		}
		_, err = o.Stdout.Write(b)
		return err
	}
	return o.deployStackSet(ctx, s, cfg, region)
}

// deployStackSet deploys the member role's StackSet (deploy.BootstrapMembers) and says where.
func (o *orgBootstrapOptions) deployStackSet(ctx context.Context, s *session, cfg *policy.Config, region string) error {
	d, err := deploy.BootstrapMembers(ctx, s.cfg, cfg, o.RunnerAccount, o.StackSetName, region)
	if step := (*deploy.StepError)(nil); errors.As(err, &step) {
		return awsErr(step.What, step.Err)
	} else if err != nil {
		return usageErr(err)
	}
	fmt.Fprintf(o.Stderr, "keywarden: StackSet %s deploying the member role to %s (operation %s); run 'keywarden doctor -c %s' when it is done\n",
		o.StackSetName, strings.Join(d.OUs, ", "), d.OperationID, o.Config)
	return nil
}
