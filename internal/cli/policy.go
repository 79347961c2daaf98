package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/permissions"
)

type policyOptions struct {
	*Deps
	*globalOptions
	jobFlags
	SelfRotate bool
	Account    string
	// Respond and Quarantine add what keywarden respond (--quarantine) needs.
	Respond    bool
	Quarantine bool
}

func newCmdPolicy(d *Deps, g *globalOptions, runF func(context.Context, *policyOptions) error) *cobra.Command {
	o := &policyOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "policy (-c FILE [--job NAME]... | --self-rotate)",
		Long: `Print the IAM policy document (JSON, whatever --output says) that lets the jobs of
keywarden.yaml run through plan, apply, the daemon or the Lambda, and nothing more: only
the actions the jobs use, on the users they select where an ARN can say it.

  iam:ListUsers                     a job selects by glob, path or every user (Resource "*")
  iam:GetUser                       a job names its users exactly
  iam:ListAccessKeys, iam:GetAccessKeyLastUsed, iam:ListUserTags    reading keys and tags
  iam:UpdateAccessKey               a deactivate rule
  iam:DeleteAccessKey               a delete rule
  iam:TagUser, iam:UntagUser        the provenance record of each change

--respond adds what keywarden respond needs (--respond --quarantine: and what containment
needs: iam:PutUserPolicy, iam:AttachUserPolicy, iam:GetPolicy on AWS's quarantine policy);
the replacement of a service key is the rotate rule's and is granted with the jobs.
A config with an incident: block includes respond's actions without --respond (its
quarantine: true, containment's): the deployed function responds to AWS's events.

A rotate rule's destination outside AWS (github:, github-org:, gitlab:) needs a token no IAM
policy grants: a note on stderr says which, with the scopes or permissions it needs.

--self-rotate prints instead what a user needs to rotate their own key with 'keywarden
rotate'. Nothing is read from AWS: the account defaults to "*" (--account to pin it).

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage),
		Example: `  keywarden policy -c keywarden.yaml > keywarden-policy.json
  aws iam put-user-policy --user-name keywarden --policy-name keywarden \
      --policy-document file://keywarden-policy.json
  keywarden policy -c keywarden.yaml --job curfew --account 123456789012
  keywarden policy -c keywarden.yaml --respond --quarantine
  keywarden policy --self-rotate`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Quarantine && !o.Respond {
				return usagef("--quarantine goes with --respond: it adds what respond --quarantine needs")
			}
			if o.SelfRotate && (cmd.Flags().Changed("config") || len(o.Jobs) > 0 || cmd.Flags().Changed("account")) {
				return usagef("--self-rotate takes no -c, --job or --account: it is one policy for any user")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPolicy(cmd.Context(), o)
		},
	}
	o.jobFlags.addFlags(cmd, false)
	f := cmd.Flags()
	f.BoolVar(&o.SelfRotate, "self-rotate", false, "the policy for rotating one's own key instead")
	f.StringVar(&o.Account, "account", "*", "AWS account id to put in resource ARNs")
	f.BoolVar(&o.Respond, "respond", false, "also grant what keywarden respond needs")
	f.BoolVar(&o.Quarantine, "quarantine", false, "with --respond: also what respond --quarantine needs")
	return cmd
}

func runPolicy(_ context.Context, o *policyOptions) error {
	if o.SelfRotate {
		fmt.Fprintln(o.Stdout, permissions.SelfRotate().JSON())
		return nil
	}
	cfg, err := o.loadConfig()
	if err != nil {
		return err
	}
	doc, err := permissions.ForJobs(cfg, o.Jobs, o.Account)
	if err != nil {
		return usageErr(err)
	}
	// An incident: block makes the function respond, so its role needs respond's actions too.
	if in := cfg.Incident; o.Respond || in != nil {
		quarantine := o.Quarantine || in != nil && in.Quarantine
		doc.Statement = append(doc.Statement, permissions.Respond(o.Account, quarantine)...)
	}
	fmt.Fprintln(o.Stdout, doc.JSON())
	// The document cannot say it, so stderr does: the tokens a destination needs besides.
	beyond, _ := permissions.BeyondIAM(cfg, o.Jobs)
	for _, b := range beyond {
		fmt.Fprintf(o.Stderr, "keywarden: note: %s\n", b)
	}
	return nil
}
