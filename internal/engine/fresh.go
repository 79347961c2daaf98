package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/keys"
)

// fresh starts a rotation: check the destinations and the key limit, record the intent,
// create, stage, then go forward.
func (r *run) fresh(ctx context.Context) error {
	for _, s := range r.o.Sinks {
		if err := s.Check(ctx); err != nil {
			return err
		}
	}
	if err := r.room(ctx); err != nil {
		return err
	}
	old, before, err := r.makeRoom(ctx)
	if err != nil {
		return err
	}
	r.st = keys.Rotation{OldKeyID: old, Before: before, Started: r.o.Now(), Grace: r.o.Grace, Dests: keys.Digest(r.destNames()), Run: runID(), Token: keys.TokenDigest(r.o.Token)}
	r.res.OldKeyID = old
	if err := r.save(ctx, keys.PhaseCreating); err != nil {
		return err
	}
	r.o.Failpoint("before-create")
	if err := r.create(ctx); err != nil {
		return err
	}
	r.o.Failpoint("after-create")
	if err := r.stage(ctx); err != nil {
		return err
	}
	r.o.Failpoint("after-stage")
	if r.o.StopAfterStage {
		if len(r.stagedIn) == 0 {
			return r.abandon(ctx, fmt.Sprintf("no destination of %s has a pending slot to hold the new key until the next step", r.o.User), nil)
		}
		return r.staged()
	}
	return r.forward(ctx)
}

// makeRoom returns the key to replace and the key ids left once there is room for one more.
// The key to replace is OldKeyID, or the user's one active key. Only an inactive key is ever
// deleted, and only when asked; an active key this rotation does not replace is never touched.
func (r *run) makeRoom(ctx context.Context) (old string, before []string, err error) {
	old = r.o.OldKeyID
	if old != "" {
		if _, ok := r.key(old); !ok {
			return "", nil, &RefusedError{Msg: fmt.Sprintf("the key %s is not a key of user %s, who signed the request; refusing to rotate a key of another user", old, r.o.User)}
		}
	}
	var other *keys.Key
	for i, k := range r.keys {
		before = append(before, k.AccessKeyID)
		switch {
		case k.AccessKeyID == old:
		case k.Status == keys.Active && r.o.OldKeyID != "":
			return "", nil, &RefusedError{Msg: fmt.Sprintf("user %s already has two access keys and the other one, %s, is active; keywarden never touches an active key it is not rotating: delete or deactivate %s first", r.o.User, k.AccessKeyID, k.AccessKeyID)}
		case k.Status == keys.Active && old != "":
			return "", nil, &RefusedError{Msg: fmt.Sprintf("user %s has two active access keys (%s and %s); keywarden rotates one key at a time: deactivate the one no service uses, then run again", r.o.User, old, k.AccessKeyID)}
		case k.Status == keys.Active:
			old = k.AccessKeyID
		default:
			other = &r.keys[i]
		}
	}
	if old != "" && old == r.o.SelfKeyID {
		return "", nil, &RefusedError{Msg: fmt.Sprintf("the key %s of user %s is the key keywarden is signed with; rotate it with \"keywarden rotate --profile\" instead", old, r.o.User)}
	}
	if len(r.keys) < 2 {
		r.step("check")
		return old, before, nil
	}
	if !r.o.MakeRoom {
		if old != "" {
			if msg, ok := r.finished(old, other.AccessKeyID); ok {
				if err := r.holdActive(ctx, old, other.AccessKeyID); err != nil {
					return "", nil, err
				}
				return "", nil, &RefusedError{Msg: msg}
			}
		}
		return "", nil, &RefusedError{Msg: fmt.Sprintf("user %s already has two access keys (IAM's limit); %s is inactive: pass --make-room to delete it", r.o.User, other.AccessKeyID)}
	}
	if err := r.deleteKey(ctx, other.AccessKeyID); err != nil {
		return "", nil, &StepError{What: fmt.Sprintf("delete the inactive key %s of %s to make room", other.AccessKeyID, r.o.User), Err: err}
	}
	r.res.Deleted = append(r.res.Deleted, other.AccessKeyID)
	r.say("made room: deleted the inactive key %s of %s", other.AccessKeyID, r.o.User)
	r.step("make-room")
	before = before[:0]
	for _, k := range r.keys {
		if k.AccessKeyID != other.AccessKeyID {
			before = append(before, k.AccessKeyID)
		}
	}
	return old, before, nil
}

// stage puts the new key in every destination's pending slot. If one fails, no consumer has
// the key yet: it is deleted (a pending version holding a dead key is never current).
func (r *run) stage(ctx context.Context) error {
	for _, s := range r.o.Sinks {
		staged, err := s.Stage(ctx, r.secret)
		if err != nil {
			return r.abandon(ctx, fmt.Sprintf("stage the new key in %s", s), err)
		}
		if staged {
			if r.stagedIn == nil {
				r.stagedIn = map[string]bool{}
			}
			r.stagedIn[s.String()] = true
			r.say("staged %s in %s", r.secret.AccessKeyID, s)
		}
	}
	r.step("stage")
	return nil
}

// staged ends a StopAfterStage run: the new key is in the pending slots, the record says
// creating, and the next run finds both.
func (r *run) staged() error {
	r.res.State = "staged"
	r.say("staged %s for %s; delivery waits for the next step", r.secret.AccessKeyID, r.o.User)
	return nil
}

// abandon deletes a new key no consumer has seen, and the rotation's record: nothing changed.
// what is the step that failed, cause why (nil when what says it all). The error is a StepError
// whose What says the key was deleted, so a caller that words cause (a denial, say) keeps it.
func (r *run) abandon(ctx context.Context, what string, cause error) error {
	id := r.secret.AccessKeyID
	if err := r.deleteKey(ctx, id); err != nil {
		return &StepError{What: fmt.Sprintf("%s: %v; deleting the new key %s failed too, run keywarden rotate again to clean up", what, cause, id), Err: err}
	}
	r.res.Deleted = append(r.res.Deleted, id)
	if err := r.clear(ctx); err != nil {
		return err
	}
	what = fmt.Sprintf("%s (the new key %s was deleted; user %s is as before)", what, id, r.o.User)
	if cause == nil {
		return errors.New(what)
	}
	return &StepError{What: what, Err: cause}
}

// deleteKey deletes a key under the record protocol; a key already gone is fine.
func (r *run) deleteKey(ctx context.Context, id string) error {
	return r.change(ctx, id, keys.ActionDeleted, func(ctx context.Context) error {
		_, err := r.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.o.User, AccessKeyId: &id})
		if awserr.Classify(err) == awserr.NotFound {
			return nil
		}
		return err
	})
}

// finished words a refusal for a rotation that is over: the active key was created by a
// keywarden rotation and the inactive one deactivated by it. A rerun (a CI system retrying a
// job killed after its last write) must hear that, not advice that would rotate again.
func (r *run) finished(active, inactive string) (string, bool) {
	f, ok := keys.FinishedRotation(r.tags, active, inactive)
	if !ok {
		return "", false
	}
	again := ""
	if f.Made.Token != "" {
		again = "; a rerun with the --client-request-token it was started with reports it done"
	}
	return fmt.Sprintf("the rotation of %s finished at %s (%s created by %s): %s is active and %s inactive, so a rerun has nothing to do%s; to start another rotation, delete %s first", r.o.User, f.Gone.Time.UTC().Format(time.RFC3339), active, f.Made.Origin, active, inactive, again, inactive), true
}
