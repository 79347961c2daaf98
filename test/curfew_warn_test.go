package test

import (
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
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
	s.awaitLog("job scheduled", map[string]any{"job": "curfew", "warn": "1h0m0s"})

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
