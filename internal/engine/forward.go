package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// forward proves the new key (held in r.secret), delivers it everywhere, then retires the old.
func (r *run) forward(ctx context.Context) error {
	if err := r.prove(ctx); err != nil {
		if r.st.Phase == keys.PhaseCreating {
			return r.abandon(ctx, err.Error(), nil) // no consumer has it yet
		}
		return fmt.Errorf("%v; the old key %s is untouched: run keywarden rotate again to finish", err, orNone(r.st.OldKeyID))
	}
	r.o.Failpoint("after-verify")
	if r.o.SignAfter != nil {
		r.iam = patient{IAM: r.o.SignAfter(r.secret), r: r}
	}
	fromCreating := r.st.Phase == keys.PhaseCreating
	if fromCreating {
		r.st.NewKeyID = r.secret.AccessKeyID
		if err := r.save(ctx, keys.PhaseDelivering); err != nil {
			return err
		}
		r.o.Failpoint("before-deliver")
	}
	readable := false // a destination delivered so far can give the secret back to a rerun
	var unstaged []string
	for i, s := range deliveryOrder(r.o.Sinks) {
		if err := s.Deliver(ctx, r.secret); err != nil {
			if i == 0 && fromCreating && ctx.Err() == nil && r.notTaken(ctx, s) {
				return r.abandon(ctx, fmt.Sprintf("deliver %s to %s", r.secret.AccessKeyID, s), err)
			}
			next := "run keywarden rotate again to finish"
			if !readable && !slices.ContainsFunc(r.o.Sinks, sink.Sink.CanRecover) {
				next = "no destination keywarden can read back holds the new key, so a rerun cannot finish it; pair exec: with a destination keywarden can read back, such as secretsmanager: or ssm:"
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
	if len(unstaged) > 0 && !r.o.Store.Exclusive() {
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
	if err := r.save(ctx, keys.PhaseDelivered); err != nil {
		return err
	}
	r.o.Failpoint("after-delivered")
	return r.finish(ctx)
}

// notTaken says a destination whose delivery failed surely did not take the new key, and no
// destination had it before: nobody can be using the key, so the rotation may delete it. A
// program that exits non-zero says it did not take it (killed by an interrupt, it may have;
// then the rerun asks rather than guess); a destination that can be read back is asked, since
// an error may be an answer lost after the write (Secrets Manager's stage moved, say).
func (r *run) notTaken(ctx context.Context, s sink.Sink) bool {
	if !s.CanRecover() {
		return true
	}
	_, held, err := s.Recover(ctx, r.secret.AccessKeyID)
	return err == nil && !held
}

// prove checks the new key works (STS, signed with it alone, answers as the user several times
// in a row) and passes the user's probe, before anyone is given it.
func (r *run) prove(ctx context.Context) error {
	id := r.secret.AccessKeyID
	refusals, err := r.waitWorks(ctx, r.o.Connect(r.secret))
	if err != nil {
		// err is worded already (waitWorks reads the STS answers itself).
		return fmt.Errorf("the new key %s of %s did not work within %s: %v", id, r.o.User, r.o.Wait.Wait, err)
	}
	r.say("%s works (%d consecutive successes as %s, %d refusals while IAM propagated it)", id, r.o.Wait.Successes, r.arn, refusals)
	r.step("verify")
	if r.o.Probe == nil {
		return nil
	}
	if err := r.o.Probe(ctx, r.secret); err != nil {
		return fmt.Errorf("the probe failed with the new key %s of %s: %v", id, r.o.User, err)
	}
	r.say("probe passed with %s", id)
	r.step("probe")
	return nil
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
