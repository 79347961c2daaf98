package jobs

import (
	"context"
	"fmt"
	"sync"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/policy"
)

// Outcome is what fn gave for one account.
type Outcome[T any] struct {
	Account accounts.Account
	Value   T
	Err     error
}

// Each runs fn in every account, at most n at once (policy.DefaultAccountConcurrency when n
// is 0), and returns the outcomes in the accounts' order. It is the one account fan-out of
// keywarden: an account whose role cannot be assumed, that is throttled past its retries, or
// that denies a call gives that account an error and never stops the others (DESIGN.md,
// invariant 10). Each account opens its own config, so its SDK retryer and adaptive rate limit
// are its own: throttling in one account does not slow the rest.
func Each[T any](ctx context.Context, accts []accounts.Account, n int, fn func(context.Context, accounts.Account, Session) (T, error)) []Outcome[T] {
	if n <= 0 {
		n = policy.DefaultAccountConcurrency
	}
	out := make([]Outcome[T], len(accts))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, a := range accts {
		out[i].Account = a
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A bug that panics in one account is that account's failure, as in a daemon one
			// bad key must not end the process.
			defer func() {
				if r := recover(); r != nil {
					out[i].Err = fmt.Errorf("internal error: %v", r)
				}
			}()
			s, err := Open(ctx, a)
			if err != nil {
				out[i].Err = err
				return
			}
			out[i].Value, out[i].Err = fn(ctx, a, s)
		}()
	}
	wg.Wait()
	return out
}
