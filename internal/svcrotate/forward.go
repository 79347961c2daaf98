package svcrotate

import (
	"context"
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/rotate"
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
		reason := fmt.Errorf("the new key %s of %s did not work: %v", r.secret.AccessKeyID, r.o.User, err)
		if r.st.Phase == PhaseCreating {
			return r.abandon(ctx, reason) // no consumer has it yet
		}
		return fmt.Errorf("%v; the old key %s is untouched: run keywarden rotate again to finish", reason, orNone(r.st.OldKeyID))
	}
	r.say("%s works (%d consecutive successes as %s, %d refusals while IAM propagated it)", r.secret.AccessKeyID, w.Successes, r.arn, refusals)
	r.step("verify")
	r.o.Failpoint("after-verify")
	if r.st.Phase == PhaseCreating {
		r.st.NewKeyID = r.secret.AccessKeyID
		if err := r.save(ctx, PhaseDelivering); err != nil {
			return err
		}
		r.o.Failpoint("before-deliver")
	}
	for i, s := range r.o.Sinks {
		if err := s.Deliver(ctx, r.secret); err != nil {
			return &StepError{What: fmt.Sprintf("deliver %s to %s (the old key %s is untouched; run keywarden rotate again to finish)", r.secret.AccessKeyID, s, orNone(r.st.OldKeyID)), Err: err}
		}
		r.say("delivered %s to %s", r.secret.AccessKeyID, s)
		if i == 0 && len(r.o.Sinks) > 1 {
			r.o.Failpoint("mid-deliver")
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

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
