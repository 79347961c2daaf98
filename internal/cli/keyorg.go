package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
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
// and acted on with its own session through the one runner (jobs.Each, jobs.Act), every line
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
	var mu sync.Mutex
	unmatched := map[string][]string{}
	outs := jobs.Each(ctx, accts, spec.Concurrency, func(ctx context.Context, a accounts.Account, ss jobs.Session) (jobs.Plan, error) {
		sub := *sel
		sub.Keys = keysIn[a.ID]
		acts, um, err := sub.actions(ctx, ss.IAM, kind, "requested")
		mu.Lock()
		unmatched[a.ID] = um
		mu.Unlock()
		return jobs.Plan{Account: a, Session: ss, Plan: policy.Plan{Actions: acts}}, err
	})
	plans := make([]jobs.Plan, len(outs))
	var searched []string
	n := 0
	for i, o := range outs {
		plans[i] = o.Value
		plans[i].Account, plans[i].Err = o.Account, o.Err
		var ce *codedError
		if errors.As(o.Err, &ce) && ce.code == exitUsage {
			return usagef("in account %s: %s", o.Account.ID, ce.msg)
		}
		if o.Err == nil {
			searched = append(searched, o.Account.ID)
		}
		n += len(plans[i].Plan.Actions)
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

// keyInfo is the STS call that says which account an access key id belongs to. It needs no
// access to that account, so a key is placed with one call, not one search per account.
type keyInfo interface {
	GetAccessKeyInfo(context.Context, *sts.GetAccessKeyInfoInput, ...func(*sts.Options)) (*sts.GetAccessKeyInfoOutput, error)
}

// locateKeys places each key in its account and keeps only the accounts that hold one, in
// their order. A key of an account the run does not cover is bad input: nothing is changed.
func locateKeys(ctx context.Context, c keyInfo, ids []string, accts []accounts.Account) ([]accounts.Account, map[string][]string, error) {
	covered := map[string]bool{}
	for _, a := range accts {
		covered[a.ID] = true
	}
	in := map[string][]string{}
	var outside []string
	for _, id := range ids {
		o, err := c.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)})
		if err != nil {
			return nil, nil, awsErr("find the account of access key "+id+" (sts:GetAccessKeyInfo)", err)
		}
		acct := aws.ToString(o.Account)
		if !covered[acct] {
			outside = append(outside, id+" is in account "+acct)
			continue
		}
		in[acct] = append(in[acct], id)
	}
	if len(outside) > 0 {
		sort.Strings(outside)
		return nil, nil, usagef("access key %s, which this run does not cover; add the account to --accounts (or drop it from exclude:) and run again",
			strings.Join(outside, ", "))
	}
	var out []accounts.Account
	for _, a := range accts {
		if len(in[a.ID]) > 0 {
			out = append(out, a)
		}
	}
	return out, in, nil
}
