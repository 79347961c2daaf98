package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/provenance"
)

// finish retires the old key once the new one is delivered everywhere: at once with no grace;
// otherwise only after the grace, and only if no consumer used the old key since delivery
// (IAM records last use up to UsageLag late, so that long must have passed too). A consumer
// still on the old key is named, and keeps it, unless Force.
func (r *run) finish(ctx context.Context) error {
	r.res.Delivered = r.st.Delivered
	old := r.st.OldKeyID
	k, exists := r.key(old)
	switch {
	case old == "":
		r.res.OldKey = "none"
		return r.done(ctx)
	case !exists:
		r.res.OldKey = "absent"
		r.say("the old key %s of %s no longer exists", old, r.o.User)
		return r.done(ctx)
	case k.Status == keys.Inactive:
		// Retired by an earlier run of this rotation that died before settling its record
		// (the state says a retirement was under way and not known to have failed). Otherwise
		// whoever deactivated it is unknown, and the record is settled as the protocol says.
		if r.st.Retiring {
			if ok, err := provenance.Confirm(ctx, r.iam, r.o.User, old, keys.ActionDeactivated, r.tags, r.keys); err != nil {
				r.warn("%v", err)
			} else if ok {
				r.say("settled the record of %s, which the interrupted run had deactivated", old)
			}
		} else if _, _, err := provenance.Settle(ctx, r.iam, r.o.User, old, r.tags, r.keys, r.o.Now()); err != nil {
			r.warn("%v", err)
		}
		r.res.OldKey = "inactive"
		return r.retired(ctx, old)
	}
	if r.st.Grace > 0 {
		after := r.st.RetireAfter()
		now := r.o.Now()
		if now.Before(after) {
			r.res.State, r.res.OldKey, r.res.RetireAfter = "grace", "active", after
			r.say("the old key %s of %s stays active until %s (grace %s): run keywarden rotate again after that to retire it", old, r.o.User, after.Format(time.RFC3339), r.st.Grace)
			return nil
		}
		lu, _, err := inventory.LastUsed(ctx, r.iam, old)
		if err != nil {
			return &StepError{What: fmt.Sprintf("read the last use of the old key %s of %s", old, r.o.User), Err: err}
		}
		if lu != nil && lu.Date.After(r.st.Delivered) {
			if !r.o.Force {
				r.res.State, r.res.OldKey = "in-use", "active"
				r.warn("the old key %s of %s was used at %s (%s in %s), after the new key was delivered to %s: a consumer still uses it; point it at the new key and run again, or pass --force to deactivate it anyway",
					old, r.o.User, lu.Date.Format(time.RFC3339), orNone(lu.Service), orNone(lu.Region), strings.Join(r.destNames(), ", "))
				return nil
			}
			r.warn("the old key %s of %s was used at %s after delivery; deactivating it anyway (--force)", old, r.o.User, lu.Date.Format(time.RFC3339))
		}
	}
	r.st.Retiring = true
	if err := r.save(ctx, keys.PhaseDelivered); err != nil {
		return err
	}
	err := r.change(ctx, old, keys.ActionDeactivated, func(ctx context.Context) error {
		_, err := r.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &r.o.User, AccessKeyId: &old, Status: iamtypes.StatusTypeInactive})
		return err
	})
	if err != nil {
		// Not made (as far as this run knows): a rerun must not take a later deactivation,
		// by a person say, for this rotation's.
		r.st.Retiring = false
		_ = r.save(ctx, keys.PhaseDelivered)
		return &StepError{What: fmt.Sprintf("deactivate the old key %s of %s (the new key is delivered; run keywarden rotate again to finish)", old, r.o.User), Err: err}
	}
	r.res.OldKey = "inactive"
	if !r.o.Delete {
		r.say("deactivated the old key %s of %s; the delete: {inactive_for: …} rule deletes it later", old, r.o.User)
	}
	r.o.Failpoint("after-retire")
	return r.retired(ctx, old)
}

// retired ends a rotation whose old key is inactive: deleted too when asked (deletion only
// ever applies to an inactive key, so a delete that fails leaves it inactive, never active),
// then proven dead when asked.
func (r *run) retired(ctx context.Context, old string) error {
	if r.o.Delete {
		err := r.change(ctx, old, keys.ActionDeleted, func(ctx context.Context) error {
			_, err := r.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.o.User, AccessKeyId: &old})
			return err
		})
		switch {
		case err == nil:
			r.say("deleted the old key %s of %s", old, r.o.User)
		case awserr.Classify(err) == awserr.NotFound:
			r.say("the old key %s was already gone", old)
		default:
			return &StepError{What: fmt.Sprintf("delete the old key %s of %s (it is inactive and the new key is delivered; run keywarden rotate again to finish)", old, r.o.User), Err: err}
		}
		r.res.OldKey = "absent"
	}
	r.step("retire")
	if r.o.Prove {
		if err := r.proveRetired(ctx, old); err != nil {
			return err
		}
		r.o.Failpoint("after-confirm")
	}
	return r.done(ctx)
}

func (r *run) done(ctx context.Context) error {
	if err := r.clear(ctx); err != nil {
		return err
	}
	r.res.State = "done"
	r.o.Failpoint("after-done")
	r.say("done: %s now holds %s in %s", r.o.User, orNone(r.st.NewKeyID), strings.Join(r.destNames(), ", "))
	return nil
}
