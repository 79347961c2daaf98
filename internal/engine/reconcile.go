package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// create makes the new key through the one create-and-reconcile (Create). A failure that
// left nothing of this run in IAM ends the rotation: its state goes, if it is still this run's.
func (r *run) create(ctx context.Context) error {
	c := Create{
		IAM: r.iam, User: r.o.User, Known: append(slices.Clone(r.st.Before), r.st.OldKeyID),
		Sleep: r.o.Wait.Sleep, Backoff: r.o.Wait.Interval, Say: r.say,
		Delete: r.deleteKey,
	}
	k, deleted, err := c.Do(ctx)
	r.res.Deleted = append(r.res.Deleted, deleted...)
	if err != nil {
		if ce, ok := err.(*CreateError); ok && ce.Clean {
			// A key this run did not make, made since it began, is a concurrent run's: the
			// record on the user (whichever run's it is) stays, so that run or a rerun finishes
			// that rotation. Otherwise nothing of this rotation is left, and its record goes.
			if lerr := r.list(ctx); lerr == nil {
				if c := r.candidates(); len(c) > 0 {
					return &RefusedError{Msg: fmt.Sprintf("another rotation of %s is in progress (it made the key %s); its record stays: run keywarden rotate again once it is over, to finish it if it was stopped", r.o.User, strings.Join(c, ", "))}
				}
			}
			_ = r.clear(ctx)
		}
		return err
	}
	r.secret = k
	r.res.NewKeyID = r.secret.AccessKeyID
	// Listed as the user's from now on, so no pruning takes its record for a stale one.
	r.keys = append(r.keys, keys.Key{AccessKeyID: r.secret.AccessKeyID, Status: keys.Active})
	r.say("created %s for %s", r.secret.AccessKeyID, r.o.User)
	r.step("create")
	return nil
}

// candidates are the user's keys made since the rotation began: neither old nor there before.
func (r *run) candidates() []string {
	var ids []string
	for _, k := range r.keys {
		if k.AccessKeyID != r.st.OldKeyID && !slices.Contains(r.st.Before, k.AccessKeyID) {
			ids = append(ids, k.AccessKeyID)
		}
	}
	return ids
}

// deleteOrphans deletes every candidate key but keep: no destination holds its secret.
func (r *run) deleteOrphans(ctx context.Context, keep map[string]bool) error {
	for _, id := range r.candidates() {
		if keep[id] {
			continue
		}
		if err := r.deleteKey(ctx, id); err != nil {
			return &StepError{What: fmt.Sprintf("delete %s, a key of %s whose secret was lost (run again)", id, r.o.User), Err: err}
		}
		r.res.Deleted = append(r.res.Deleted, id)
		r.say("deleted %s: a key created by an interrupted call, whose secret no destination holds", id)
	}
	return nil
}

// recoverSecret reads the secret of keyID back from the first destination that holds it.
func (r *run) recoverSecret(ctx context.Context, keyID string) (sink.Secret, bool, error) {
	for _, s := range r.o.Sinks {
		if !s.CanRecover() {
			continue
		}
		sec, ok, err := s.Recover(ctx, keyID)
		if err != nil {
			return sink.Secret{}, false, err
		}
		if ok {
			r.say("read the secret of %s back from %s", keyID, s)
			return sec, true, nil
		}
	}
	return sink.Secret{}, false, nil
}
