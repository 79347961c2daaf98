package test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/notify"
)

const curfewWarnYAML = `notify:
  fallback: "@night-owls"
  webhook: {url: "HOOK/services/T000/B000/SECRETPATH"}
jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [owl]}
    do:
      - deactivate: {warn: 1h}
`

// serve fires a curfew's warning-only run warn: before each run: the owner hears which keys
// the run will deactivate and when, nothing changes, and the warning comes again the next
// night (it is remembered per run, not once ever).
func TestServeWarnsAnHourBeforeTheCurfew(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "owl", 1)[0]
	h := newHook(t)
	cfg := writeConfig(t, "", strings.ReplaceAll(curfewWarnYAML, "HOOK", h.srv.URL))
	start := time.Date(2026, 11, 23, 13, 30, 0, 0, time.UTC) // 22:30 in Tokyo
	s := startServe(t, admin(t), start, "-c", cfg)
	s.awaitLog("job scheduled", map[string]any{"job": "curfew", "warn": "1h"})

	s.fire(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	s.awaitLog("job run", map[string]any{"job": "curfew/warn", "outcome": "success"})
	s.awaitLog("curfew warning", map[string]any{"job": "curfew", "warnings": 1.0, "due": "2026-11-23T15:00:00Z"})
	got := h.got()
	if len(got) != 1 || !strings.Contains(got[0], id) || !strings.Contains(got[0], "will be deactivated at 2026-11-24 00:00 JST by job curfew") {
		t.Fatalf("webhook got %q, want one warning naming %s", got, id)
	}
	if st := statusByCLI(t, "owl", id); st != "Active" {
		t.Fatalf("the warning run changed the key: %s", st)
	}
	if w := tagsByCLI(t, "owl")[keys.WarnedTag]; w != id+"=curfew/deactivate@20261123T1500Z" {
		t.Fatalf("warned tag %q", w)
	}

	s.fire(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
	s.awaitLog("job run", map[string]any{"job": "curfew", "outcome": "success"})
	if st := statusByCLI(t, "owl", id); st != "Inactive" {
		t.Fatalf("the curfew left the key %s", st)
	}
	setStatus(t, c, "owl", id, "Active") // the owner is back at work the next day

	s.fire(time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC))
	s.awaitLog("curfew warning", map[string]any{"job": "curfew", "warnings": 1.0, "due": "2026-11-24T15:00:00Z"})
	s.awaitLog("job run", map[string]any{"job": "curfew/warn", "scheduled": "2026-11-24T23:00:00+09:00"}) // told and remembered
	if got := h.got(); len(got) != 3 || !strings.Contains(got[2], "2026-11-25 00:00 JST") {
		t.Fatalf("the next night's warning: webhook got %d messages: %q", len(got), got)
	}
	if w := tagsByCLI(t, "owl")[keys.WarnedTag]; w != id+"=curfew/deactivate@20261124T1500Z" {
		t.Fatalf("warned tag %q: want the one entry of the latest run", w)
	}
	if strings.Contains(s.stderr.String(), "SECRETPATH") {
		t.Fatal("the webhook URL is in the log")
	}
}

// recSender records what a run would send, for handlers that take a Sender.
type recSender struct{ runs []notify.Run }

func (s *recSender) Send(_ context.Context, r notify.Run) []notify.Result {
	s.runs = append(s.runs, r)
	return []notify.Result{{Channel: "test", Sent: len(r.Digests)}}
}

// The Lambda's warning run is the event {"job":"curfew","warn":true}, which the template's
// second schedule sends warn: before the curfew's: it warns of the next run and changes nothing;
// the same event again that night warns nobody twice.
func TestLambdaCurfewWarningEvent(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "owl", 1)[0]
	yaml := "notify: {fallback: \"@night-owls\", webhook: {url: \"https://hooks.example.com/x\"}}\n" +
		"jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    timezone: Asia/Tokyo\n    select: {users: [owl]}\n    do: [{deactivate: {warn: 1h}}]\n"
	h, _ := lambdaHandler(t, map[string]string{contract.EnvConfig: yaml})
	s := &recSender{}
	h.Sender = s
	h.Now = func() time.Time { return fixedNow.Add(-time.Hour) } // 23:00 in Tokyo
	for range 2 {
		r, err := h.Handle(context.Background(), []byte(`{"job":"curfew","warn":true}`))
		if err != nil || len(r.Keys) != 0 || r.Changed != 0 {
			t.Fatalf("warning run: %+v, %v", r, err)
		}
	}
	if len(s.runs) != 1 || len(s.runs[0].Digests) != 1 {
		t.Fatalf("sent %+v, want one digest, once", s.runs)
	}
	e := s.runs[0].Digests[0].Events[0]
	if e.AccessKeyID != id || !e.Warning() || !e.Due.Equal(fixedNow) || !strings.Contains(e.Reason, "2026-11-24 00:00 JST") {
		t.Fatalf("event %+v", e)
	}
	if st := statusByCLI(t, "owl", id); st != "Active" {
		t.Fatalf("the warning run changed the key: %s", st)
	}
	if _, err := h.Handle(context.Background(), []byte(`{"job":"nope","warn":true}`)); err == nil {
		t.Fatal("a warning for an unknown job was accepted")
	}
}
