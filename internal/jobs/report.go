package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/policy"
)

// End is what a run came to, worked out once for every front that reports it: serve's
// scheduled runs and --once, the Lambda and apply. The fronts differ only in how they show it
// (JSON log lines, the Lambda's result, lines on a terminal).
type End struct {
	Job      string
	Accounts int
	Results  []Result
	// Failed are the accounts the run could not read or act in, in account order.
	Failed []Failure
	// Unsettled are the pending records of earlier runs this run could not settle.
	Unsettled []Unsettled
	// Outcomes counts the results by outcome ("deactivated": 2, …).
	Outcomes map[string]int
	// Changed, Unchanged and Bad (failed or refused) partition Results.
	Changed, Unchanged, Bad int
}

// Unsettled is one pending record an account's run could not settle, in one sentence.
type Unsettled struct {
	Account string
	Err     error
}

// Finish sums up runs of job (job may be "" for apply, whose runs hold several jobs).
func Finish(job string, runs []Run) End {
	e := End{Job: job, Accounts: len(runs), Results: Results(runs), Failed: Failures(PlansOf(runs)), Outcomes: map[string]int{}}
	for _, r := range runs {
		for _, err := range r.Unsettled {
			e.Unsettled = append(e.Unsettled, Unsettled{Account: r.Account.ID, Err: err})
		}
	}
	for _, r := range e.Results {
		e.Outcomes[r.Outcome]++
		switch {
		case Bad(r):
			e.Bad++
		case r.Changed():
			e.Changed++
		default:
			e.Unchanged++
		}
	}
	return e
}

// Bad reports whether a result is one the run must answer for: a key that failed or was refused.
func Bad(r Result) bool { return r.Outcome == apply.Failed || r.Outcome == apply.Refused }

// LogKey is the one log line per key acted on, at one level wherever it runs: an error when the
// key failed, a warning when it was refused or skipped, else info. Results carry ids, names and
// reasons, never a secret.
func LogKey(log *slog.Logger, r Result) {
	level := slog.LevelInfo
	switch r.Outcome {
	case apply.Failed:
		level = slog.LevelError
	case apply.Refused, apply.Skipped:
		level = slog.LevelWarn
	}
	var attrs []any
	if r.Account != "" {
		attrs = append(attrs, "account", r.Account)
	}
	attrs = append(attrs, "user", r.User, "access_key_id", r.AccessKeyID, "action", string(r.Action), "outcome", r.Outcome)
	if r.Job != "" {
		attrs = append(attrs, "job", r.Job)
	}
	if r.Reason != "" {
		attrs = append(attrs, "reason", r.Reason)
	}
	if r.Err != nil {
		attrs = append(attrs, "error", r.Err.Error())
	}
	log.Log(context.Background(), level, "key", attrs...)
}

// Log writes what the run could not do beside its keys: each pending record left unsettled
// (a warning: the next run tries again) and each account that failed (an error).
func (e End) Log(log *slog.Logger) {
	for _, u := range e.Unsettled {
		log.Warn("could not settle a pending record", "job", e.Job, "account", u.Account, "error", u.Err.Error())
	}
	for _, f := range e.Failed {
		log.Error("account failed", "job", e.Job, "account", f.Account, "reason", f.Reason)
	}
}

// AccountsErr is the run's error when some accounts failed: every other account was done, and
// the run still fails so that alarms see the gap (DESIGN.md, invariant 10).
func (e End) AccountsErr() error {
	if len(e.Failed) == 0 {
		return nil
	}
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = f.Account + ": " + f.Reason
	}
	return fmt.Errorf("job %s: %d of %d accounts failed: %s", e.Job, len(e.Failed), e.Accounts, strings.Join(parts, "; "))
}

// TellLogged sends the runs' notices and logs one line per channel, for the fronts that log
// (serve and the Lambda). A channel that failed, or warnings that could not be remembered,
// fail the run with an error naming them; the key changes stand.
func TellLogged(ctx context.Context, log *slog.Logger, runs []Run, n *policy.Notify, s Sender, job string) error {
	t := Tell(ctx, runs, n, s, "job "+job)
	var bad []string
	for _, r := range t.Results {
		attrs := []any{"job", job, "channel", r.Channel, "sent", r.Sent}
		if !r.OK() {
			log.Error("notify failed", append(attrs, "errors", r.Failed)...)
			bad = append(bad, r.Channel)
			continue
		}
		log.Info("notified", attrs...)
	}
	for _, f := range t.Failed {
		log.Error("notify: warnings not remembered", "job", job, "error", f)
	}
	bad = append(bad, t.Failed...)
	if len(bad) > 0 {
		return fmt.Errorf("job %s: some notices were not delivered (%s); the key changes stand", job, strings.Join(bad, ", "))
	}
	return nil
}

// RunsOf are plans that were not acted on, as runs (plan, and apply before it acts).
func RunsOf(plans []Plan) []Run {
	out := make([]Run, len(plans))
	for i, p := range plans {
		out[i].Plan = p
	}
	return out
}

// KeysErr is the run's error when keys failed or were refused, in one sentence naming the
// first failure; the per-key lines already said the rest. A change whose record could not be
// written counts as failed: provenance is part of the change (invariant 4).
func (e End) KeysErr() error {
	rs := make([]apply.Result, len(e.Results))
	for i, r := range e.Results {
		rs[i] = r.Result
	}
	t := apply.TallyOf(rs)
	if t.Failed > 0 {
		return fmt.Errorf("%d of %s failed; first: %s", t.Failed, keyCount(len(e.Results)), t.Why())
	}
	if t.Refused > 0 {
		return fmt.Errorf("%d of %s refused (see above)", t.Refused, keyCount(len(e.Results)))
	}
	return nil
}

func keyCount(n int) string {
	if n == 1 {
		return "1 key"
	}
	return fmt.Sprintf("%d keys", n)
}
