package svcrotate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/internal/sink"
)

// forward proves the new key (held in r.secret), delivers it everywhere, then retires the old.
func (r *run) forward(ctx context.Context) error {
	w := r.o.Wait
	w.Now = r.o.Now
	w.Progress = func(_ time.Duration, msg string) { r.say("%s", msg) }
	if w.Successes <= 0 {
		w.Successes = 3
	}
	refusals, err := rotate.WaitWorks(ctx, r.o.Connect(r.secret), r.arn, w)
	if err != nil {
		// err is worded already (WaitWorks reads the STS answers itself).
		within := ""
		if w.Wait > 0 {
			within = " within " + w.Wait.String() // as --wait says it
		}
		reason := fmt.Errorf("the new key %s of %s did not work%s: %v", r.secret.AccessKeyID, r.o.User, within, err)
		if r.st.Phase == PhaseCreating {
			return r.abandon(ctx, reason.Error(), nil) // no consumer has it yet
		}
		return fmt.Errorf("%v; the old key %s is untouched: run keywarden rotate again to finish", reason, orNone(r.st.OldKeyID))
	}
	r.say("%s works (%d consecutive successes as %s, %d refusals while IAM propagated it)", r.secret.AccessKeyID, w.Successes, r.arn, refusals)
	r.step("verify")
	r.o.Failpoint("after-verify")
	fromCreating := r.st.Phase == PhaseCreating
	if fromCreating {
		r.st.NewKeyID = r.secret.AccessKeyID
		if err := r.save(ctx, PhaseDelivering); err != nil {
			return err
		}
		r.o.Failpoint("before-deliver")
	}
	readable := false // a destination delivered so far can give the secret back to a rerun
	var unstaged []string
	for i, s := range deliveryOrder(r.o.Sinks) {
		if err := s.Deliver(ctx, r.secret); err != nil {
			if i == 0 && fromCreating && !s.CanRecover() && ctx.Err() == nil {
				// A program that exits non-zero says it did not take the key, and no other
				// destination has it: nobody can be using the new key, so it goes. (Killed
				// by an interrupt, it may have; then the rerun asks rather than guess.)
				return r.abandon(ctx, fmt.Sprintf("deliver %s to %s", r.secret.AccessKeyID, s), err)
			}
			next := "run keywarden rotate again to finish"
			if !readable && !slices.ContainsFunc(r.o.Sinks, sink.Sink.CanRecover) {
				next = "no destination keywarden can read back holds the new key, so a rerun cannot finish it; pair exec: with a secretsmanager:, ssm: or profile: destination"
			}
			return &StepError{What: fmt.Sprintf("deliver %s to %s (the old key %s is untouched; %s)", r.secret.AccessKeyID, s, orNone(r.st.OldKeyID), next), Err: err}
		}
		readable = readable || s.CanRecover()
		if !r.stagedIn[s.String()] {
			unstaged = append(unstaged, s.String())
		}
		r.say("delivered %s to %s", r.secret.AccessKeyID, s)
		if i == 0 && len(r.o.Sinks) > 1 {
			r.o.Failpoint("mid-deliver")
		}
	}
	if len(unstaged) > 0 {
		// Nothing staged the key there, so a run that took this one's record for an interrupted
		// one found its secret nowhere and may have deleted it while it was being delivered.
		if err := r.stillOurs(ctx, unstaged); err != nil {
			return err
		}
	}
	r.step("deliver")
	r.o.Failpoint("after-deliver")
	r.record(ctx, r.secret.AccessKeyID, keys.ActionCreated)
	r.st.Delivered = r.o.Now()
	if err := r.save(ctx, PhaseDelivered); err != nil {
		return err
	}
	r.o.Failpoint("after-delivered")
	return r.finish(ctx)
}

// deliveryOrder puts the destinations that can give the secret back first, so that if a
// program (exec:) then fails, a rerun recovers the key from them and finishes.
func deliveryOrder(ss []sink.Sink) []sink.Sink {
	out := slices.Clone(ss)
	slices.SortStableFunc(out, func(a, b sink.Sink) int {
		switch {
		case a.CanRecover() == b.CanRecover():
			return 0
		case a.CanRecover():
			return -1
		}
		return 1
	})
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
