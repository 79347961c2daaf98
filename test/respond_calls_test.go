package test

import (
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/keys"
)

// A response reads the user's keys and tags once, before its intent: what it then wrote (the
// key inactive, the incident record) it knows, so the user is not listed again after the
// deactivation. Counted at the proxy, on a human's key (no rotation, whose own reads are its
// protocol's).
func TestRespondReadsTheUserOnce(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	key := mkUser(t, c, "dev", 1)[0]
	tagOwner(t, c, "dev", "dev@example.com")
	cfg := writeConfig(t, "", "notify:\n  security: soc@example.com\n"+lambdaYAML)
	p := moto(t).Proxy(t)
	w := witness(t)
	r := kw(t, p.Config(w[0], w[1]), "respond", "--output", "json", "--key", key, "--reason", "leaked", "-c", cfg)
	var rep incident.Report
	mustJSON(t, r.stdout, &rep)
	if r.code != 0 || stepOf(rep, "deactivate").Outcome != incident.Done || statusByCLI(t, "dev", key) != "Inactive" {
		t.Fatalf("respond: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The owner's notice still comes from the tags read before the change.
	if len(rep.Notices) != 2 || rep.Notices[0].Owner != "dev@example.com" {
		t.Fatalf("notices %+v", rep.Notices)
	}
	calls := p.Calls()
	if calls["ListAccessKeys"] != 1 || calls["ListUserTags"] != 1 || calls["TagUser"] != 2 || calls["UpdateAccessKey"] != 1 {
		t.Fatalf("calls %v: want ListAccessKeys 1, ListUserTags 1, TagUser 2 (intent, settle), UpdateAccessKey 1", calls)
	}
}

// A rerun of a response keeps the first incident: the key already inactive under a settled
// incident record is left as it is, its record's time and reason unchanged, and nothing is
// written. keywarden's clock is moto's stamp of the key plus an offset, never a fixed date.
func TestRespondRerunKeepsTheFirstIncident(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	key := mkUser(t, c, "dev", 1)[0]
	cfg := writeConfig(t, "", lambdaYAML)
	first := createdAt(t, c, "dev", key).Add(time.Hour).Truncate(time.Second)
	r := kwAt(t, first, admin(t), "respond", "--key", key, "--reason", "leaked in CI", "-c", cfg)
	if r.code != 0 {
		t.Fatalf("respond: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	was := tagsByCLI(t, "dev")[keys.TagKey(key)]
	if rec, err := keys.ParseRecord(was); err != nil || !rec.Incident() || !rec.Time.Equal(first) {
		t.Fatalf("record %q, %v; want an incident at %s", was, err, first)
	}

	p := moto(t).Proxy(t)
	w := witness(t)
	r = kwAt(t, first.Add(3*time.Hour), p.Config(w[0], w[1]), "respond", "--output", "json", "--key", key, "--reason", "found again", "-c", cfg)
	var rep incident.Report
	mustJSON(t, r.stdout, &rep)
	st := stepOf(rep, "deactivate")
	if r.code != 0 || st.Outcome != incident.Done || !strings.Contains(st.Detail, "already deactivated as an incident at "+first.UTC().Format(time.RFC3339)) {
		t.Fatalf("rerun: exit %d, deactivate %+v\n%s", r.code, st, r.stderr)
	}
	if got := tagsByCLI(t, "dev")[keys.TagKey(key)]; got != was || rep.Record != was {
		t.Fatalf("the rerun changed the incident record: %q (reported %q), was %q", got, rep.Record, was)
	}
	if calls := p.Calls(); calls["TagUser"] != 0 || calls["UntagUser"] != 0 || calls["UpdateAccessKey"] != 0 {
		t.Fatalf("the rerun wrote: %v", calls)
	}
	if s := statusByCLI(t, "dev", key); s != "Inactive" {
		t.Fatalf("the key is %s", s)
	}
}

// A response a crash cut short (its intent pending, the key still active) is finished by the
// rerun with the first response's time and reason; a key activated again outside keywarden
// since its settled incident is a new incident, with the new time.
func TestRespondRerunFinishesACrashedResponse(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	key := mkUser(t, c, "dev", 1)[0]
	cfg := writeConfig(t, "", lambdaYAML)
	first := createdAt(t, c, "dev", key).Add(time.Hour).Truncate(time.Second)
	pending := keys.Record{State: keys.Pending, Action: keys.ActionDeactivated, Time: first, Origin: keys.IncidentOrigin, Reason: "leaked_in_CI"}
	awsCLI(t, "iam", "tag-user", "--user-name", "dev", "--tags", "Key="+keys.TagKey(key)+",Value="+pending.String())

	later := first.Add(3 * time.Hour)
	r := kwAt(t, later, admin(t), "respond", "--key", key, "--reason", "found again", "-c", cfg)
	rec := record(t, "dev", key)
	if r.code != 0 || !rec.Incident() || rec.State != keys.Settled || !rec.Time.Equal(first) || rec.Reason != "leaked_in_CI" {
		t.Fatalf("exit %d, record %+v; want settled at %s with the first reason\n%s", r.code, rec, first, r.stderr)
	}
	if s := statusByCLI(t, "dev", key); s != "Inactive" {
		t.Fatalf("the key is %s", s)
	}

	awsCLI(t, "iam", "update-access-key", "--user-name", "dev", "--access-key-id", key, "--status", "Active")
	r = kwAt(t, later.Add(time.Hour), admin(t), "respond", "--key", key, "--reason", "leaked twice", "-c", cfg)
	rec = record(t, "dev", key)
	if r.code != 0 || !rec.Time.Equal(later.Add(time.Hour)) || rec.Reason != "leaked_twice" || statusByCLI(t, "dev", key) != "Inactive" {
		t.Fatalf("a new incident on a key active again: exit %d, record %+v\n%s", r.code, rec, r.stderr)
	}
}
