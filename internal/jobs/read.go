package jobs

import (
	"context"
	"fmt"
	"slices"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// ReadFor reads the inventory the named jobs need. When every job names its users (exactly or
// by glob), only those users are read: exact names with GetUser (the seed's one-user curfew
// costs a few calls however large the account is), globs by filtering ListUsers before any
// per-user call. A job that selects every user (or only by path) reads every user. Last use
// and tags are read only when a rule decides on them (policy.Config.Needs).
func ReadFor(ctx context.Context, c inventory.IAM, cfg *policy.Config, names []string, concurrency int) (keys.Inventory, error) {
	var users []string
	for _, j := range cfg.Jobs {
		if len(names) > 0 && !slices.Contains(names, j.Name) {
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
