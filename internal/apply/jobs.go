package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// JobRun is one run of keywarden.yaml jobs: what was read, decided and done.
type JobRun struct {
	Inventory keys.Inventory
	Plan      policy.Plan
	Results   []Result
}

// ReadFor reads the inventory the named jobs need: only the users they name when every job
// selects by exact name (the seed's one-user curfew costs a few calls, not one per user in the
// account), else every user.
func ReadFor(ctx context.Context, c inventory.IAM, cfg *policy.Config, names []string, concurrency int) (keys.Inventory, error) {
	var users []string
	exact := true
	for _, j := range cfg.Jobs {
		if len(names) > 0 && !contains(names, j.Name) {
			continue
		}
		if len(j.Select.Users) == 0 || len(j.Select.Paths) > 0 {
			exact = false
			break
		}
		for _, u := range j.Select.Users {
			if inventory.IsGlob(u) {
				exact = false
			}
			users = append(users, u)
		}
	}
	if !exact {
		users = nil
	}
	inv, err := inventory.Read(ctx, c, inventory.Options{Users: users, Concurrency: concurrency})
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
