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
//
// A user named exactly that does not exist is left out, not an error: across accounts a name
// means "this user wherever it exists"; the caller decides with Missing whether it is nowhere.
func ReadFor(ctx context.Context, c inventory.IAM, cfg *policy.Config, names []string, concurrency int) (keys.Inventory, error) {
	need := cfg.Needs(names)
	inv, err := inventory.Read(ctx, c, inventory.Options{
		Users: readUsers(cfg, names), Concurrency: concurrency,
		SkipLastUsed: !need.LastUsed, ActiveLastUsed: true,
		SkipTags: !need.Tags, TagsIfInactive: !need.AllTags,
		SkipUnknown: true,
	})
	if err != nil {
		return keys.Inventory{}, fmt.Errorf("read the inventory: %w", err)
	}
	return inv, nil
}

// readUsers is the users ReadFor reads: every job's names and globs, or nil (every user) when a
// job selects every user.
func readUsers(cfg *policy.Config, names []string) []string {
	var users []string
	for _, j := range cfg.Jobs {
		if len(names) > 0 && !slices.Contains(names, j.Name) {
			continue
		}
		if len(j.Select.Users) == 0 {
			return nil
		}
		users = append(users, j.Select.Users...)
	}
	return users
}

// Missing are the users the named jobs select by exact name that inv, as ReadFor read it,
// lacks. A glob that matches nobody is not missing: a job's glob may rightly match no one today.
func Missing(cfg *policy.Config, names []string, inv keys.Inventory) []string {
	var exact []string
	for _, u := range readUsers(cfg, names) {
		if !keys.IsGlob(u) && !slices.Contains(exact, u) {
			exact = append(exact, u)
		}
	}
	return inventory.Unmatched(exact, inv.Users)
}
