package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

type auditOptions struct {
	*Deps
	*globalOptions
	Users           []string
	Path            string
	At              string
	MaxAge          string
	MaxUnused       string
	GraceNew        string
	FailOnFindings  bool
	Concurrency     int
	Source          string
	ReportThreshold int
	To              string
	accountFlags
	// account and alias head a one-account HTML page, aliases each account's section of an
	// org page (read only for html).
	account, alias string
	aliases        map[string]string
}

func newCmdAudit(d *Deps, g *globalOptions, runF func(context.Context, *auditOptions) error) *cobra.Command {
	o := &auditOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "audit",
		Long: `List every access key of every user (all pages) with its status, age and last use,
and the findings against the Security Hub rules and CIS AWS Foundations Benchmark v3.0.0
(whose numbers v7.0.0 changes):

  IAM.3     active key older than --max-age (default 90d; CIS 1.14)
  IAM.22    active key unused for --max-unused (default 45d; a never-used key counts from
            its creation; CIS 1.12); --grace-new 7d spares keys created in the last 7 days
  CIS.1.13  more than one active key for one user

--at evaluates as of a later moment (a date, an RFC 3339 time, or +30d), to see what will be
out of policy next month; a past --at is refused, since keys and their last use are read as
they are now. A summary goes to stderr; the rows go to stdout (--output table, json,
csv, html for a standalone page, or sarif for code-scanning dashboards).

--source picks how keys are read. "api" asks IAM per user and key (several calls per user;
every field, key ids included). "report" reads the IAM credential report: a few calls however
many users the account has, but the report has no key ids and no tags, and IAM serves one up to
4 hours old (the summary says how old). "auto" (the default) uses the report when no exact
user names are given and the account has more than --report-threshold users.

--to securityhub also imports one ASFF finding per key and finding into AWS Security Hub
(the account's default product, in --region): the next run updates the same findings, and
archives those of keys since fixed. It needs key ids, so it reads keys with the api.

Needs iam:ListUsers, iam:ListAccessKeys and iam:GetAccessKeyLastUsed;
--source report needs iam:GenerateCredentialReport and iam:GetCredentialReport instead;
--to securityhub needs securityhub:GetFindings and securityhub:BatchImportFindings;
--output html also asks iam:ListAccountAliases (in each account), and goes without the alias if denied.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Findings, exitcode.Auth),
		Example: `  keywarden audit
  keywarden audit --user 'ci-*' --output csv > keys.csv
  keywarden audit --at +30d --fail-on-findings      # in CI: fail a month ahead
  keywarden audit --max-age 180d --output json | jq '.[] | select(.findings != [])'
  keywarden audit --source report --user 'ci-*'     # 5,000 users in a few calls
  keywarden audit --output sarif > keywarden.sarif   # for GitHub code scanning
  keywarden audit --to securityhub --region eu-west-1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runAudit(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Users, "user", "u", nil, "only these users: names or globs (repeatable)")
	f.StringVar(&o.Path, "path", "", "only users under this IAM path prefix, e.g. /team/")
	f.StringVar(&o.At, "at", "", "evaluate as of this time: 2027-03-01, an RFC 3339 time, or +30d")
	f.StringVar(&o.MaxAge, "max-age", "90d", "an active key older than this is a finding (IAM.3)")
	f.StringVar(&o.MaxUnused, "max-unused", "45d", "an active key unused this long is a finding (IAM.22)")
	f.StringVar(&o.GraceNew, "grace-new", "0d", "a key created less than this long ago is not yet unused (no IAM.22), e.g. 7d")
	f.BoolVar(&o.FailOnFindings, "fail-on-findings", false, "exit 3 when any finding is reported")
	f.IntVar(&o.Concurrency, "concurrency", 8, "users read at once")
	f.StringVar(&o.Source, "source", "auto", "where keys are read from: auto, api or report (the IAM credential report)")
	f.StringVar(&o.To, "to", "", "also send the findings to: securityhub (AWS Security Hub, as ASFF)")
	f.IntVar(&o.ReportThreshold, "report-threshold", 200, "with --source auto, use the report above this many users (1-1000)")
	o.accountFlags.addFlags(cmd)
	return cmd
}

func (o *auditOptions) thresholds() (policy.Thresholds, error) {
	age, err := policy.ParseDuration(o.MaxAge)
	if err != nil {
		return policy.Thresholds{}, usagef("--max-age %q: %v", o.MaxAge, err)
	}
	unused, err := policy.ParseDuration(o.MaxUnused)
	if err != nil {
		return policy.Thresholds{}, usagef("--max-unused %q: %v", o.MaxUnused, err)
	}
	if age.Std() <= 0 {
		return policy.Thresholds{}, usagef("--max-age %s: want more than zero, like 90d", age)
	}
	if unused.Std() <= 0 {
		return policy.Thresholds{}, usagef("--max-unused %s: want more than zero, like 45d", unused)
	}
	grace, err := policy.ParseDuration(o.GraceNew)
	if err != nil {
		return policy.Thresholds{}, usagef("--grace-new %q: %v", o.GraceNew, err)
	}
	return policy.Thresholds{MaxAge: age.Std(), MaxUnused: unused.Std(), GraceNew: grace.Std()}, nil
}

