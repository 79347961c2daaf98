package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var due = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

var events = []Event{
	{User: "bob", AccessKeyID: "AKIABOB", Job: "hygiene", Rule: "deactivate older_than=90d", Action: "deactivate", Outcome: OutcomeWarning, Reason: "created 85 days ago (limit 90d)", Due: due},
	{User: "alice", AccessKeyID: "AKIAALICE", Job: "curfew", Rule: "deactivate", Action: "deactivate", Outcome: "deactivated", Reason: "every active key of the selection"},
	{User: "carol", AccessKeyID: "AKIACAROL", Job: "curfew", Rule: "deactivate", Action: "deactivate", Outcome: "failed", Reason: "AWS kept throttling"},
	{User: "dave", AccessKeyID: "AKIADAVE", Job: "curfew", Rule: "deactivate", Action: "deactivate", Outcome: "deactivated", Reason: "every active key of the selection"},
}

func TestGroupByOwnerWithFallback(t *testing.T) {
	owners := map[string]string{"alice": "alice@example.com", "bob": "alice@example.com", "carol": "@carol"}
	ds := Group(events, ByUser(owners), "security@example.com")
	got := map[string][]string{}
	for _, d := range ds {
		for _, e := range d.Events {
			got[d.Owner] = append(got[d.Owner], e.User)
		}
	}
	want := map[string]string{"alice@example.com": "alice bob", "@carol": "carol", "security@example.com": "dave"}
	if len(got) != len(want) {
		t.Fatalf("digests %v, want %v", got, want)
	}
	for o, us := range want {
		if strings.Join(got[o], " ") != us {
			t.Errorf("%s gets %v, want %s", o, got[o], us)
		}
	}
	if none := Group(events, nil, ""); len(none) != 0 {
		t.Errorf("without owners or fallback nobody is told, got %v", none)
	}
}

func TestDigestSaysWhatHappenedAndWhatToDo(t *testing.T) {
	d := Group(events[:3], ByUser(map[string]string{"alice": "o", "bob": "o", "carol": "o"}), "")[0]
	if s := d.Subject(); s != "keywarden: 1 key deactivated, 1 change failed, 1 warning" {
		t.Errorf("subject %q", s)
	}
	text := d.Text()
	for _, want := range []string{
		"AKIAALICE of alice was deactivated by job curfew (deactivate): every active key of the selection.",
		"keywarden activate",
		"AKIABOB of bob will be deactivated on 2027-03-01 00:00 UTC by job hygiene (deactivate older_than=90d): created 85 days ago (limit 90d).",
		"rotate the key before then",
		"keywarden could not deactivate AKIACAROL of carol (job curfew): AWS kept throttling.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestWebhookRetriesThenReportsWithoutTheSecretPath(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	fails := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		bodies = append(bodies, string(b))
	}))
	defer srv.Close()
	var slept []time.Duration
	s := &Sender{
		Channels: []Channel{&Webhook{URL: srv.URL + "/services/T000/B000/SECRETPATH"}},
		Sleep:    func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	}
	run := Run{Digests: Group(events[1:2], nil, "@ops")}
	res := s.Send(context.Background(), run)
	if len(res) != 1 || !res[0].OK() || res[0].Sent != 1 || len(bodies) != 1 {
		t.Fatalf("results %+v, bodies %d", res, len(bodies))
	}
	if len(slept) != 2 || slept[1] != 2*slept[0] {
		t.Errorf("backoff %v, want two doubling waits", slept)
	}
	var msg map[string]string
	if err := json.Unmarshal([]byte(bodies[0]), &msg); err != nil || !strings.HasPrefix(msg["text"], "For @ops: keywarden: 1 key deactivated") {
		t.Errorf("body %q: %v", bodies[0], err)
	}

	fails = 100
	res = s.Send(context.Background(), run)
	if res[0].OK() || len(res[0].Failed) != 1 || !strings.Contains(res[0].Failed[0], "answered HTTP 503") {
		t.Fatalf("a failing webhook: %+v", res)
	}
	if strings.Contains(res[0].Failed[0], "SECRETPATH") {
		t.Errorf("the report shows the webhook's secret path: %s", res[0].Failed[0])
	}
}

func TestEmailSkipsChatHandles(t *testing.T) {
	e := &Email{From: "keywarden@example.com"}
	ms := e.Messages(Run{Digests: []Digest{{Owner: "@carol"}, {Owner: "alice@example.com"}}})
	if len(ms) != 1 || ms[0].To != "alice@example.com" {
		t.Fatalf("email messages %+v, want one to alice@example.com", ms)
	}
}

// A consumer still on a rotated key is not a change to come: it has no due time, and the owner
// is told what only they can do.
func TestDigestNamesAConsumerStillOnARotatedKey(t *testing.T) {
	e := Event{User: "svc-ci", AccessKeyID: "AKIAOLD", Job: "rotate-ci", Rule: "rotate older_than=80d", Action: "wait",
		Outcome: OutcomeWarning, Reason: "the new key AKIANEW was delivered 2026-11-23T03:00:12Z, but a consumer used the old key at 2026-11-25T08:00:00Z (s3 in us-east-1)"}
	text := Group([]Event{e}, nil, "ops")[0].Text()
	for _, want := range []string{
		"AKIAOLD of svc-ci is still in use after job rotate-ci rotated it (rotate older_than=80d): the new key AKIANEW was delivered",
		"Point that consumer at the new key",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "0001-01-01") || strings.Contains(text, "will be") {
		t.Errorf("a held-back key is worded as a change to come:\n%s", text)
	}
}

// An incident's notice says it is one, names the key, and carries each step and the key's use.
func TestDigestOfAnIncidentSaysWhatWasDoneAndWhatTheKeyDid(t *testing.T) {
	e := Event{Account: "123456789012", User: "dev", AccessKeyID: "AKIALEAKED", Action: ActionRespond, Outcome: "deactivated",
		Reason: "pushed_to_a_public_repository", Details: []string{"quarantine: attached inline policy keywarden-incident-quarantine", "last used 2026-11-20 by s3 in eu-west-1"}}
	d := Digest{Owner: "dev@example.com", Events: []Event{e}}
	if s := d.Subject(); s != "keywarden: INCIDENT: 1 key deactivated" {
		t.Errorf("subject %q", s)
	}
	text := d.Text()
	for _, want := range []string{
		"AKIALEAKED of dev in account 123456789012 was deactivated by keywarden respond, as an incident: pushed_to_a_public_repository.",
		"  quarantine: attached inline policy keywarden-incident-quarantine\n",
		"  last used 2026-11-20 by s3 in eu-west-1\n",
		"activate --force",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}
