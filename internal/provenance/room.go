package provenance

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/keys"
)

// makeRoom ensures the user can take one more keywarden tag. IAM allows 50 tags per user;
// keywarden's records of keys that no longer exist are the only tags it may remove to make room,
// oldest first. A user whose 50 tags are all someone else's is an error, not a silent skip:
// keywarden does not change a key it cannot record.
func makeRoom(ctx context.Context, c IAM, user, keyID string, tags map[string]string, ks []keys.Key) error {
	if _, ok := tags[keys.TagKey(keyID)]; ok || len(tags) < keys.MaxTagsPerUser {
		return nil
	}
	live := map[string]bool{keyID: true}
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
	if len(st) == 0 {
		return fmt.Errorf("user %s already has %d tags, IAM's limit, and none is a stale keywarden record; remove a tag so keywarden can record the change", user, len(tags))
	}
	sort.Slice(st, func(i, j int) bool { return st[i].rec.Time.Before(st[j].rec.Time) })
	if _, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: &user, TagKeys: []string{st[0].tag}}); err != nil {
		return fmt.Errorf("make room for the record on %s: %w", user, err)
	}
	delete(tags, st[0].tag)
	return nil
}
