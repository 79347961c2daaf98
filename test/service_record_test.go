package test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/test/emu"
)

// A service rotation changes keys through the same record protocol as apply and self-rotation
// (internal/provenance): its records are as true, and as frugal with IAM's 50 tags.

// Issue 14's defect 1 through a service rotation: retiring the old key fails, and so does
// taking its record back. No settled record may claim the deactivation, so that after a person
// disables the key activate still leaves it alone.
func TestServiceRotateFailedRetireLeavesNoSettledRecord(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	cfg := failing(t, emu.ServerError, "UpdateAccessKey", "UntagUser")
	r := kw(t, cfg, "rotate", "--user", svcUser, "--to", "ssm:/ci/svc", "--grace", "0", "--output", "json")
	if r.code == 0 || !strings.Contains(r.stderr, "pending") {
		t.Fatalf("a retire IAM refused: exit %d, want failure naming the record left pending\n%s", r.code, r.stderr)
	}
	if st := statusByCLI(t, svcUser, oldID); st != "Active" {
		t.Fatalf("the old key is %s", st)
	}
	if rec := record(t, svcUser, oldID); rec.Trusted(keys.ActionDeactivated) || rec.State != keys.Pending {
		t.Fatalf("the old key's record after a failed retire: %+v, want pending", rec)
	}
	signsAsUser(t, paramByCLI(t, "/ci/svc"))

	setStatus(t, c, svcUser, oldID, "Inactive") // a person, after a leak
	r = kw(t, admin(t), "activate", "--key", oldID)
	if statusByCLI(t, svcUser, oldID) != "Inactive" || !strings.Contains(r.stdout, "unsettled") {
		t.Fatalf("activate re-enabled a key keywarden never deactivated: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The next rotation finds the old key inactive and closes; a run after InFlight settles the
	// record to unconfirmed, which activate still does not trust.
	r = kwAt(t, fixedNow.Add(time.Hour), admin(t), "rotate", "--user", svcUser, "--to", "ssm:/ci/svc", "--grace", "0", "--output", "json")
	if r.code != 0 || svcResults(t, r)[0].State != "done" || tagsByCLI(t, svcUser)[keys.RotationTag] != "" {
		t.Fatalf("the rerun: exit %d\n%s", r.code, r.stderr)
	}
	r = kwAt(t, fixedNow.Add(time.Hour), admin(t), "activate", "--key", oldID)
	if statusByCLI(t, svcUser, oldID) != "Inactive" || !strings.Contains(r.stdout, "never learnt") {
		t.Fatalf("activate an hour later: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A user at IAM's 50 tags still rotates when some are keywarden's records of deleted keys: the
// oldest are pruned, just enough for the rotation's state and its two key records. A user whose
// 50 tags are all someone else's is refused before anything changes.
func TestServiceRotateAtFiftyTags(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	tags := map[string]string{}
	for i := range 45 {
		tags[fmt.Sprintf("team:%02d", i)] = "x"
	}
	stale := func(i int) string { return keys.TagKey(fmt.Sprintf("AKIAGONEGONEGONE%04d", i)) }
	for i := range 5 {
		tags[stale(i)] = keys.Record{Action: keys.ActionDeleted, Time: fixedNow.Add(-time.Duration(100-i) * 24 * time.Hour), Origin: "job:hygiene"}.String()
	}
	tagUser(t, c, svcUser, tags)
	r := svcKW(t, "--to", "ssm:/ci/svc", "--grace", "0")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	newID := paramByCLI(t, "/ci/svc").AccessKeyId
	got := tagsByCLI(t, svcUser)
	if len(got) != 49 || got[keys.RotationTag] != "" {
		t.Fatalf("%d tags after the rotation, want 49 (three stale records made room, the state tag gone): %v", len(got), got)
	}
	for i := range 5 {
		if _, kept := got[stale(i)]; kept != (i >= 3) {
			t.Fatalf("stale record %d kept=%v: want the three oldest pruned", i, kept)
		}
	}
	if rec := record(t, svcUser, oldID); !rec.Trusted(keys.ActionDeactivated) || statusByCLI(t, svcUser, oldID) != "Inactive" {
		t.Fatalf("the old key: %s, record %+v", statusByCLI(t, svcUser, oldID), rec)
	}
	if rec := record(t, svcUser, newID); !rec.Trusted(keys.ActionCreated) {
		t.Fatalf("the new key's record: %+v", rec)
	}
}

// At 50 tags with no stale record, there is no room for the rotation's state: refused, and
// nothing changes.
func TestServiceRotateAtFiftyTagsWithNoStaleRecordRefuses(t *testing.T) {
	c, oldID, _ := svcSetup(t)
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("team:%02d", i)] = "x"
	}
	tagUser(t, c, svcUser, fifty)
	r := svcKW(t, "--to", "ssm:/ci/svc", "--grace", "0")
	if r.code == 0 || !strings.Contains(r.stderr, "already has 50 tags") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" || len(tagsByCLI(t, svcUser)) != 50 {
		t.Fatalf("keys %v, %d tags: the refusal changed something", k, len(tagsByCLI(t, svcUser)))
	}
}