func runAudit(ctx context.Context, o *auditOptions) error {
	if err := o.check(outputFormats["audit"]...); err != nil {
		return err
	}
	th, err := o.thresholds()
	if err != nil {
		return err
	}
	start := o.Now()
	at := start
	if o.At != "" {
		if at, err = policy.ParseAt(o.At, start); err != nil {
			return usageErr(err)
		}
		// Last-use dates are read now: ages as of a past moment beside today's last use
		// would describe no moment at all (and give negative ages).
		if at.Before(start) {
			return usagef("--at %s is in the past; audit reads keys as they are now, so --at looks ahead only, like --at +30d", o.At)
		}
	}
	if o.Concurrency < 1 {
		return usagef("--concurrency %d: want at least 1 user read at once", o.Concurrency)
	}
	if err := inventory.ValidatePatterns(o.Users); err != nil {
		return usageErr(err)
	}
	if err := o.checkSource(); err != nil {
		return err
	}
	if err := o.checkTo(); err != nil {
		return err
	}
	spec, err := o.accountFlags.spec(nil)
	if err != nil {
		return err
	}
	if spec != nil && o.To != "" {
		return usagef("--to %s imports one account's findings for now; run it in each account (a member role can), without --org or --accounts", o.To)
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	if spec != nil {
		accts, err := s.accounts(ctx, spec)
		if err != nil {
			return err
		}
		return o.auditAccounts(ctx, accts, spec.Concurrency, th, at, start)
	}
	inv, err := o.readInventory(ctx, s.iam, true)
	if err != nil {
		return err
	}
	rows := report.AuditRows(inv, th, at)
	if o.Output == "html" {
		o.account, o.alias = s.accountName(ctx)
	}
	if err := o.render(rows, at); err != nil {
		return err
	}
	if err := o.sendFindings(ctx, s, inv, rows, at); err != nil {
		return err
	}
	nf := 0
	for _, r := range rows {
		nf += len(r.Findings)
	}
	when := ""
	if o.At != "" {
		when = " as of " + at.UTC().Format(time.RFC3339)
	}
	source := inv.Source
	if inv.Source == inventory.SourceReport {
		source += ", generated " + report.Ago(start.Sub(inv.ReportTime))
	}
	fmt.Fprintf(o.Stderr, "keywarden: %s%s (source %s, %s)\n",
		auditCounts(len(inv.Users), len(rows), nf), when, source, o.Now().Sub(start).Round(time.Millisecond))
	if n := report.UnknownAges(rows); n > 0 {
		fmt.Fprintf(o.Stderr, "keywarden: %s no creation date in the credential report (last_rotated N/A), so %s shown as unknown; --source api reads it from IAM\n",
			pick(n, "1 key has", count(n, "key")+" have"), pick(n, "its age is", "their ages are"))
	}
	if inv.Source == inventory.SourceReport && len(rows) > 0 {
		fmt.Fprintln(o.Stderr, "keywarden: the credential report has no key ids; use --source api to list them")
	}
	if o.FailOnFindings && nf > 0 {
		return silentExit(exitcode.Findings)
	}
	return nil
}

// auditCounts is the head of audit's summary line: "1 user, 1 key, 0 findings".
func auditCounts(users, keys, findings int) string {
	return count(users, "user") + ", " + count(keys, "key") + ", " + count(findings, "finding")
}

// render writes the rows in the format --output asks for (report.WriteAudit).
func (o *auditOptions) render(rows []report.AuditRow, now time.Time) error {
	out := report.AuditOutput{
		Format: o.Output, WithAccount: o.accountFlags.Org || len(o.accountFlags.IDs) > 0,
		Relative: o.StdoutIsTerminal, Version: currentVersion().Version, Account: o.account, Alias: o.alias,
		Aliases: o.aliases,
	}
	if o.Output == "html" {
		// The page's histogram is bucketed by the limits this audit used.
		th := policy.DefaultThresholds()
		if t, err := o.thresholds(); err == nil { // runAudit has already refused bad limits
			th = t
		}
		out.Limits = []time.Duration{th.MaxUnused, th.MaxAge}
	}
	return report.WriteAudit(o.Stdout, rows, now, out)
}

// progress reports long reads on stderr when a person is watching.
func (d *Deps) progress(what string) func(done, total int) {
	if !d.StderrIsTerminal {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(d.Stderr, "\r%s: %d/%d", what, done, total)
		if done == total {
			fmt.Fprint(d.Stderr, "\r\033[K")
		}
	}
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
