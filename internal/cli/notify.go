package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
)

// newSender is how commands build the notify sender; tests may replace it.
var newSender = func(cfg aws.Config, n *policy.Notify) jobs.Sender { return notify.New(cfg, n, sleepCtx) }

// tellOwners sends what the runs did and will do to the owners (unless off), says on stderr
// what went where, and returns an error (exit 1) when a channel failed: the key changes stand.
func tellOwners(ctx context.Context, stderr io.Writer, cfg *policy.Config, aws aws.Config, runs []jobs.Run, summary string, off bool) error {
	if cfg.Notify == nil {
		return nil
	}
	if off {
		if n := len(jobs.Events(runs)); n > 0 {
			fmt.Fprintf(stderr, "keywarden: --no-notify: %s not sent\n", count(n, "notice"))
		}
		return nil
	}
	t := jobs.Tell(ctx, runs, cfg.Notify, newSender(aws, cfg.Notify), summary)
	if len(t.Digests) == 0 {
		return nil
	}
	var parts []string
	for _, r := range t.Results {
		parts = append(parts, fmt.Sprintf("%s %d sent", r.Channel, r.Sent))
	}
	fmt.Fprintf(stderr, "keywarden: told %s (%s): %s\n", count(len(t.Digests), "owner"), count(t.Events, "notice"), strings.Join(parts, ", "))
	var failed []string
	for _, r := range t.Results {
		for _, f := range r.Failed {
			fmt.Fprintf(stderr, "keywarden: notify: %s failed: %s\n", r.Channel, f)
			failed = append(failed, r.Channel)
		}
	}
	for _, f := range t.Failed {
		fmt.Fprintf(stderr, "keywarden: notify: %s; its warnings will be sent again\n", f)
	}
	if len(failed) > 0 || len(t.Failed) > 0 {
		return &codedError{code: exitcode.Error, msg: "some notices were not delivered; the key changes above stand"}
	}
	return nil
}

// planNotices says what apply would tell whom: plan shows it beside the changes.
func planNotices(w io.Writer, cfg *policy.Config, plans []jobs.Plan) {
	if cfg.Notify == nil {
		return
	}
	runs := make([]jobs.Run, len(plans))
	for i, p := range plans {
		runs[i].Plan = p
		// A plan's changes are not made yet; an owner would hear of each as made.
		for _, a := range p.Plan.Actions {
			if a.Kind == policy.Report {
				continue
			}
			runs[i].Results = append(runs[i].Results, jobs.Result{Account: p.Account.ID})
			r := &runs[i].Results[len(runs[i].Results)-1]
			r.User, r.AccessKeyID, r.Action, r.Job, r.Reason = a.User, a.AccessKeyID, a.Kind, a.Job, a.Reason
			r.Outcome = pastOutcome(a.Kind)
		}
	}
	for _, d := range jobs.Digests(runs, cfg.Notify) {
		fmt.Fprintf(w, "keywarden: would tell %s: %s\n", d.Owner, strings.TrimPrefix(d.Subject(), "keywarden: "))
	}
}

func pastOutcome(k policy.Kind) string {
	switch k {
	case policy.Deactivate:
		return "deactivated"
	case policy.Delete:
		return "deleted"
	case policy.Activate:
		return "activated"
	}
	return string(k)
}
