package provenance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// IAM is the part of the IAM API the record protocol uses.
type IAM interface {
	inventory.IAM
	TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

// InFlight is how old a pending record must be before a run other than its writer settles it:
// younger, it may be a change another run is making right now.
const InFlight = 15 * time.Minute

// SettleGrace bounds the steps after the call (re-read, settle, put back), which run even when
// the run's context was cancelled: a cancelled run must not strand a pending record.
const SettleGrace = 20 * time.Second

// Change is one key change to make under the record protocol.
type Change struct {
	User, KeyID string
	Action      string // keys.ActionDeactivated, ActionActivated or ActionDeleted
	Origin      string
	// Reason goes into the record (an incident's cause); "" for most changes.
	Reason string
	Now    time.Time
	// Tags are the user's tags if the caller has just read them; nil reads them.
	Tags map[string]string
	// TagsErr is the failure of the caller's own read of the tags: Do fails as if its read had,
	// so a caller that read them beside another call reports the same as one that did not.
	TagsErr error
	// Keys are the user's keys as just read: only records of other keys may be pruned.
	Keys []keys.Key
	// Recheck re-reads the key after writing the intent, so that of two runs racing the one
	// that did not change it says so.
	Recheck bool
	// BestEffort makes the change even if the intent cannot be written (rotate: retiring the old
	// key matters more than its record; a missing record only makes activate refuse).
	BestEffort bool
}

// Outcome is what IAM shows after a change.
type Outcome int

const (
	Made        Outcome = iota // IAM made it: its answer said so, or the re-read did
	AlreadyDone                // the recheck found it made already, by someone else
	NotMade
	Unknown // the answer was lost and the re-read failed; the record stays pending
)

// Result is a change's outcome. Err is the call's own failure (set also when Made was learnt by
// a re-read); RecordErr says the record is not what the outcome would have it be, and what it
// is instead.
type Result struct {
	Outcome   Outcome
	Err       error
	RecordErr error
}

// Do records the intent, runs act, and settles the record from what IAM shows.
func Do(ctx context.Context, c IAM, ch Change, act func(context.Context) error) Result {
	tags, err := ch.Tags, ch.TagsErr
	if tags == nil && err == nil {
		tags, err = inventory.ListTags(ctx, c, ch.User)
	}
	if err != nil {
		return Result{Outcome: NotMade, Err: fmt.Errorf("read the tags of %s: %w", ch.User, err)}
	}
	if err := makeRoom(ctx, c, ch.User, ch.KeyID, tags, ch.Keys); err != nil {
		if !ch.BestEffort {
			return Result{Outcome: NotMade, Err: err}
		}
	}
	tk := keys.TagKey(ch.KeyID)
	prevV, hadPrev := tags[tk]
	prev, prevErr := keys.ParseRecord(prevV)
	var was *keys.Record
	switch {
	case !hadPrev || prevErr != nil:
	case prev.State == keys.Pending:
		was = prev.Was // a record left pending: what it replaced is still the last known truth
	default:
		was = &prev
	}
	intent := keys.Record{State: keys.Pending, Action: ch.Action, Time: ch.Now, Origin: ch.Origin, Reason: ch.Reason, Was: was}
	err = tag(ctx, c, ch.User, tk, intent.String())
	wrote := err == nil
	putBack := func(ctx context.Context) error {
		if !wrote {
			return nil
		}
		if hadPrev {
			return tag(ctx, c, ch.User, tk, prevV)
		}
		_, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: &ch.User, TagKeys: []string{tk}})
		return err
	}

	if err != nil && !ch.BestEffort {
		if answered(err) {
			return Result{Outcome: NotMade, Err: fmt.Errorf("record the intent on %s: %w", ch.User, err)}
		}
		// A write whose answer was lost may have landed: put the earlier record back.
		wrote = true
		sctx, cancel := withGrace(ctx)
		defer cancel()
		return Result{Outcome: NotMade, Err: fmt.Errorf("record the intent on %s: %w", ch.User, err), RecordErr: pendingIf(putBack(sctx))}
	}

	if ch.Recheck {
		ks, err := inventory.ListKeys(ctx, c, ch.User)
		if err != nil {
			sctx, cancel := withGrace(ctx)
			defer cancel()
			return Result{Outcome: NotMade, Err: fmt.Errorf("re-read the keys of %s: %w", ch.User, err), RecordErr: pendingIf(putBack(sctx))}
		}
		if Shows(ks, ch.KeyID, ch.Action) {
			// Someone else made it between our read and our intent. If the record we overwrote
			// names this action it is theirs: put it back, settled if it was another run's
			// intent moments ago (the key now shows it made, as a re-read after a lost answer
			// would). Otherwise ours stays pending, and the winner's settle or a later run's
			// Settle replaces it: never a change left without a record.
			if !hadPrev || prevErr != nil || prev.Action != ch.Action {
				return Result{Outcome: AlreadyDone}
			}
			back := prevV
			if prev.State == keys.Pending && ch.Now.Sub(prev.Time) < InFlight {
				back = keys.Record{Action: prev.Action, Time: prev.Time, Origin: prev.Origin, Reason: prev.Reason}.String()
			}
			sctx, cancel := withGrace(ctx)
			defer cancel()
			return Result{Outcome: AlreadyDone, RecordErr: pendingIf(tag(sctx, c, ch.User, tk, back))}
		}
	}

	callErr := act(ctx)
	sctx, cancel := withGrace(ctx)
	defer cancel()
	settle := func() error {
		v := keys.Record{Action: ch.Action, Time: ch.Now, Origin: ch.Origin, Reason: ch.Reason}.String()
		err := tag(sctx, c, ch.User, tk, v)
		switch {
		case err == nil:
			return nil
		case !wrote:
			return fmt.Errorf("the change is not recorded (%s)", awserr.Message("write the record", err))
		}
		return pendingIf(err)
	}
	if callErr == nil {
		return Result{Outcome: Made, RecordErr: settle()}
	}
	// Whatever the error, IAM is the judge: a 5xx or a reset after the request arrived may
	// have made the change; re-read before claiming either way.
	ks, err := inventory.ListKeys(sctx, c, ch.User)
	switch {
	case err != nil && answered(callErr):
		return Result{Outcome: NotMade, Err: callErr, RecordErr: pendingIf(putBack(sctx))}
	case err != nil:
		return Result{Outcome: Unknown, Err: callErr, RecordErr: errors.New("the record stays pending (the key could not be re-read); a later run settles it")}
	case Shows(ks, ch.KeyID, ch.Action):
		return Result{Outcome: Made, Err: callErr, RecordErr: settle()}
	}
	return Result{Outcome: NotMade, Err: callErr, RecordErr: pendingIf(putBack(sctx))}
}

// Shows reports whether the keys, as IAM listed them, show action done to keyID.
func Shows(ks []keys.Key, keyID, action string) bool {
	var k *keys.Key
	for i := range ks {
		if ks[i].AccessKeyID == keyID {
			k = &ks[i]
		}
	}
	switch action {
	case keys.ActionDeactivated:
		return k != nil && k.Status == keys.Inactive
	case keys.ActionActivated:
		return k != nil && k.Status == keys.Active
	case keys.ActionDeleted:
		return k == nil
	case keys.ActionCreated:
		return k != nil
	}
	return false
}

// answered reports whether IAM answered the call with an error that means "not done" (4xx).
func answered(err error) bool { return awserr.Answered(err) }

func withGrace(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), SettleGrace)
}

func pendingIf(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("the record stays pending (%s); a later run settles it", awserr.Message("write the record", err))
}

func tag(ctx context.Context, c IAM, user, key, value string) error {
	_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: &user, Tags: []iamtypes.Tag{{Key: &key, Value: &value}}})
	return err
}
