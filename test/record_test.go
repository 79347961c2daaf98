package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/test/emu"
)

// The record protocol of internal/provenance, against each way a change can go wrong. The
// record is what activate trusts, so a record that claims a change IAM did not make
// re-enables a key a person disabled after a leak.

func failing(t *testing.T, f emu.Fault, actions ...string) aws.Config {
	t.Helper()
	p := moto(t).Proxy(t)
	p.FailWhen(func(c emu.Call) bool {
		for _, a := range actions {
			if c.Action == a {
				return true
			}
		}
		return false
	}, f)
	w := witness(t)
	return p.Config(w[0], w[1])
}

func record(t *testing.T, user, id string) keys.Record {
	t.Helper()
	v, ok := tagsByCLI(t, user)[keys.TagKey(id)]
	if !ok {
		return keys.Record{}
	}
	rec, err := keys.ParseRecord(v)
	if err != nil {
		t.Fatalf("the record of %s is %q: %v", id, v, err)
	}
	return rec
}

func setStatus(t *testing.T, c *iam.Client, user, id, status string) {
	t.Helper()
	if _, err := c.UpdateAccessKey(context.Background(), &iam.UpdateAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(id), Status: iamtypes.StatusType(status)}); err != nil {
		t.Fatal(err)
	}
}

