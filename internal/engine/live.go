package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// runMargin is how long a run may spend, on top of its --wait, between writing its record
// and delivering: the calls around the wait (tag, create with its one retry, stage, deliver
// one call per destination) each under the SDK's retries, and a rule's run in Lambda is cut
// off at 15 minutes anyway. A record younger than --wait plus this may belong to a run still
// working, so it is not taken for an interrupted one.
const runMargin = 15 * time.Minute

// defaultWait is --wait's default, for a caller that passes none.
const defaultWait = 2 * time.Minute

// heldUntil is when the run that wrote st is surely over if it has not finished: its start
// plus the longest a run takes. The other run's --wait is not in the record; this run's own
// stands for it, as the same command run again passes the same flags.
func heldUntil(st keys.Rotation, wait time.Duration) time.Time {
	if wait <= 0 {
		wait = defaultWait
	}
	return st.Started.Add(wait + runMargin)
}

// held refuses to take over a record another run may still be working on: if this run deleted
// that run's new key (its secret in no destination yet), that run would go on to deliver a
// dead key. now is the caller's clock.
func held(st keys.Rotation, user string, wait time.Duration, now time.Time) error {
	until := heldUntil(st, wait)
	if st.Started.IsZero() || !now.Before(until) {
		return nil
	}
	return &RefusedError{Msg: fmt.Sprintf("another run (r=%s) has been rotating %s since %s; rerun after it ends, or after %s if it was stopped", orNone(st.Run), user, st.Started.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))}
}

// stillOurs checks, after a delivery to a destination that cannot stage, that the delivered
// key still exists and the record on the user (a shared store: a locked one needs no check)
// is still this rotation's: a run that took this one's record
// for an interrupted one may have deleted the key, and then the destination holds a dead key.
func (r *run) stillOurs(ctx context.Context, delivered []string) error {
	if err := r.list(ctx); err != nil {
		return err
	}
	id := r.secret.AccessKeyID
	if _, ok := r.key(id); !ok {
		// This run's record (if it is still this run's) now describes a key that is gone: a
		// rerun reads the user's keys and the destinations instead.
		_ = r.clear(ctx)
		return fmt.Errorf("delivered %s to %s, but %s no longer exists in IAM (another run deleted it), so %s holds a dead key: run keywarden rotate --user %s again with the same --to destinations to deliver a working key", id, strings.Join(delivered, ", "), id, strings.Join(delivered, ", "), r.o.User)
	}
	tags, err := inventory.ListTags(ctx, r.iam, r.o.User)
	if err != nil {
		return &StepError{What: fmt.Sprintf("read the %s tag of %s after delivering %s (run again)", keys.RotationTag, r.o.User, id), Err: err}
	}
	// A record that still names this key is this rotation's, finished by another run (one that
	// read the staged secret back, say): going on is finishing the same rotation.
	if v, ok := tags[keys.RotationTag]; ok && v != r.tags[keys.RotationTag] {
		if st, err := keys.ParseRotation(v); err != nil || st.NewKeyID != id {
			return fmt.Errorf("delivered %s to %s, and it works, but the rotation record on %s is another run's now (%s): run keywarden rotate --user %s again once that run is over, to finish", id, strings.Join(delivered, ", "), r.o.User, v, r.o.User)
		}
	}
	return nil
}

// holdActive checks, before a finished rotation is called finished, that every destination
// keywarden can read back holds the user's active key: one that holds another (a key a
// concurrent run deleted after this one was delivered over it) gives consumers a dead key, and
// "nothing to do" would leave it there for good.
func (r *run) holdActive(ctx context.Context, active, inactive string) error {
	var wrong []string
	for _, s := range r.o.Sinks {
		if !s.CanRecover() {
			continue
		}
		_, ok, err := s.Recover(ctx, active)
		if err != nil {
			return err
		}
		if !ok {
			wrong = append(wrong, s.String())
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	return fmt.Errorf("the rotation of %s finished, but %s does not hold its active key %s (it holds another key, which does not work, or none): run keywarden rotate --user %s --make-room with the same --to destinations to delete the inactive key %s and deliver a new key everywhere", r.o.User, strings.Join(wrong, " and "), active, r.o.User, inactive)
}

// heldByAnother is held for this run's options. A store that serialises runs (a locked
// journal) holds nothing: the state it holds is never a live run's. Secrets Manager's
// createSecret (StopAfterStage) is exempt too: Secrets Manager runs one rotation of a secret at
// a time, and a createSecret with a new token means it gave up the earlier token's rotation,
// which nobody is running any more.
func (r *run) heldByAnother(st keys.Rotation) error {
	if r.o.StopAfterStage || r.o.Store.Exclusive() {
		return nil
	}
	return held(st, r.o.User, r.o.Wait.Wait, r.o.Now())
}
