package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

// auditAccounts is audit over accounts: each account is read in its own turn of the one
// fan-out (jobs.Each), every row names its account, and an account that could not be read is
// named on stderr with its reason while the others are reported; the exit code is then 1.
func (o *auditOptions) auditAccounts(ctx context.Context, accts []accounts.Account, n int, th policy.Thresholds, at, start time.Time) error {
	type read struct {
		inv   keys.Inventory
		alias string
	}
	outs := jobs.Each(ctx, accts, n, func(ctx context.Context, a accounts.Account, s jobs.Session) (read, error) {
		c := clients.IAM(s.Config)
		inv, err := o.readInventory(ctx, c, false)
		if err != nil || o.Output != "html" {
			return read{inv: inv}, err
		}
		// Through the assumed role, as the keys were: a page a manager reads says which account.
		return read{inv, accountAlias(ctx, c)}, nil
	})
	o.aliases = map[string]string{}
	var rows []report.AuditRow
	var failed []jobs.Failure
	sources := map[string]int{}
	users := 0
	for _, out := range outs {
		if out.Err != nil {
			failed = append(failed, jobs.Failure{Account: out.Account.ID, Reason: out.Err.Error(), Err: out.Err})
			continue
		}
		inv := out.Value.inv
		if out.Value.alias != "" {
			o.aliases[out.Account.ID] = out.Value.alias
		}
		users += len(inv.Users)
		sources[inv.Source]++
		for _, r := range report.AuditRows(inv, th, at) {
			r.Account = out.Account.ID
			rows = append(rows, r)
		}
	}
	if err := o.render(rows, at); err != nil {
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
	fmt.Fprintf(o.Stderr, "keywarden: %s, %s%s (%s, %s)\n", count(len(outs)-len(failed), "account"),
		auditCounts(users, len(rows), nf), when, sourceCounts(sources), o.Now().Sub(start).Round(time.Millisecond))
	if sources[inventory.SourceReport] > 0 {
		fmt.Fprintln(o.Stderr, "keywarden: the credential report has no key ids; use --source api to list them")
	}
	if err := accountFailures(o.Stderr, failed, len(outs)); err != nil {
		return err
	}
	if o.FailOnFindings && nf > 0 {
		return silentExit(exitcode.Findings)
	}
	return nil
}

// sourceCounts says where keys came from: "source api" or "source api in 3, report in 2 accounts".
func sourceCounts(m map[string]int) string {
	if len(m) <= 1 {
		for s := range m {
			return "source " + s
		}
		return "no source"
	}
	var parts []string
	for s, n := range m {
		parts = append(parts, fmt.Sprintf("%s in %d", s, n))
	}
	sort.Strings(parts)
	return "source " + strings.Join(parts, ", ") + " accounts"
}
