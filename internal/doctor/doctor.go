// Package doctor checks that keywarden can work in each account a run covers: the member role
// can be assumed and every read of the inventory is allowed. It changes nothing, and it tries
// no call that changes keys: their permissions come from the same policy as the reads.
package doctor

import (
	"context"
	"errors"
	"fmt"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
)

// Result is one account's answer; a nil Err means ready.
type Result struct {
	Account accounts.Account
	Err     error
}

// Check opens every account, at most n at once (jobs.Each), and tries the inventory's reads
// there (inventory.Probe). Results are in the accounts' order; one account's failure is its own.
func Check(ctx context.Context, accts []accounts.Account, n int) []Result {
	outs := jobs.Each(ctx, accts, n, func(ctx context.Context, _ accounts.Account, s jobs.Session) (struct{}, error) {
		return struct{}{}, probe(ctx, s.IAM)
	})
	rs := make([]Result, len(outs))
	for i, o := range outs {
		rs[i] = Result{Account: o.Account, Err: o.Err}
	}
	return rs
}

// probe is inventory.Probe with a denied read said as what to add to the member role.
func probe(ctx context.Context, c inventory.IAM) error {
	var pe *inventory.ProbeError
	if err := inventory.Probe(ctx, c); errors.As(err, &pe) {
		return problem(pe.Action, pe.Err)
	} else if err != nil {
		return err
	}
	return nil
}

func problem(action string, err error) error {
	if awserr.Classify(err) == awserr.AccessDenied {
		return fmt.Errorf("%s is denied; add it to the member role's policy ('keywarden policy -c FILE' prints it)", action)
	}
	return awserr.Wrap("try "+action, err)
}
