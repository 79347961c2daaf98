package apply

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
)

// JobRun is one run of keywarden.yaml jobs: what was read, decided and done.
type JobRun struct {
	Inventory keys.Inventory
	Plan      policy.Plan
	Results   []Result
}

// ReadFor reads the inventory the named jobs need. When every job names its users (exactly or
// by glob), only those users are read: exact names with GetUser (the seed's one-user curfew
// costs a few calls however large the account is), globs by filtering ListUsers before any
// per-user call. A job that selects every user (or only by path) reads every user. Last use
// and tags are read only when a rule decides on them (policy.Config.Needs).
func ReadFor(ctx context.Context, c inventory.IAM, cfg *policy.Config, names []string, concurrency int) (keys.Inventory, error) {
	var users []string
	for _, j := range cfg.Jobs {
		if len(names) > 0 && !contains(names, j.Name) {
			continue
		}
		if len(j.Select.Users) == 0 {
			users = nil
			break
		}
		users = append(users, j.Select.Users...)
	}
	need := cfg.Needs(names)
	inv, err := inventory.Read(ctx, c, inventory.Options{
		Users: users, Concurrency: concurrency,
		SkipLastUsed: !need.LastUsed, ActiveLastUsed: true,
		SkipTags: !need.Tags, TagsIfInactive: !need.AllTags,
	})
	if err != nil {
		return keys.Inventory{}, fmt.Errorf("read the inventory: %w", err)
	}
	return inv, nil
}

// RunJobs reads, evaluates the named jobs (all when names is empty) as of now, and applies the
// plan (or, with opts.DryRun, reports what it would do). Each action's provenance names its job.
func RunJobs(ctx context.Context, c IAM, cfg *policy.Config, names []string, now time.Time, opts Options) (JobRun, error) {
	inv, err := ReadFor(ctx, c, cfg, names, opts.Concurrency)
	if err != nil {
		return JobRun{}, err
	}
	if !opts.DryRun {
		// The next run settles what a crashed one left, before deciding on those records.
		for _, err := range provenance.SettleAll(ctx, c, &inv, now) {
			slog.Warn("could not settle a pending record", "error", err)
		}
	}
	plan, err := policy.Evaluate(inv, cfg, names, now)
	if err != nil {
		return JobRun{Inventory: inv}, err
	}
	return JobRun{Inventory: inv, Plan: plan, Results: Apply(ctx, c, plan.Actions, opts)}, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
