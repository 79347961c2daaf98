package jobs

import (
	"context"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// WarnAhead is a curfew's warning-only run: it reads the job's users in every account and
// decides (policy.CurfewWarnings) which keys the run at due will deactivate. It changes
// nothing and settles nothing; Tell sends the warnings and remembers them. serve fires it
// warn: before each run, the Lambda on its {"job": …, "warn": true} event.
func WarnAhead(ctx context.Context, accts []accounts.Account, cfg *policy.Config, job string, now, due time.Time, opts Options) []Run {
	opts.Settle = false
	plans := decide(ctx, accts, cfg, []string{job}, now, opts, func(inv keys.Inventory) (policy.Plan, error) {
		return policy.CurfewWarnings(inv, cfg, job, now, due)
	})
	runs := make([]Run, len(plans))
	for i, p := range plans {
		runs[i].Plan = p
	}
	return runs
}
