package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/policy"
)

// Run is one account's whole run: its plan and what was done.
type Run struct {
	Plan
	Results []Result
}

// Act carries out each account's plan with the session it was read with; an account whose
// plan failed is passed through untouched. Key actions go to apply.Apply, rotation steps to
// internal/svcrotate (rotateAll). Actions name their job, so provenance says which
// job changed a key; opts.Apply.Origin names the rest.
func Act(ctx context.Context, plans []Plan, opts Options) []Run {
	runs := make([]Run, len(plans))
	// Acting opens no account (the plans hold their sessions), so no STS throttle is seen here:
	// the window starts where Each's does and grows as accounts are done, up to the bound.
	n := opts.Accounts
	if n <= 0 {
		n = policy.DefaultAccountConcurrency
	}
	g := newGate(n)
	var mu sync.Mutex // OnResult sees one result at a time, whichever account it came from
	var wg sync.WaitGroup
	for i, p := range plans {
		runs[i].Plan = p
		if p.Err != nil || len(p.Plan.Actions) == 0 {
			continue
		}
		wg.Add(1)
		g.acquire()
		go func() {
			defer wg.Done()
			defer g.release()
			defer g.done(true)
			ao := opts.Apply
			ao.SelfKeyID = p.Session.SelfKeyID
			if ao.Concurrency == 0 {
				ao.Concurrency = opts.Concurrency
			}
			ao.OnResult = nil
			if opts.OnResult != nil {
				ao.OnResult = func(r apply.Result) {
					mu.Lock()
					defer mu.Unlock()
					opts.OnResult(Result{Account: p.Account.ID, Result: r})
				}
			}
			// Key actions first, then rotations (each a longer conversation with IAM, STS and
			// the destinations); results keep the plan's order.
			var keyActs, rotActs []policy.Action
			var keyAt, rotAt []int
			for j, a := range p.Plan.Actions {
				if isRotation(a.Kind) {
					rotActs, rotAt = append(rotActs, a), append(rotAt, j)
				} else {
					keyActs, keyAt = append(keyActs, a), append(keyAt, j)
				}
			}
			runs[i].Results = make([]Result, len(p.Plan.Actions))
			for j, r := range apply.Apply(ctx, p.Session.IAM, keyActs, ao) {
				runs[i].Results[keyAt[j]] = Result{Account: p.Account.ID, Result: r}
			}
			arns := map[string]string{}
			for _, u := range p.Inventory.Users {
				arns[u.Name] = u.ARN
			}
			for j, r := range rotateAll(ctx, p.Session, rotActs, arns, ao, opts.Rotate, ao.Concurrency, ao.OnResult) {
				runs[i].Results[rotAt[j]] = Result{Account: p.Account.ID, Result: r}
			}
		}()
	}
	wg.Wait()
	return runs
}

// RunJobs reads, decides and acts: the named jobs as of now in every account. It is what
// serve and the Lambda run each time a job fires.
func RunJobs(ctx context.Context, accts []accounts.Account, cfg *policy.Config, names []string, now time.Time, opts Options) []Run {
	opts.Settle = !opts.Apply.DryRun
	if opts.Rotate.FireTime.IsZero() {
		opts.Rotate.FireTime = now
	}
	return Act(ctx, Decide(ctx, accts, cfg, names, now, opts), opts)
}

// Results are every account's results, in account order.
func Results(runs []Run) []Result {
	var out []Result
	for _, r := range runs {
		out = append(out, r.Results...)
	}
	return out
}

// Failure is an account the run could not finish, with the reason in one sentence.
type Failure struct {
	Account string `json:"account"`
	Reason  string `json:"reason"`
	Err     error  `json:"-"`
}

// Failures are the accounts whose plan failed, in account order.
func Failures(plans []Plan) []Failure {
	var out []Failure
	for _, p := range plans {
		if p.Err != nil {
			out = append(out, Failure{Account: p.Account.ID, Reason: p.Err.Error(), Err: p.Err})
		}
	}
	return out
}

// PlansOf are the plans of runs, for Failures.
func PlansOf(runs []Run) []Plan {
	out := make([]Plan, len(runs))
	for i, r := range runs {
		out[i] = r.Plan
	}
	return out
}
