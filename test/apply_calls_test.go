package test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/test/emu"
)

// A change reads the user's tags while its re-read of the keys is in flight (issue 20): the
// Lambda's curfew waits for five round trips, not six, and so does the morning's activate. The
// proxy holds the re-read until the tags' read arrives, so the overlap is shown, not timed;
// code that reads one after the other never sends it, and the deadline only ends that wait.
func TestChangeReadsTheTagsBesideTheKeys(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	p := moto(t).Proxy(t)
	w := witness(t)
	client := iam.NewFromConfig(p.Config(w[0], w[1]))
	for _, step := range []struct {
		kind    policy.Kind
		outcome string
		action  string
	}{
		{policy.Deactivate, apply.Deactivated, keys.ActionDeactivated},
		{policy.Activate, apply.Activated, keys.ActionActivated},
	} {
		p.ResetCounts()
		// The re-read is answered only once the tags' read has arrived (before or after the
		// re-read itself did), so any tags' read seen here overlapped it.
		_, release := p.HoldNext(t, "ListAccessKeys")
		var overlapped atomic.Bool
		remove := p.FailWhen(func(c emu.Call) bool {
			if c.Action == "ListUserTags" {
				overlapped.Store(true)
				release()
			}
			return false
		}, emu.ServerError)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rs := apply.Apply(ctx, client, []policy.Action{{Kind: step.kind, User: "dev", AccessKeyID: id, Job: "curfew"}},
			apply.Options{Origin: "lambda", Now: func() time.Time { return fixedNow }})
		cancel()
		remove()
		if !overlapped.Load() || rs[0].Outcome != step.outcome {
			t.Fatalf("%s: outcome %s (%s); the tags read before the keys' re-read was answered: %v; want %s, with the tags read beside the re-read",
				step.kind, rs[0].Outcome, rs[0].Reason, overlapped.Load(), step.outcome)
		}
		calls := p.Calls()
		if calls["ListAccessKeys"] != 2 || calls["ListUserTags"] != 1 || calls["TagUser"] != 2 || calls["UpdateAccessKey"] != 1 {
			t.Fatalf("%s: calls %v: want ListAccessKeys 2 (re-read, recheck), ListUserTags 1, TagUser 2 (intent, settle), UpdateAccessKey 1", step.kind, calls)
		}
		if rec := record(t, "dev", id); !rec.Trusted(step.action) || rec.Origin != "job:curfew" {
			t.Fatalf("%s: record %+v: want the curfew's settled record", step.kind, rec)
		}
	}
}

// The tags read beside the keys matter only when the change goes ahead: an action the re-read
// shows needless is not failed by a tags read that failed.
func TestNeedlessActionIgnoresAFailedTagsRead(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "dev", 2)
	off, gone := ids[0], ids[1]
	ctx := context.Background()
	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(off), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	p := moto(t).Proxy(t)
	w := witness(t)
	p.FailWhen(func(c emu.Call) bool { return c.Action == "ListUserTags" }, emu.Denied)
	rs := apply.Apply(ctx, iam.NewFromConfig(p.Config(w[0], w[1])), []policy.Action{
		{Kind: policy.Deactivate, User: "dev", AccessKeyID: off, Job: "curfew"},
		{Kind: policy.Delete, User: "dev", AccessKeyID: gone, Job: "hygiene"},
	}, apply.Options{Now: func() time.Time { return fixedNow }})
	for _, r := range rs {
		if r.Outcome != apply.Unchanged || r.Err != nil {
			t.Errorf("%s %s: outcome %s (%s, %v); want unchanged whatever the tags read said", r.Action, r.AccessKeyID, r.Outcome, r.Reason, r.Err)
		}
	}
	if n := p.Count("TagUser"); n != 0 {
		t.Fatalf("%d TagUser calls for actions that change nothing", n)
	}
}

// A deactivation that goes ahead cannot record its intent without the user's tags: it fails
// as the record protocol fails when it cannot read them, and changes nothing.
func TestDeactivationFailsWhenTheTagsCannotBeRead(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	p := moto(t).Proxy(t)
	w := witness(t)
	p.FailWhen(func(c emu.Call) bool { return c.Action == "ListUserTags" }, emu.Denied)
	rs := apply.Apply(context.Background(), iam.NewFromConfig(p.Config(w[0], w[1])),
		[]policy.Action{{Kind: policy.Deactivate, User: "dev", AccessKeyID: id, Job: "curfew"}},
		apply.Options{Now: func() time.Time { return fixedNow }})
	r := rs[0]
	want := "deactivate " + id + " of dev: access denied"
	if r.Outcome != apply.Failed || !strings.HasPrefix(r.Reason, want) || r.Err == nil || !strings.Contains(r.Err.Error(), "read the tags of dev: ") {
		t.Fatalf("outcome %s, reason %q, err %v; want failed, %q…, the tags' read named", r.Outcome, r.Reason, r.Err, want)
	}
	if statusByCLI(t, "dev", id) != "Active" || len(tagsByCLI(t, "dev")) != 0 {
		t.Fatal("the key or its record changed although the tags could not be read")
	}
	if calls := p.Calls(); calls["TagUser"] != 0 || calls["UpdateAccessKey"] != 0 {
		t.Fatalf("calls %v: want no write", calls)
	}
}

// A dry run writes no record, so it reads no tags: it costs the re-read alone.
func TestDryRunDeactivationReadsNoTags(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	p := moto(t).Proxy(t)
	w := witness(t)
	rs := apply.Apply(context.Background(), iam.NewFromConfig(p.Config(w[0], w[1])), []policy.Action{
		{Kind: policy.Deactivate, User: "dev", AccessKeyID: id, Job: "curfew"},
		{Kind: policy.Delete, User: "dev", AccessKeyID: id, Job: "hygiene"},
	}, apply.Options{DryRun: true, Now: func() time.Time { return fixedNow }})
	if rs[0].Outcome != apply.WouldPrefix+string(policy.Deactivate) {
		t.Fatalf("outcome %s (%s); want a would-be deactivation", rs[0].Outcome, rs[0].Reason)
	}
	if calls := p.Calls(); calls["ListUserTags"] != 0 || calls["ListAccessKeys"] != 2 {
		t.Fatalf("calls %v: want the re-reads alone (ListAccessKeys 2, ListUserTags 0)", calls)
	}
}
