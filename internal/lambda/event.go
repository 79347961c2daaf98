package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/policy"
)

// ExampleEvent is shown in errors about events.
const ExampleEvent = `{"job":"curfew"}`

// ParseEvent reads an invocation payload. strict refuses fields other than job, dry_run, warn, accounts and time, so a
// typo such as {"jobs":"curfew"} is an error instead of a run of nothing; seed mode is lenient,
// because the seed's schedule sends CloudWatch's scheduled-event object.
func ParseEvent(payload []byte, strict bool) (contract.Event, error) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return contract.Event{}, fmt.Errorf("bad event: want a JSON object like %s, got %s", ExampleEvent, describe(p))
	}
	var ev contract.Event
	if !strict {
		// Only the shape matters here; unknown fields and a non-string job are ignored.
		var any map[string]json.RawMessage
		if err := json.Unmarshal(p, &any); err != nil {
			return contract.Event{}, fmt.Errorf("bad event: %v; want a JSON object like %s", err, ExampleEvent)
		}
		_ = json.Unmarshal(any["job"], &ev.Job)
		_ = json.Unmarshal(any["dry_run"], &ev.DryRun)
		return ev, nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return contract.Event{}, fmt.Errorf("bad event: %s; want a JSON object like %s", jsonProblem(err), ExampleEvent)
	}
	if dec.More() {
		return contract.Event{}, fmt.Errorf("bad event: more than one JSON value; want a JSON object like %s", ExampleEvent)
	}
	if err := checkBatch(ev.Accounts); err != nil {
		return contract.Event{}, err
	}
	if _, err := FireTime(ev); err != nil {
		return contract.Event{}, err
	}
	return ev, nil
}

// FireTime is the event's time, zero when it has none.
func FireTime(ev contract.Event) (time.Time, error) {
	if ev.Time == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, ev.Time)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad event: time %q: want an RFC 3339 time like 2026-11-23T03:00:00Z (EventBridge Scheduler's <aws.scheduler.scheduled-time>)", ev.Time)
	}
	return t, nil
}

// ExampleBatch is shown in errors about an event's accounts.
const ExampleBatch = `{"job":"curfew","accounts":["111122223333","444455556666"]}`

// checkBatch refuses an id that is not an account id. An empty list is a batch of no
// accounts (a driver's page of only suspended accounts), never "every account"; whether the
// config covers each id is the handler's check, once the accounts are known.
func checkBatch(ids []string) error {
	var bad []string
	for _, id := range ids {
		if !policy.IsAccountID(id) {
			bad = append(bad, fmt.Sprintf("%q", id))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("bad event: accounts %s: want 12-digit account ids like %s", strings.Join(bad, ", "), ExampleBatch)
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q must be a %s", te.Field, te.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// describe names what a payload was without echoing it: an event could hold anything.
func describe(p []byte) string {
	switch {
	case len(p) == 0:
		return "an empty payload"
	case p[0] == '[':
		return "a JSON array"
	case p[0] == '"':
		return "a JSON string"
	case p[0] == 'n':
		return "null"
	}
	return fmt.Sprintf("%d bytes that are not a JSON object", len(p))
}