// Defect 1: the change fails and so does taking the record back. A person then disables the
// key; activate must not re-enable it, now or after a later run settled the record.
func TestFailedChangeWhoseRecordCannotBeTakenBackIsNotTrusted(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	r := kw(t, failing(t, emu.ServerError, "UpdateAccessKey", "UntagUser"), "deactivate", "--key", id)
	if r.code != 1 || !strings.Contains(r.stdout, "failed") || !strings.Contains(r.stdout, "pending") {
		t.Fatalf("deactivate through a failing IAM: exit %d, want 1 naming the record left pending\n%s%s", r.code, r.stdout, r.stderr)
	}
	if statusByCLI(t, "dev", id) != "Active" || record(t, "dev", id).Trusted(keys.ActionDeactivated) {
		t.Fatalf("after a failed deactivate: status %s, record %+v", statusByCLI(t, "dev", id), record(t, "dev", id))
	}

	setStatus(t, c, "dev", id, "Inactive") // a person, after a leak
	r = kw(t, admin(t), "activate", "--key", id)
	if statusByCLI(t, "dev", id) != "Inactive" || !strings.Contains(r.stdout, "skipped") || !strings.Contains(r.stdout, "unsettled") {
		t.Fatalf("activate re-enabled a key keywarden never deactivated: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// An hour on, the pending record is stale: activate settles it from the key's state and
	// still leaves the key alone.
	r = kwAt(t, fixedNow.Add(time.Hour), admin(t), "activate", "--key", id)
	if statusByCLI(t, "dev", id) != "Inactive" || !strings.Contains(r.stdout, "never learnt") {
		t.Fatalf("activate an hour later: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if rec := record(t, "dev", id); rec.State != keys.Unconfirmed {
		t.Fatalf("the stale record was not settled: %+v", rec)
	}
}

// Defect 2: IAM makes the change but the answer is lost. The re-read settles the record, so
// activate can undo the change later.
func TestLostAnswerIsSettledByReReading(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	r := kw(t, failing(t, emu.ResetAfter, "UpdateAccessKey"), "deactivate", "--key", id)
	if r.code != 0 || !strings.Contains(r.stdout, id+" dev deactivated") {
		t.Fatalf("deactivate whose answer is lost: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if statusByCLI(t, "dev", id) != "Inactive" || !record(t, "dev", id).Trusted(keys.ActionDeactivated) {
		t.Fatalf("status %s, record %+v; want Inactive with a settled record", statusByCLI(t, "dev", id), record(t, "dev", id))
	}
	r = kw(t, admin(t), "activate", "--key", id)
	if r.code != 0 || statusByCLI(t, "dev", id) != "Active" || !record(t, "dev", id).Trusted(keys.ActionActivated) {
		t.Fatalf("activate after a lost answer: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A run killed between the call and the settle leaves a pending record; the next run settles
// it from the key's state: the change not made → the earlier record comes back; made → the
// record says unconfirmed, which nobody acts on without --force.
func TestNextRunSettlesWhatACrashedRunLeft(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "dev", 2)
	made, notMade := ids[0], ids[1]
	earlier := keys.Record{Action: keys.ActionActivated, Time: fixedNow.Add(-48 * time.Hour), Origin: "activate"}
	pending := func(id string) string {
		return keys.Record{State: keys.Pending, Action: keys.ActionDeactivated, Time: fixedNow, Origin: "job:curfew", Was: &earlier}.String()
	}
	tagUser(t, c, "dev", map[string]string{keys.TagKey(made): pending(made), keys.TagKey(notMade): pending(notMade)})
	setStatus(t, c, "dev", made, "Inactive")

	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	if err := os.WriteFile(cfg, []byte("jobs:\n  look:\n    select: {users: [dev]}\n    do:\n      - delete: {inactive_for: 0d}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := kwAt(t, fixedNow.Add(time.Hour), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || statusByCLI(t, "dev", made) != "Inactive" || !strings.Contains(r.stdout, "finding: not deleted") {
		t.Fatalf("apply acted on an unsettled record: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = kwAt(t, fixedNow.Add(time.Hour), admin(t), "activate", "--key", made)
	if r.code != 0 || statusByCLI(t, "dev", made) != "Inactive" || !strings.Contains(r.stdout, "never learnt") {
		t.Fatalf("activate acted on an unconfirmed record: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if rec := record(t, "dev", made); rec.State != keys.Unconfirmed || rec.Action != keys.ActionDeactivated {
		t.Fatalf("record of the key the crashed run may have changed: %+v", rec)
	}
	if rec := record(t, "dev", notMade); !rec.Trusted(keys.ActionActivated) || !rec.Time.Equal(earlier.Time) {
		t.Fatalf("record of the key the crashed run did not change: %+v, want the earlier one back", rec)
	}
}

// A pending record that cannot be settled is named by every command that runs jobs, and the
// run goes on: apply and serve --once alike.
func TestUnsettledRecordIsNamedByApplyAndServeOnce(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "dev", 1)[0]
	earlier := keys.Record{Action: keys.ActionActivated, Time: fixedNow.Add(-48 * time.Hour), Origin: "activate"}
	tagUser(t, c, "dev", map[string]string{keys.TagKey(id): keys.Record{State: keys.Pending, Action: keys.ActionDeactivated, Time: fixedNow, Origin: "job:curfew", Was: &earlier}.String()})
	setStatus(t, c, "dev", id, "Inactive") // a delete rule reads the records of inactive keys
	p := moto(t).Proxy(t)
	p.FailWhen(func(c emu.Call) bool { return c.Action == "TagUser" }, emu.Denied)
	w := witness(t)
	cfg := writeConfig(t, "", "jobs:\n  look:\n    select: {users: [dev]}\n    do:\n      - delete: {inactive_for: 30d}\n")
	for _, tc := range []struct{ args []string }{
		{[]string{"apply", "-c", cfg, "--yes"}},
		{[]string{"serve", "-c", cfg, "--once", "look"}},
	} {
		r := kwAt(t, fixedNow.Add(time.Hour), p.Config(w[0], w[1]), tc.args...)
		if r.code != 0 || !containsAll(r.stderr, "keywarden: warning: could not", id, "tries again") {
			t.Errorf("%s: exit %d, want the unsettled record named\n%s", tc.args[0], r.code, r.stderr)
		}
	}
	if rec := record(t, "dev", id); rec.State != keys.Pending {
		t.Fatalf("the record was settled though TagUser was denied: %+v", rec)
	}
}
