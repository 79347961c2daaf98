package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/trail"
)

type respondOptions struct {
	*Deps
	*globalOptions
	accountFlags
	Key        string
	Reason     string
	Quarantine bool
	DryRun     bool
	Config     string
	configSet  bool
	Since      time.Duration
	Regions    []string
}

func newCmdRespond(d *Deps, g *globalOptions, runF func(context.Context, *respondOptions) error) *cobra.Command {
	o := &respondOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "respond --key ID [--reason TEXT] [--quarantine] [--dry-run]",
		Long: `Respond to a leaked access key, in this order, each step reported:

  deactivate  the key, now, recorded on its user as keywarden:<key id> =
              "deactivated TIME by=incident reason=TEXT" (the reason in IAM's tag characters,
              spaces as _, cut to 64). keywarden activate refuses such a key without --force;
              plan, apply, serve and the Lambda never re-enable it.
  quarantine  with --quarantine: the deny-all inline policy keywarden-incident-quarantine on the
              user, and AWS's managed AWSCompromisedKeyQuarantineV3 where the account has it.
  replace     when a rotate rule of keywarden.yaml selects the user and its destinations can be
              read back: a new key, proven, delivered there now (older_than is ignored). The
              leaked key is kept, inactive, as evidence; the delete rule removes it later.
  tell        the owner (notify.owner_tag) and notify.security: the key, user, account, reason,
              each step and what the key did: its calls, errors, source addresses and user
              agents from CloudTrail's history over --since (default 7d), or IAM's last use
              when the history cannot be read.

keywarden.yaml (-c, KEYWARDEN_CONFIG, or found as plan finds it) is optional: without it
there is no replacement and nobody is told. --dry-run prints every step and every notice
and changes nothing.

Needs iam:GetAccessKeyLastUsed, iam:GetUser, iam:ListAccessKeys, iam:ListUserTags,
iam:TagUser, iam:UntagUser, iam:UpdateAccessKey and cloudtrail:LookupEvents; with --quarantine iam:PutUserPolicy,
iam:GetPolicy and iam:AttachUserPolicy; a replacement needs what its rotate rule needs
(keywarden policy -c keywarden.yaml --respond --quarantine prints it all).

--org or --accounts: the key's account is found with sts:GetAccessKeyInfo and the response
runs there, through --role.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Refused, exitcode.Auth),
		Example: `  # rehearse first: every step, nothing changed
  keywarden respond --key AKIAIOSFODNN7EXAMPLE --reason "pushed to a public repo" --dry-run

  keywarden respond --key AKIAIOSFODNN7EXAMPLE --reason "pushed to a public repo"
  keywarden respond --key AKIAIOSFODNN7EXAMPLE --quarantine --output json
  keywarden respond --org --key AKIAIOSFODNN7EXAMPLE --reason "AWS Health: exposed credentials"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.configSet = cmd.Flags().Changed("config")
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRespond(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Key, "key", "", "the leaked access key id (required)")
	f.StringVar(&o.Reason, "reason", "", "why: recorded on the user and sent in the notice")
	f.BoolVar(&o.Quarantine, "quarantine", false, "also deny the user every call (inline policy, and AWS's managed quarantine policy if present)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print every step and notice and change nothing")
	f.StringVarP(&o.Config, "config", "c", defaultConfig, "the policy file with the rotate rules and notify: (optional)")
	durationFlag(cmd, &o.Since, "since", incident.DefaultSince, "how far back to read the key's calls in CloudTrail")
	f.StringSliceVar(&o.Regions, "trail-regions", nil, "regions whose CloudTrail history to read (default: the session's region and us-east-1, where IAM's calls are)")
	o.accountFlags.addFlags(cmd)
	return cmd
}

func (o *respondOptions) validate() error {
	switch {
	case o.Key == "":
		return usagef("say which key leaked: --key AKIA…")
	case strings.HasPrefix(o.Key, "ASIA"):
		return usagef("%s is a temporary (STS) key: it cannot be deactivated; revoke the role's sessions instead", o.Key)
	case !keyIDRE().MatchString(o.Key):
		return usagef("--key %q is not an access key id (expected AKIA followed by letters and digits)", o.Key)
	case o.Since <= 0:
		return usagef("--since %s: want more than zero, like 7d", flagDur(o.Since))
	}
	return nil
}

func runRespond(ctx context.Context, o *respondOptions) error {
	if err := o.check("table", "json"); err != nil {
		return err
	}
	var cfg *policy.Config
	if _, err := os.Stat(o.Config); err == nil || o.configSet {
		if cfg, err = readConfig(o.Config); err != nil {
			return err
		}
	}
	spec, err := o.accountFlags.spec(nil)
	if err != nil {
		return err
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	d := incident.Deps{Config: cfg, Rotate: ruleRotation(o.Deps)}
	if spec == nil {
		self, err := s.selfKeyID(ctx)
		if err != nil {
			return err
		}
		d.Session = jobs.Session{Config: s.cfg, IAM: s.iam, SelfKeyID: self}
	} else {
		accts, err := s.accounts(ctx, spec)
		if err != nil {
			return err
		}
		if accts, _, err = locateKeys(ctx, s.sts, []string{o.Key}, accts); err != nil {
			return err
		}
		if d.Session, err = jobs.Open(ctx, accts[0]); err != nil {
			return awsErr("open account "+accts[0].ID, err)
		}
		d.Account = accts[0].ID
	}
	now := o.Now()
	d.Activity = incident.Trail{
		Source: trail.NewSource(d.Session.Config, o.Regions, d.Session.IAM),
		Since:  now.Add(-o.Since), Until: now,
		IAM: incident.LastUsed{IAM: d.Session.IAM},
	}
	if cfg != nil && cfg.Notify != nil {
		// Notices go out from the runner's own account, as apply's do.
		d.Sender = newSender(s.cfg, cfg.Notify)
	}
	if o.DryRun {
		fmt.Fprintln(o.Stderr, "keywarden: dry run: nothing will change")
	}
	rep, err := incident.Respond(ctx, d, incident.Request{KeyID: o.Key, Reason: o.Reason, Quarantine: o.Quarantine, DryRun: o.DryRun, Now: o.Now})
	var re *incident.RefusedError
	switch {
	case errors.As(err, &re):
		return refusedf("%s", re.Msg)
	case err != nil:
		return awsErr("respond to "+o.Key, err)
	}
	if o.Output == "json" {
		err = report.JSON(o.Stdout, rep)
	} else {
		err = printResponse(o.Stdout, rep)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		return &codedError{code: exitcode.Error, msg: "some steps of the response failed (see above); the steps that were done stand"}
	}
	return nil
}

// printResponse is the table: one line a step, then what the key did, then (in a dry run)
// every notice as it would be sent.
func printResponse(w io.Writer, r incident.Report) error {
	var b strings.Builder
	where := r.User
	if r.Account != "" {
		where += " in account " + r.Account
	}
	fmt.Fprintf(&b, "respond to %s of %s\n", r.KeyID, where)
	for _, s := range r.Steps {
		text := s.Outcome + ": " + s.Detail
		if s.Outcome == incident.Would {
			text = s.Detail // it says "would" itself
		}
		fmt.Fprintf(&b, "  %-10s %s\n", s.Step, text)
	}
	if r.Activity != nil {
		for _, l := range r.Activity.Lines {
			fmt.Fprintf(&b, "  %-10s %s\n", "activity", l)
		}
	}
	if r.DryRun {
		for _, d := range r.Notices {
			fmt.Fprintf(&b, "\nwould send to %s:\n%s", d.Owner, d.Text())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
