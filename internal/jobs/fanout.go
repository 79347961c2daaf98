package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/awsconfig"
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
// are its own: throttling in one account does not slow the rest. How many accounts are in
// flight within n adapts (window): from StartAccounts up while accounts open, halved when
// STS throttles the AssumeRole calls, which are the caller's, not the accounts'.
func Each[T any](ctx context.Context, accts []accounts.Account, n int, fn func(context.Context, accounts.Account, Session) (T, error)) []Outcome[T] {
	out, _ := each(ctx, accts, n, fn)
	return out
}

func each[T any](ctx context.Context, accts []accounts.Account, n int, fn func(context.Context, accounts.Account, Session) (T, error)) ([]Outcome[T], *gate) {
	if n <= 0 {
		n = policy.DefaultAccountConcurrency
	}
	out := make([]Outcome[T], len(accts))
	g := newGate(n)
	var wg sync.WaitGroup
	for i, a := range accts {
		out[i].Account = a
		wg.Add(1)
		epoch := g.acquire()
		go func() {
			defer wg.Done()
			defer g.release()
			// A bug that panics in one account is that account's failure, as in a daemon one
			// bad key must not end the process.
			defer func() {
				if r := recover(); r != nil {
					out[i].Err = fmt.Errorf("internal error: %v", r)
				}
			}()
			var throttled atomic.Bool
			s, err := Open(awsconfig.OnThrottle(ctx, func(string) {
				throttled.Store(true)
				g.throttled(epoch)
			}), a)
			g.done(!throttled.Load())
			if err != nil {
				out[i].Err = err
				return
			}
			out[i].Value, out[i].Err = fn(ctx, a, s)
		}()
	}
	wg.Wait()
	slog.Debug("accounts fan-out", "accounts", len(accts), "bound", n, "peak in flight", g.peak,
		"window", g.w.limit, "throttles", g.throttles)
	return out, g
}

// gate holds the accounts in flight to the window.
type gate struct {
	mu        sync.Mutex
	more      *sync.Cond // a slot freed or the window grew
	w         window
	inFlight  int
	peak      int
	throttles int
}

func newGate(n int) *gate {
	g := &gate{w: newWindow(n)}
	g.more = sync.NewCond(&g.mu)
	return g
}

// acquire waits for room in the window and returns the epoch the account starts in.
func (g *gate) acquire() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.inFlight >= g.w.limit {
		g.more.Wait()
	}
	g.inFlight++
	g.peak = max(g.peak, g.inFlight)
	return g.w.epoch
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	g.more.Broadcast()
}

// done is an account opened (or acted on), clean when the caller was not throttled doing it.
func (g *gate) done(clean bool) {
	if !clean {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.w.Opened()
	g.more.Broadcast()
}

func (g *gate) throttled(epoch int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.throttles++
	g.w.Throttled(epoch)
}
