package provenance

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// makeRoom ensures the user can take the record of keyID.
func makeRoom(ctx context.Context, c IAM, user, keyID string, tags map[string]string, ks []keys.Key) error {
	return MakeRoom(ctx, c, user, tags, ks, []string{keys.TagKey(keyID)}, 0)
}

// MakeRoom ensures the user can take the tags named in need that it lacks, and more tags
// besides (records of keys not yet made). IAM allows 50 tags per user; keywarden's records of
// keys that no longer exist are the only tags it may remove to make room, oldest first. A user
// whose tags are all someone else's or live is an error, not a silent skip: keywarden does not
// change a key it cannot record. ks are the user's keys as just listed (nil: listed here when
// room must be made); tags is updated.
func MakeRoom(ctx context.Context, c IAM, user string, tags map[string]string, ks []keys.Key, need []string, more int) error {
	n := more
	live := map[string]bool{}
	for _, t := range need {
		if _, ok := tags[t]; !ok {
			n++
		}
		if id, ok := keys.KeyIDFromTag(t); ok {
			live[id] = true
		}
	}
	n -= keys.MaxTagsPerUser - len(tags)
	if n <= 0 {
		return nil
	}
	if ks == nil {
		// Not known to the caller: without the list, every other key's record would look
		// stale and could be pruned. Read only here, at the limit.
		var err error
		if ks, err = inventory.ListKeys(ctx, c, user); err != nil {
			return fmt.Errorf("make room for the record on %s: list its keys: %w", user, err)
		}
	}
	for _, k := range ks {
		live[k.AccessKeyID] = true
	}
	type stale struct {
		tag string
		rec keys.Record
	}
	var st []stale
	for t, v := range tags {
		id, ok := keys.KeyIDFromTag(t)
		if !ok || live[id] {
			continue
		}
		rec, _ := keys.ParseRecord(v)
		st = append(st, stale{t, rec})
	}
	if len(st) < n {
		if len(st) == 0 {
			return fmt.Errorf("user %s already has %d tags, IAM's limit, and none is a stale keywarden record; remove a tag so keywarden can record the change", user, len(tags))
		}
		return fmt.Errorf("user %s has %d tags and keywarden needs %d more to record the change (IAM allows %d), but only %d are stale keywarden records; remove a tag", user, len(tags), n, keys.MaxTagsPerUser, len(st))
	}
	sort.Slice(st, func(i, j int) bool { return st[i].rec.Time.Before(st[j].rec.Time) })
	var drop []string
	for _, s := range st[:n] {
		drop = append(drop, s.tag)
	}
	if _, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: &user, TagKeys: drop}); err != nil {
		return fmt.Errorf("make room for the record on %s: %w", user, err)
	}
	for _, t := range drop {
		delete(tags, t)
	}
	return nil
}
