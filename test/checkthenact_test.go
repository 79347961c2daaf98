package test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// A plan is decided from an inventory read earlier; apply must re-read each key and act on what
// is true now (DESIGN invariants 5 and 6), never on what the plan remembered.
func TestApplyActsOnTheKeyAsItIsNowNotAsPlanned(t *testing.T) {
	c := fresh(t)
	ctx := context.Background()
	ids := mkUser(t, c, "dev", 2)
	laterInactive, laterActive := ids[0], ids[1]
	gone := mkUser(t, c, "gone", 1)[0]
	self := mkUser(t, c, "self", 1)[0]

	// Between planning and applying: a person deactivates one key, deletes another.
	set := func(user, id string) {
		if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(id), Status: "Inactive"}); err != nil {
			t.Fatal(err)
		}
	}
	set("dev", laterInactive)
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("gone"), AccessKeyId: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	set("self", self)

	stale := []policy.Action{
		{Kind: policy.Deactivate, User: "dev", AccessKeyID: laterInactive, Job: "curfew"}, // already inactive now
		{Kind: policy.Delete, User: "dev", AccessKeyID: laterActive, Job: "hygiene"},      // planned as inactive, but it is active
		{Kind: policy.Deactivate, User: "gone", AccessKeyID: gone, Job: "curfew"},         // deleted meanwhile
		{Kind: policy.Delete, User: "gone", AccessKeyID: gone, Job: "hygiene"},            // already deleted
		{Kind: policy.Delete, User: "self", AccessKeyID: self, Job: "hygiene"},            // the key keywarden is signed with
	}
	rs := apply.Apply(ctx, c, stale, apply.Options{SelfKeyID: self, Now: func() time.Time { return fixedNow }})
	want := []string{apply.Unchanged, apply.Skipped, apply.Skipped, apply.Unchanged, apply.Refused}
	for i, r := range rs {
		if r.Outcome != want[i] {
			t.Errorf("%s %s of %s: outcome %q (%s), want %q", r.Action, r.AccessKeyID, r.User, r.Outcome, r.Reason, want[i])
		}
	}
	if statusByCLI(t, "dev", laterActive) != "Active" {
		t.Fatal("an active key was deleted: deletion must only ever apply to inactive keys")
	}
	if statusByCLI(t, "self", self) != "Inactive" {
		t.Fatal("keywarden deleted the key it is signed with")
	}
	if len(tagsByCLI(t, "dev")) != 0 || len(tagsByCLI(t, "self")) != 0 {
		t.Fatal("provenance was recorded for changes that were not made")
	}

	// Running the same actions again changes nothing either (idempotence).
	again := apply.Apply(ctx, c, stale, apply.Options{SelfKeyID: self, Now: func() time.Time { return fixedNow }})
	for i, r := range again {
		if r.Changed() || r.Outcome != want[i] {
			t.Errorf("second run: %s %s: %q", r.Action, r.AccessKeyID, r.Outcome)
		}
	}
}

// A delete that keywarden does make is recorded, and the key is gone for the AWS CLI too.
func TestDeleteRecordsProvenance(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "old", 1)[0]
	if r := kw(t, admin(t), "deactivate", "--key", id); r.code != 0 {
		t.Fatal(r.stderr)
	}
	rs := apply.Apply(context.Background(), c, []policy.Action{{Kind: policy.Delete, User: "old", AccessKeyID: id, Job: "hygiene"}},
		apply.Options{Now: func() time.Time { return fixedNow }})
	if rs[0].Outcome != apply.Deleted || statusByCLI(t, "old", id) != "absent" {
		t.Fatalf("delete: %+v", rs[0])
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "old")[keys.TagKey(id)])
	if err != nil || rec.Action != keys.ActionDeleted || rec.Origin != "job:hygiene" {
		t.Fatalf("provenance after delete: %+v %v", rec, err)
	}
}
