package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

const keyAccountsHelp = `Across accounts (--org, --accounts ID,…, with --role and --external-id): --key acts in
the account that holds the key (found with sts:GetAccessKeyInfo, one call per key), --user
NAME --all in every account; each line starts with the account. An account whose role cannot
be assumed, or that fails, is named on stderr and the others are still done (exit 1).

`

// keyChangeAccounts is deactivate and activate over accounts (--org, --accounts): --key acts in
// whichever account holds each key, --user NAME --all in every account. Each account is read
// and acted on with its own session through the one runner (jobs.SelectEach, jobs.Act), every line
// names its account, and an account that cannot be opened or read is that account's failure
// alone. Bad input (a key the run does not cover, unknown, or of another user) changes nothing
// anywhere, as in one account.
func keyChangeAccounts(ctx context.Context, d *Deps, g *globalOptions, sel *keySelector, kind policy.Kind, ao apply.Options, s *session, spec *policy.Accounts) error {
	accts, err := s.accounts(ctx, spec)
	if err != nil {
		return err
	}
	keysIn := map[string][]string{}
	if len(sel.Keys) > 0 {
		if accts, keysIn, err = locateKeys(ctx, s.sts, sel.Keys, accts); err != nil {
			return err
		}
	}
	got := jobs.SelectEach(ctx, accts, spec.Concurrency, sel.selection(), keysIn, kind, "requested")
	plans, unmatched := got.Plans, got.Unmatched
	var searched []string
	n := 0
	for _, p := range plans {
		if exitcode.Of(p.Err) == exitcode.Usage {
			return usagef("in account %s: %s", p.Account.ID, p.Err)
		}
		if p.Err == nil {
			searched = append(searched, p.Account.ID)
		}
		n += len(p.Plan.Actions)
	}
	if sel.All {
		// Across accounts a name is "this user wherever it exists": act where it is, say
		// where it is not, and refuse (changing nothing) only a name that is nowhere.
		absent := accounts.FindAbsent(sel.Users, searched, unmatched)
		if len(absent.Nowhere) > 0 {
			return noUserErr(absent.Nowhere, " in any of "+count(len(searched), "account"))
		}
		for _, id := range searched {
			if l := absent.Lacking[id]; len(l) > 0 {
				fmt.Fprintf(d.Stderr, "keywarden: account %s: no user %s here\n", id, strings.Join(l, ", "))
			}
		}
	}
	if n == 0 {
		fmt.Fprintf(d.Stderr, "keywarden: no key of the selected users to %s in %s\n", kind, count(len(accts), "account"))
	}
	if sel.DryRun {
		fmt.Fprintln(d.Stderr, "keywarden: dry run: nothing will change")
	}
	p := newResultPrinter(g, d, true)
	ao.Origin, ao.DryRun, ao.Now = string(kind), sel.DryRun, d.Now
	// Act hands OnResult one result at a time, whichever account it came from.
	opts := jobs.Options{Accounts: spec.Concurrency, Apply: ao, OnResult: p.add}
	err = p.finish(jobs.Results(jobs.Act(ctx, plans, opts)))
	if ferr := accountFailures(d.Stderr, jobs.Failures(plans), len(plans)); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// locateKeys is accounts.Locate with its errors worded and coded for the command.
func locateKeys(ctx context.Context, c accounts.KeyInfo, ids []string, accts []accounts.Account) ([]accounts.Account, map[string][]string, error) {
	out, in, err := accounts.Locate(ctx, c, ids, accts)
	var outside *accounts.OutsideError
	var lookup *accounts.LookupError
	switch {
	case errors.As(err, &outside):
		return nil, nil, usageErr(outside)
	case errors.As(err, &lookup):
		return nil, nil, awsErr("find the account of access key "+lookup.KeyID+" (sts:GetAccessKeyInfo)", lookup.Err)
	}
	return out, in, err
}
