package test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/provenance"
	"github.com/keywarden/keywarden/test/emu"
)

func tagUser(t *testing.T, c *iam.Client, user string, kv map[string]string) {
	t.Helper()
	var tags []iamtypes.Tag
	for k, v := range kv {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	for len(tags) > 0 {
		n := min(len(tags), 50)
		if _, err := c.TagUser(context.Background(), &iam.TagUserInput{UserName: aws.String(user), Tags: tags[:n]}); err != nil {
			t.Fatal(err)
		}
		tags = tags[n:]
	}
}

// IAM allows 50 tags per user and moto does not enforce it, so this checks keywarden's own
// bookkeeping: it never needs a 51st tag.
func TestProvenanceStaysWithinIAMTagLimit(t *testing.T) {
	c := fresh(t)

	full := mkUser(t, c, "full", 1)[0]
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("team:%02d", i)] = "x"
	}
	tagUser(t, c, "full", fifty)
	r := kw(t, admin(t), "deactivate", "--key", full)
	if r.code == 0 || !strings.Contains(r.stdout, "already has 50 tags, IAM's limit") {
		t.Fatalf("a user with 50 foreign tags: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if statusByCLI(t, "full", full) != "Active" || len(tagsByCLI(t, "full")) != 50 {
		t.Fatal("keywarden changed a key it could not record")
	}

	// 49 foreign tags and one stale record of a key deleted long ago: the stale record makes room.
	mid := mkUser(t, c, "stale", 1)[0]
	tags := map[string]string{keys.TagKey("AKIAGONEGONEGONEGONE"): "deleted 2025-01-01T00:00:00Z by=job:hygiene"}
	for i := range 49 {
		tags[fmt.Sprintf("team:%02d", i)] = "x"
	}
	tagUser(t, c, "stale", tags)
	r = kw(t, admin(t), "deactivate", "--key", mid)
	got := tagsByCLI(t, "stale")
	if r.code != 0 || statusByCLI(t, "stale", mid) != "Inactive" || len(got) != 50 {
		t.Fatalf("exit %d, %d tags\n%s%s", r.code, len(got), r.stdout, r.stderr)
	}
	if _, ok := got[keys.TagKey("AKIAGONEGONEGONEGONE")]; ok {
		t.Fatal("the stale record was kept and the limit exceeded")
	}
	if _, ok := got[keys.TagKey(mid)]; !ok {
		t.Fatal("the change was not recorded")
	}
}

// A record counted against tags the caller read earlier (a rotation's creation record) meets
// IAM's limit when someone tagged the user since: it reads the tags again and makes room from
// what IAM holds, as it would have without the caller's copy, instead of leaving the change
// unrecorded.
func TestRecordFromAStaleCopyMakesRoomWhenIAMIsFull(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "busy", 1)[0]
	gone := "AKIAGONE000000000001"
	old := keys.Record{Action: keys.ActionDeactivated, Time: createdAt(t, c, "busy", id), State: keys.Settled}
	tags := teamTags(49)
	tags[keys.TagKey(gone)] = old.String() // the 50th: IAM is full
	tagUser(t, c, "busy", tags)
	p := moto(t).Proxy(t)
	w := witness(t)
	p.FailNext("TagUser", 1, emu.TagLimit) // another writer's tag took the last place
	ks := []keys.Key{{AccessKeyID: id, Status: keys.Active}}
	known := map[string]string{}
	rec := keys.Record{Action: keys.ActionCreated, Time: old.Time, Origin: "test"}
	if err := provenance.Record(context.Background(), iam.NewFromConfig(p.Config(w[0], w[1])), "busy", id, rec, known, ks); err != nil {
		t.Fatalf("Record: %v", err)
	}
	got := tagsByCLI(t, "busy")
	if r, err := keys.ParseRecord(got[keys.TagKey(id)]); err != nil || r.Action != keys.ActionCreated || r.State != keys.Settled {
		t.Fatalf("the record %q (%v): want a settled creation", got[keys.TagKey(id)], err)
	}
	if _, ok := got[keys.TagKey(gone)]; ok {
		t.Fatalf("the stale record of %s is still there: no room was made", gone)
	}
	if calls := p.Calls(); calls["ListUserTags"] != 1 || calls["UntagUser"] != 1 || calls["TagUser"] != 2 {
		t.Fatalf("calls %v: want TagUser 2 (refused, then written), ListUserTags 1, UntagUser 1", calls)
	}
}
