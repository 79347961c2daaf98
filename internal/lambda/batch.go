package lambda

import (
	"fmt"
	"log/slog"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/lambda/contract"
)

// batch narrows the run to the event's batch of accounts, before anything changes: one
// invocation of a run fanned out over many (README: runs beyond 15 minutes).
func (h *Handler) batch(accts []accounts.Account, src Source, ev contract.Event, r *Result, log *slog.Logger) ([]accounts.Account, error) {
	if src.Config.Accounts == nil {
		return nil, fmt.Errorf("job %s: the event names a batch of accounts but %s has no accounts: section; add one, or drop \"accounts\" from the event", ev.Job, src.From)
	}
	in, excluded, err := accounts.Batch(accts, *src.Config.Accounts, ev.Accounts)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", ev.Job, err)
	}
	for _, id := range excluded {
		log.Info("account excluded by the config, not run", "account", id, "job", ev.Job)
	}
	r.Batch = make([]string, len(in))
	for i, a := range in {
		r.Batch[i] = a.ID
	}
	r.Excluded = excluded
	return in, nil
}
