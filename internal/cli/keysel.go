package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

// keySelector is how deactivate and activate name keys: by id alone, or by user.
type keySelector struct {
	accountFlags
	Keys   []string
	Users  []string
	All    bool
	DryRun bool
}

func (s *keySelector) addFlags(cmd *cobra.Command, verb string) {
	f := cmd.Flags()
	f.StringArrayVar(&s.Keys, "key", nil, "access key id to "+verb+" (repeatable); the owner is looked up")
	f.StringArrayVarP(&s.Users, "user", "u", nil, "IAM user name or glob (repeatable); with --key, the key must be this user's")
	f.BoolVar(&s.All, "all", false, "every key of the selected users")
	f.BoolVar(&s.DryRun, "dry-run", false, "print what would change and change nothing")
	s.accountFlags.addFlags(cmd)
}

// IAM access key ids: 16 to 128 word characters; keywarden sees AKIA… (long-term) keys.
var keyIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]{16,128}$`) })

func (s *keySelector) validate() error {
	switch {
	case len(s.Keys) == 0 && !s.All:
		return usagef("say which keys: --key ID, or --user NAME with --all")
	case len(s.Keys) > 0 && s.All:
		return usagef("--key and --all do not go together: name keys, or take all of a user's")
	case s.All && len(s.Users) == 0:
		return usagef("--all needs --user (use --user '*' to mean every user in the account)")
	}
	for _, k := range s.Keys {
		if strings.HasPrefix(k, "ASIA") {
			return usagef("%s is a temporary (STS) key: it cannot be deactivated, it expires on its own", k)
		}
		if !keyIDRE().MatchString(k) {
			return usagef("--key %q is not an access key id (expected AKIA followed by letters and digits)", k)
		}
	}
	if err := inventory.ValidatePatterns(s.Users); err != nil {
		return usageErr(err)
	}
	return nil
}

func (s *keySelector) selection() jobs.Selection {
	return jobs.Selection{Keys: s.Keys, Users: s.Users, All: s.All}
}

// actions is jobs.Select in one account, a failed read worded as the command says it.
func (s *keySelector) actions(ctx context.Context, c inventory.IAM, kind policy.Kind, reason string) ([]policy.Action, []string, error) {
	acts, unmatched, err := jobs.Select(ctx, c, s.selection(), kind, reason)
	if step := (*jobs.StepError)(nil); errors.As(err, &step) {
		return nil, nil, awsErr(step.What, step.Err)
	}
	return acts, unmatched, err
}

// noUserErr is a selection with names or globs that match no user: bad input, so that a typo
// in a CI step or a curfew is seen instead of passing as "nothing to do".
func noUserErr(unmatched []string, where string) error {
	if len(unmatched) == 1 && !keys.IsGlob(unmatched[0]) {
		return usagef("user %q not found%s; list users with 'aws iam list-users'", unmatched[0], where)
	}
	return usagef("no user matches %s%s; list users with 'aws iam list-users'", strings.Join(unmatched, ", "), where)
}

// resultPrinter writes each key's line as it is decided and done, so a run killed half-way has
// said what it changed; JSON, being one document, is written at the end. In a run over
// accounts each line, row and JSON object names its account.
type resultPrinter struct {
	o           *globalOptions
	d           *Deps
	withAccount bool
	csv         *csv.Writer
	err         error
}

func newResultPrinter(o *globalOptions, d *Deps, withAccount bool) *resultPrinter {
	p := &resultPrinter{o: o, d: d, withAccount: withAccount}
	if o.Output == "csv" {
		p.csv = csv.NewWriter(d.Stdout)
		p.write(p.row("account", []string{"access_key_id", "user", "action", "outcome", "reason"}))
	}
	return p
}

func (p *resultPrinter) row(account string, cells []string) []string {
	if !p.withAccount {
		return cells
	}
	return append([]string{account}, cells...)
}

func (p *resultPrinter) write(row []string) {
	if p.err == nil {
		p.err = p.csv.Write(row)
	}
	if p.err == nil {
		p.csv.Flush()
		p.err = p.csv.Error()
	}
}

// add prints one result; jobs.Options.OnResult calls it one result at a time.
func (p *resultPrinter) add(r jobs.Result) {
	switch p.o.Output {
	case "json":
	case "csv":
		p.write(p.row(r.Account, []string{r.AccessKeyID, r.User, string(r.Action), r.Outcome, r.Reason}))
	default:
		line := fmt.Sprintf("%s %s %s\n", r.AccessKeyID, r.User, outcomeText(r.Result))
		if p.withAccount {
			line = r.Account + " " + line
		}
		if _, err := io.WriteString(p.d.Stdout, line); err != nil && p.err == nil {
			p.err = err
		}
	}
}

// finish writes the JSON document, if that is the format, and returns the exit code's error.
func (p *resultPrinter) finish(rs []jobs.Result) error {
	if p.o.Output == "json" {
		if rs == nil {
			rs = []jobs.Result{}
		}
		p.err = report.JSON(p.d.Stdout, rs)
	}
	if p.err != nil {
		return p.err
	}
	plain := make([]apply.Result, len(rs))
	for i, r := range rs {
		plain[i] = r.Result
		if p.withAccount && r.Outcome == apply.Failed {
			plain[i].Reason = "in " + r.Account + ": " + r.Reason
		}
	}
	return resultsErr(plain)
}

func outcomeText(r apply.Result) string {
	switch r.Outcome {
	case apply.Skipped, apply.Refused, apply.Failed, jobs.Rotated, jobs.Finished, jobs.Waiting:
		return r.Outcome + ": " + r.Reason
	case apply.Reported:
		// A report rule changes nothing: say finding, so nobody counts it as a change.
		return "finding: " + r.Reason
	}
	if r.Record != "" {
		return r.Outcome + ", but " + r.Record
	}
	return r.Outcome
}

// resultsErr sums failed and refused results up in one sentence (and, for a denial, the
// policy that grants it); the per-key lines already said what was done. Failures carry the
// first one's code (exitcode.Of).
func resultsErr(rs []apply.Result) error {
	t := apply.TallyOf(rs)
	if t.Failed > 0 {
		msg := fmt.Sprintf("%d of %s failed; first: %s", t.Failed, count(len(rs), "key"), t.Why())
		return &codedError{msg: msg, detail: deniedPolicy(t.First.Err), cause: t.First.Err}
	}
	if t.Refused > 0 {
		return refusedf("%d of %s refused (see above)", t.Refused, count(len(rs), "key"))
	}
	return nil
}
