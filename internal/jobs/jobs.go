// Package jobs is keywarden's one read → decide → act loop: plan and apply, serve (scheduled
// and --once) and the Lambda all run jobs of keywarden.yaml here, in every account the run
// covers. Reading is internal/inventory, deciding is policy.Evaluate (pure), acting is
// apply.Apply; this package strings them together once and fans them out over accounts, so a
// command only renders what came back.
package jobs

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
)

// Session is an account opened for work: its config, its IAM client and the key keywarden is
// signed with there (the self-lockout guard's key; an assumed role's session key is no user's).
type Session struct {
	Config    aws.Config
	IAM       engine.IAM // what apply and both rotations call
	SelfKeyID string
}

// Open opens one account.
func Open(ctx context.Context, a accounts.Account) (Session, error) {
	cfg, err := a.Open(ctx)
	if err != nil {
		return Session{}, err
	}
	s := Session{Config: cfg, IAM: clients.IAM(cfg)}
	if a.Role == "" {
		// An assumed role's session key is no user's; a key that cannot be read guards nothing.
		s.SelfKeyID, _ = awsconfig.SignedWith(ctx, cfg)
	}
	return s, nil
}

// Plan is one account's read and decision: what plan prints and apply carries out.
type Plan struct {
	Account   accounts.Account
	Session   Session
	Inventory keys.Inventory
	Plan      policy.Plan
	Err       error // the account could not be opened, read or evaluated
	// Unsettled are the pending records that could not be settled this time, one sentence each.
	Unsettled []error
	// Absent are users the jobs name exactly that this account lacks but another has: news,
	// not a failure (a name nowhere fails every account instead).
	Absent []string
}

// Options say how to read and act.
type Options struct {
	// Concurrency bounds the users read and acted on at once within one account.
	Concurrency int
	// Accounts bounds the accounts worked on at once.
	Accounts int
	// Apply is passed to apply.Apply in every account; its SelfKeyID is the account's own and
	// its OnResult is replaced by OnResult below.
	Apply    apply.Options
	OnResult func(Result)
	// Rotate is what rotate rules need from the runner's edge (see RotateOptions).
	Rotate RotateOptions
	// Settle settles, before deciding, the records an earlier run left pending (apply, serve
	// and the Lambda; never plan or a dry run, which change nothing).
	Settle bool
}

// Result is one key's outcome, named by its account ("" in a run of the caller's account only).
type Result struct {
	Account string `json:"account,omitempty"`
	apply.Result
}

// Decide reads and evaluates the named jobs (all when names is empty) as of at in every account.
func Decide(ctx context.Context, accts []accounts.Account, cfg *policy.Config, names []string, at time.Time, opts Options) []Plan {
	return decide(ctx, accts, cfg, names, at, opts, func(inv keys.Inventory) (policy.Plan, error) {
		return policy.Evaluate(inv, cfg, names, at)
	})
}

func decide(ctx context.Context, accts []accounts.Account, cfg *policy.Config, names []string, at time.Time, opts Options, eval func(keys.Inventory) (policy.Plan, error)) []Plan {
	outs := Each(ctx, accts, opts.Accounts, func(ctx context.Context, a accounts.Account, s Session) (Plan, error) {
		p := Plan{Account: a, Session: s}
		inv, err := ReadFor(ctx, s.IAM, cfg, names, opts.Concurrency)
		if err != nil {
			return p, &StepError{What: "read the users the jobs select", Err: err}
		}
		if opts.Settle {
			// The next run settles what a crashed one left, before deciding on those records.
			p.Unsettled = provenance.SettleAll(ctx, s.IAM, &inv, at)
		}
		p.Inventory = inv
		p.Plan, err = eval(inv)
		if err == nil {
			nameWhoUses(ctx, s, inv, &p.Plan, at)
		}
		return p, err
	})
	plans := make([]Plan, len(outs))
	var searched []string
	unmatched := map[string][]string{}
	for i, o := range outs {
		plans[i] = o.Value
		plans[i].Account, plans[i].Err = o.Account, o.Err
		if o.Err == nil {
			searched = append(searched, o.Account.ID)
			unmatched[o.Account.ID] = Missing(cfg, names, o.Value.Inventory)
		}
	}
	absent := accounts.FindAbsent(readUsers(cfg, names), searched, unmatched)
	for i := range plans {
		if plans[i].Err != nil {
			continue
		}
		if len(absent.Nowhere) > 0 {
			// A name no account has is a typo or a deleted user: every account says so.
			plans[i].Err = &StepError{What: "read the users the jobs select", Err: &inventory.UnknownUserError{Name: absent.Nowhere[0]}}
			plans[i].Plan = policy.Plan{}
			continue
		}
		plans[i].Absent = absent.Lacking[plans[i].Account.ID]
	}
	return plans
}

// StepError is a step of an account's run that failed; it reads as one sentence naming the step.
type StepError struct {
	What string
	Err  error
}

func (e *StepError) Error() string { return awserr.Message(e.What, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }
