package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/policy"
)

// warn is a curfew's warning-only run, fired by the template's second schedule warn: before
// the job's own: it tells the owners of the keys the next run will deactivate, and changes
// nothing. The run warned of is the schedule's next under EventBridge's rule.
func (h *Handler) warn(ctx context.Context, r Result, cfg *policy.Config, ev contract.Event, accts []accounts.Account, now time.Time, jo jobs.Options, log *slog.Logger) (Result, error) {
	j, _ := cfg.Job(ev.Job)
	if j.CurfewWarn() <= 0 || j.Cron == nil {
		return r, fmt.Errorf("job %s has no curfew with warn: to warn of (a deactivate rule without a condition, like deactivate: {warn: 1h}); send {\"job\":%q} to run it", ev.Job, ev.Job)
	}
	due := j.Cron.NextSkippingGaps(now)
	runs := jobs.WarnAhead(ctx, accts, cfg, ev.Job, now, due, jo)
	end := jobs.Finish(ev.Job, runs)
	end.Log(log)
	r.FailedAccounts = end.Failed
	for _, run := range runs {
		r.Warnings = append(r.Warnings, run.Plan.Plan.Warnings...)
	}
	log.Info("curfew warning", "job", ev.Job, "due", due.UTC().Format(time.RFC3339), "warnings", len(r.Warnings))
	var err error
	if !ev.DryRun {
		err = h.tell(ctx, cfg, ev, runs, log)
	}
	if aerr := end.AccountsErr(); aerr != nil {
		err = errors.Join(fmt.Errorf("the warning could not be read: %w", aerr), err)
	}
	return r, err
}
