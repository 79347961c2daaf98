package provenance

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// Record writes a settled record of a change already made and confirmed (rotate's "created":
// the new key exists once CreateAccessKey answered, with its rotation's token). tags are the
// user's tags if the caller knows them (nil reads them); they are only counted to make room,
// since the record replaces whatever was there, and they are updated. ks are the user's keys,
// for pruning.
func Record(ctx context.Context, c IAM, user, keyID string, rec keys.Record, tags map[string]string, ks []keys.Key) error {
	known := tags != nil
	if !known {
		var err error
		if tags, err = inventory.ListTags(ctx, c, user); err != nil {
			return fmt.Errorf("read the tags of %s: %w", user, err)
		}
	}
	if err := makeRoom(ctx, c, user, keyID, tags, ks); err != nil {
		return err
	}
	rec.State, rec.Was = keys.Settled, nil
	tk, v := keys.TagKey(keyID), rec.String()
	err := tag(ctx, c, user, tk, v)
	if err != nil && known && awserr.Classify(err) == awserr.LimitExceeded {
		// Someone else tagged the user since the caller read its tags: the room is made again
		// from what IAM holds now, as it would have been without the caller's copy.
		err = Record(ctx, c, user, keyID, rec, nil, ks)
	}
	if err != nil {
		return err
	}
	tags[tk] = v
	return nil
}

// Settle settles a record another run left pending, from the key's state in ks (as just
// listed): the intended state shown → unconfirmed (keywarden cannot tell whether it or someone
// else made it); not shown → the record it replaced is put back. A pending record younger than
// InFlight, or a record in any other state, is returned as it is. tags is updated.
func Settle(ctx context.Context, c IAM, user, keyID string, tags map[string]string, ks []keys.Key, now time.Time) (keys.Record, bool, error) {
	tk := keys.TagKey(keyID)
	v, ok := tags[tk]
	if !ok {
		return keys.Record{}, false, nil
	}
	rec, err := keys.ParseRecord(v)
	if err != nil {
		return keys.Record{}, false, nil
	}
	if rec.State != keys.Pending || now.Sub(rec.Time) < InFlight {
		return rec, true, nil
	}
	if Shows(ks, keyID, rec.Action) {
		un := keys.Record{State: keys.Unconfirmed, Action: rec.Action, Time: rec.Time, Origin: rec.Origin, Reason: rec.Reason}
		if err := tag(ctx, c, user, tk, un.String()); err != nil {
			return rec, true, fmt.Errorf("settle the pending record of %s on %s: %w", keyID, user, err)
		}
		tags[tk] = un.String()
		return un, true, nil
	}
	if rec.Was != nil {
		if err := tag(ctx, c, user, tk, rec.Was.String()); err != nil {
			return rec, true, fmt.Errorf("settle the pending record of %s on %s: %w", keyID, user, err)
		}
		tags[tk] = rec.Was.String()
		return *rec.Was, true, nil
	}
	if _, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: &user, TagKeys: []string{tk}}); err != nil {
		return rec, true, fmt.Errorf("settle the pending record of %s on %s: %w", keyID, user, err)
	}
	delete(tags, tk)
	return keys.Record{}, false, nil
}

// SettleAll settles every pending record of the inventory's users that is older than
// InFlight (their keys and tags as read), and updates the inventory to match: the next run
// settles what a crashed one left. It returns what it could not settle.
func SettleAll(ctx context.Context, c IAM, inv *keys.Inventory, now time.Time) []error {
	var errs []error
	for i := range inv.Users {
		u := &inv.Users[i]
		for t := range u.Tags {
			id, ok := keys.KeyIDFromTag(t)
			if !ok {
				continue
			}
			if _, _, err := Settle(ctx, c, u.Name, id, u.Tags, u.Keys, now); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// Confirm settles the pending record of a change the caller knows it made itself though the
// run that made it died before settling it (a rotation whose state says it was retiring the
// key finds the key retired): the record becomes settled, with the intent's time and origin.
// A record that is not pending for action, or a key that does not show action, is left as it
// is. tags is updated.
func Confirm(ctx context.Context, c IAM, user, keyID, action string, tags map[string]string, ks []keys.Key) (bool, error) {
	tk := keys.TagKey(keyID)
	rec, err := keys.ParseRecord(tags[tk])
	if err != nil || rec.State != keys.Pending || rec.Action != action || !Shows(ks, keyID, action) {
		return false, nil
	}
	done := keys.Record{Action: rec.Action, Time: rec.Time, Origin: rec.Origin, Reason: rec.Reason}.String()
	if err := tag(ctx, c, user, tk, done); err != nil {
		return false, fmt.Errorf("settle the pending record of %s on %s: %w", keyID, user, err)
	}
	tags[tk] = done
	return true, nil
}
