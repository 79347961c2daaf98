package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/keys"
)

// resume finishes the rotation the store holds (see the package doc). restart says a fresh
// rotation should follow: the interrupted one was undone.
func (r *run) resume(ctx context.Context, st keys.Rotation) (restart bool, err error) {
	r.st, r.mine = st, true
	r.res.Resumed = true
	r.res.OldKeyID, r.res.NewKeyID = st.OldKeyID, st.NewKeyID
	if st.Dests != keys.Digest(r.destNames()) {
		return false, &RefusedError{Msg: fmt.Sprintf("a rotation of %s to other destinations is in progress (phase %s, new key %s); run it again with the same destinations to finish it first", r.o.User, st.Phase, orNone(st.NewKeyID))}
	}
	r.say("resuming the rotation of %s (phase %s)", r.o.User, st.Phase)
	switch st.Phase {
	case keys.PhaseDelivered:
		return false, r.finish(ctx)
	case keys.PhaseDelivering:
		if _, ok := r.key(st.NewKeyID); !ok {
			return false, &RefusedError{Msg: fmt.Sprintf("the new key %s of %s, which may already be in %s, no longer exists in IAM; deliver a working key there by hand, then %s", st.NewKeyID, r.o.User, strings.Join(r.destNames(), ", "), r.o.Store.Forget())}
		}
		sec, ok, err := r.recoverSecret(ctx, st.NewKeyID)
		if err != nil {
			return false, err
		}
		if ok {
			r.secret = sec
			r.step("recover")
			return false, r.forward(ctx)
		}
		for _, s := range r.o.Sinks {
			if !s.CanRecover() {
				return false, &RefusedError{Msg: fmt.Sprintf("the secret of the new key %s of %s is in no destination keywarden can read back, but %s may already hold it; check what it holds, then delete whichever of %s and %s it does not use and %s", st.NewKeyID, r.o.User, s, st.NewKeyID, orNone(st.OldKeyID), r.o.Store.Forget())}
			}
		}
		// None holds it yet; the run that wrote the record may be delivering it right now.
		if err := r.heldByAnother(st); err != nil {
			return false, err
		}
		// Every destination can be read back and none holds it: nobody can use the key.
		r.st.Phase = keys.PhaseCreating
	}
	// creating: a key made since is the new one if a destination staged its secret.
	keep := map[string]bool{}
	for _, id := range r.candidates() {
		sec, ok, err := r.recoverSecret(ctx, id)
		if err != nil {
			return false, err
		}
		if ok && r.secret.AccessKeyID == "" {
			r.secret, keep[id] = sec, true
		}
	}
	if r.secret.AccessKeyID == "" && st.Phase == keys.PhaseCreating {
		// No destination holds a new key: the run that wrote the record may still be about to
		// create, stage or deliver one, and deleting its key would strand what it delivers.
		if err := r.heldByAnother(st); err != nil {
			return false, err
		}
	}
	if err := r.deleteOrphans(ctx, keep); err != nil {
		return false, err
	}
	if r.secret.AccessKeyID != "" {
		r.res.NewKeyID = r.secret.AccessKeyID
		r.step("recover")
		if r.o.StopAfterStage {
			return false, r.staged()
		}
		return false, r.forward(ctx)
	}
	if err := r.clear(ctx); err != nil {
		return false, err
	}
	if err := r.list(ctx); err != nil {
		return false, err
	}
	r.say("the interrupted rotation of %s is undone; starting again", r.o.User)
	r.step("recover")
	return true, nil
}
