package test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/test/emu"
)

// Two applies on the same key: both read it active, one changes it. Each must report what it
// really did — the loser "unchanged" — and the record must be the winner's, settled.
func TestTwoAppliesRacingReportWhatEachDid(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	w := witness(t)
	pa, pb := moto(t).Proxy(t), moto(t).Proxy(t)
	bChecked := make(chan struct{})
	var once sync.Once
	// b reads the key (active), and its read of the user's tags, sent beside that re-read, waits
	// until a has finished. Held, not blocked in the predicate: the predicate runs under the
	// proxy's lock, and the re-read may arrive after the tags' read.
	_, aDone := pb.HoldNext(t, "ListUserTags")
	pb.FailWhen(func(c emu.Call) bool {
		if c.Action == "ListAccessKeys" {
			once.Do(func() { close(bChecked) })
		}
		return false
	}, emu.ServerError)
	acts := []policy.Action{{Kind: policy.Deactivate, User: "dev", AccessKeyID: id, Reason: "requested"}}
	now := func() time.Time { return fixedNow }
	ctx := context.Background()
	var rb []apply.Result
	bDone := make(chan struct{})
	go func() {
		defer close(bDone)
		rb = apply.Apply(ctx, iam.NewFromConfig(pb.Config(w[0], w[1])), acts, apply.Options{Origin: "apply-b", Now: now})
	}()
	<-bChecked
	ra := apply.Apply(ctx, iam.NewFromConfig(pa.Config(w[0], w[1])), acts, apply.Options{Origin: "apply-a", Now: now})
	aDone()
	<-bDone
	if ra[0].Outcome != apply.Deactivated || rb[0].Outcome != apply.Unchanged {
		t.Fatalf("a: %s (%s); b: %s (%s); want deactivated and unchanged", ra[0].Outcome, ra[0].Reason, rb[0].Outcome, rb[0].Reason)
	}
	if rec := record(t, "dev", id); !rec.Trusted(keys.ActionDeactivated) || rec.Origin != "apply-a" {
		t.Fatalf("record %+v, want a's settled deactivation", rec)
	}
	if statusByCLI(t, "dev", id) != "Inactive" {
		t.Fatal("the key is not inactive")
	}
}
