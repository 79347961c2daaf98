package lambda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/lambda/contract"
)

// Trigger is an AWS event that asks for keywarden respond's response: which keys, in which
// account, and why. Ignore, when set, says why a recognised event is none of keywarden's
// business (a role's key in a GuardDuty finding): nothing is to be done and nothing is wrong.
type Trigger struct {
	Kind    string   `json:"kind"` // "health" or "guardduty"
	KeyIDs  []string `json:"access_key_ids,omitempty"`
	User    string   `json:"user,omitempty"` // GuardDuty names it; Health does not
	Account string   `json:"account,omitempty"`
	Reason  string   `json:"reason"`
	Ignore  string   `json:"ignored,omitempty"`
}

// envelope is what every EventBridge event has.
type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Account    string          `json:"account"`
	Detail     json.RawMessage `json:"detail"`
}

// userKeyID is an IAM user's long-term access key id; ASIA… session keys cannot be deactivated.
// Compiled on first use: the bounded repetition builds an 87 KB program, which every command
// and cold start paid at init.
var userKeyID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^AKIA[A-Z0-9]{12,124}$`) })

// ParseTrigger recognises an EventBridge event. ok is false when the payload is not one (a
// job's event, a rotation step); foreign says whether it is an EventBridge event from another
// source, which the caller refuses or (seed mode, sent scheduled events) lets through. A
// Health or GuardDuty event that is malformed, or of a kind the template's rules would not
// deliver, is an error.
func ParseTrigger(payload []byte) (t Trigger, ok bool, err error) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return t, false, nil
	}
	var e envelope
	if json.Unmarshal(p, &e) != nil || e.Source == "" || e.DetailType == "" {
		return t, false, nil
	}
	switch e.Source {
	case contract.HealthSource:
		t, err = health(e)
	case contract.GuardDutySource:
		t, err = guardDuty(e)
	default:
		return Trigger{}, true, &ForeignError{Source: e.Source, DetailType: e.DetailType}
	}
	return t, true, err
}

// ForeignError is an EventBridge event from a source keywarden does not answer.
type ForeignError struct{ Source, DetailType string }

func (e *ForeignError) Error() string {
	return fmt.Sprintf("not an event keywarden answers: %s %q; it answers %s %q (%s) and %s %q about an access key, or a job's event like %s",
		e.Source, e.DetailType, contract.HealthSource, contract.HealthDetailType, contract.HealthExposed,
		contract.GuardDutySource, contract.GuardDutyDetailType, ExampleEvent)
}

type healthDetail struct {
	EventArn         string          `json:"eventArn"`
	EventTypeCode    string          `json:"eventTypeCode"`
	AffectedAccount  string          `json:"affectedAccount"`
	EventMetadata    json.RawMessage `json:"eventMetadata"`
	AffectedEntities []struct {
		EntityValue    string          `json:"entityValue"`
		EntityMetadata json.RawMessage `json:"entityMetadata"`
	} `json:"affectedEntities"`
}

func health(e envelope) (Trigger, error) {
	t := Trigger{Kind: "health", Account: e.Account}
	var d healthDetail
	if e.DetailType != contract.HealthDetailType {
		return t, fmt.Errorf("bad event: %s detail-type %q: keywarden answers only %q", e.Source, e.DetailType, contract.HealthDetailType)
	}
	if err := json.Unmarshal(e.Detail, &d); err != nil || len(e.Detail) == 0 {
		return t, fmt.Errorf("bad event: %s %q has no readable detail", e.Source, e.DetailType)
	}
	if d.EventTypeCode != contract.HealthExposed {
		return t, fmt.Errorf("bad event: AWS Health event %q is not %s, the only one keywarden answers", d.EventTypeCode, contract.HealthExposed)
	}
	// An organizational view's event arrives in the management (or delegated admin) account
	// and names the affected account here.
	if d.AffectedAccount != "" {
		t.Account = d.AffectedAccount
	}
	ids := map[string]bool{}
	for _, a := range d.AffectedEntities {
		if userKeyID().MatchString(a.EntityValue) {
			ids[a.EntityValue] = true
		}
		keyIDsIn(a.EntityMetadata, ids)
	}
	keyIDsIn(d.EventMetadata, ids)
	for id := range ids {
		t.KeyIDs = append(t.KeyIDs, id)
	}
	sort.Strings(t.KeyIDs)
	if len(t.KeyIDs) == 0 {
		return t, fmt.Errorf("bad event: AWS Health %s %s names no access key id (in affectedEntities or eventMetadata)", d.EventTypeCode, d.EventArn)
	}
	t.Reason = strings.TrimSpace("AWS Health " + d.EventTypeCode + " " + d.EventArn)
	return t, nil
}

// keyIDsIn collects every access-key-id-shaped string anywhere in raw: the metadata's layout
// is not documented field by field, its values are.
func keyIDsIn(raw json.RawMessage, into map[string]bool) {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if userKeyID().MatchString(x) {
				into[x] = true
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
}

type guardDutyDetail struct {
	AccountID string  `json:"accountId"`
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	Severity  float64 `json:"severity"`
	Resource  struct {
		ResourceType     string `json:"resourceType"`
		AccessKeyDetails struct {
			AccessKeyID string `json:"accessKeyId"`
			UserName    string `json:"userName"`
			UserType    string `json:"userType"`
		} `json:"accessKeyDetails"`
	} `json:"resource"`
}

func guardDuty(e envelope) (Trigger, error) {
	t := Trigger{Kind: "guardduty", Account: e.Account}
	var d guardDutyDetail
	if e.DetailType != contract.GuardDutyDetailType {
		return t, fmt.Errorf("bad event: %s detail-type %q: keywarden answers only %q", e.Source, e.DetailType, contract.GuardDutyDetailType)
	}
	if err := json.Unmarshal(e.Detail, &d); err != nil || len(e.Detail) == 0 {
		return t, fmt.Errorf("bad event: %s %q has no readable detail", e.Source, e.DetailType)
	}
	if d.Resource.ResourceType != contract.GuardDutyAccessKey {
		return t, fmt.Errorf("bad event: GuardDuty finding %s %s is about a resource of type %q, not an access key (%s)", d.Type, d.ID, d.Resource.ResourceType, contract.GuardDutyAccessKey)
	}
	if d.AccountID != "" {
		t.Account = d.AccountID
	}
	ak := d.Resource.AccessKeyDetails
	t.User = ak.UserName
	t.Reason = fmt.Sprintf("GuardDuty %s severity %g %s", d.Type, d.Severity, d.ID)
	switch {
	case ak.UserType != "IAMUser":
		t.Ignore = fmt.Sprintf("GuardDuty finding %s %s is about a %s principal's credentials, not an IAM user's access key: keywarden deactivates only users' keys", d.Type, d.ID, orUnknown(ak.UserType))
	case ak.AccessKeyID == "":
		t.Ignore = fmt.Sprintf("GuardDuty finding %s %s names IAM user %s but no access key id (console or other credentials): nothing for keywarden to deactivate", d.Type, d.ID, ak.UserName)
	case !userKeyID().MatchString(ak.AccessKeyID):
		t.Ignore = fmt.Sprintf("GuardDuty finding %s %s names key %s, which is not an IAM user's long-term access key (AKIA…): nothing for keywarden to deactivate", d.Type, d.ID, ak.AccessKeyID)
	default:
		t.KeyIDs = []string{ak.AccessKeyID}
	}
	return t, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unnamed"
	}
	return s
}
