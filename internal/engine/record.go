package engine

import (
	"context"
	"fmt"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/provenance"
)

// Key changes go through internal/provenance, the one writer of keywarden's records, as apply
// and self-rotation do: the intent before the call, the record settled from what IAM shows
// after it. The rotation's own keywarden:rotation tag is its state, not a key's record.

// room makes room, before anything changes, for the tags a rotation writes: its state (when
// the store is on the user), the old key's record and the new key's. Only stale records of deleted keys are pruned; a user
// with no room is refused, as apply refuses a change it cannot record.
func (r *run) room(ctx context.Context) error {
	need := r.o.Store.Tags()
	for _, k := range r.keys {
		if k.Status == keys.Active {
			need = append(need, keys.TagKey(k.AccessKeyID))
		}
	}
	if err := provenance.MakeRoom(ctx, r.iam, r.o.User, r.tags, r.keys, need, 1); err != nil {
		return &RefusedError{Msg: err.Error()}
	}
	return nil
}

// change makes one key change under the record protocol. The change is made even if its
// record cannot be written (retiring a key matters more than its record, and a missing record
// only makes activate refuse); a record left pending or unwritten is a warning.
func (r *run) change(ctx context.Context, keyID, action string, act func(context.Context) error) error {
	// Do reads the tags itself, just before its intent: the record it replaces may be another
	// writer's by now (respond, apply), and it is what Do puts back if the change fails. Its
	// writes (and any pruning) are its own, so the run's copy no longer counts them.
	r.tagsStale = true
	res := provenance.Do(ctx, r.iam, provenance.Change{
		User: r.o.User, KeyID: keyID, Action: action, Origin: r.o.Origin, Now: r.o.Now(),
		Keys: r.keys, BestEffort: true,
	}, act)
	if res.RecordErr != nil {
		r.warn("the record of %s (%s) on %s: %v", keyID, action, r.o.User, res.RecordErr)
	}
	if res.Outcome == provenance.Made {
		return nil
	}
	if res.Err == nil {
		return fmt.Errorf("%s %s of %s: not made", action, keyID, r.o.User)
	}
	return res.Err
}

// record writes the settled record of a change already made (the new key's creation, known
// from CreateAccessKey's answer), with the rotation's token. A failure is a warning: the key
// matters more than its record. The tags the run read at its start (and its store kept
// current) count the room, unless a key change has written records since: a fresh rotation
// does not list the tags it already knows again.
func (r *run) record(ctx context.Context, keyID, action string) {
	rec := keys.Record{Action: action, Time: r.o.Now(), Origin: r.o.Origin, Token: r.st.Token}
	tags := r.tags
	if r.tagsStale {
		tags = nil
	}
	if err := provenance.Record(ctx, r.iam, r.o.User, keyID, rec, tags, r.keys); err != nil {
		r.warn("could not record that %s was %s on %s: %s", keyID, action, r.o.User, awserr.Message("tag", err))
	}
}
