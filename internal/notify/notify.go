// Package notify tells people what keywarden did and is about to do: a digest per key owner
// (the value of an IAM user tag, or a fallback), sent by email (SES), SNS or a webhook. What a
// message says is decided here from plain data, apart from sending it; no message ever holds a
// secret, since no Event carries one.
package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is one thing that happened to a key, or will: a change keywarden made (or failed to
// make), or a warning that a rule will act on it.
type Event struct {
	Account     string    `json:"account,omitempty"`
	User        string    `json:"user"`
	AccessKeyID string    `json:"access_key_id"`
	Job         string    `json:"job,omitempty"`
	Rule        string    `json:"rule,omitempty"`
	Action      string    `json:"action"`  // deactivate, delete, activate, …
	Outcome     string    `json:"outcome"` // deactivated, deleted, failed, unchanged, or "warning"
	Reason      string    `json:"reason"`
	Due         time.Time `json:"due,omitzero"` // warnings: when the rule will act
	// Details are further lines an incident's notice carries: each step keywarden took and
	// what the key did.
	Details []string `json:"details,omitempty"`
}

// ActionRespond marks an incident's event (keywarden respond): the notice says it leaked.
const ActionRespond = "respond"

// Warning reports whether e announces a change to come rather than one made.
func (e Event) Warning() bool { return e.Outcome == OutcomeWarning }

// OutcomeWarning marks an Event that announces a change.
const OutcomeWarning = "warning"

// Digest is what one owner is told about one run.
type Digest struct {
	Owner  string  `json:"owner"`
	Events []Event `json:"events"`
}

// ByUser is an owner function for Group from a map of user name to owner.
func ByUser(owners map[string]string) func(Event) string {
	return func(e Event) string { return owners[e.User] }
}

// Group makes one digest per owner: owner names the owner of an event's user (by its tag);
// users without one go to fallback (or are left out when there is no fallback). Digests and
// their events come in a stable order, so a rerun says the same thing the same way.
func Group(events []Event, owner func(Event) string, fallback string) []Digest {
	by := map[string][]Event{}
	for _, e := range events {
		o := ""
		if owner != nil {
			o = strings.TrimSpace(owner(e))
		}
		if o == "" {
			o = fallback
		}
		if o == "" {
			continue
		}
		by[o] = append(by[o], e)
	}
	out := make([]Digest, 0, len(by))
	for o, es := range by {
		slices.SortStableFunc(es, func(a, b Event) int {
			return strings.Compare(a.Account+a.User+a.AccessKeyID+a.Job, b.Account+b.User+b.AccessKeyID+b.Job)
		})
		out = append(out, Digest{Owner: o, Events: es})
	}
	slices.SortFunc(out, func(a, b Digest) int { return strings.Compare(a.Owner, b.Owner) })
	return out
}

// Subject is a digest's one-line summary, e.g. "keywarden: 1 key deactivated, 1 warning".
func (d Digest) Subject() string {
	counts := map[string]int{}
	var order []string
	for _, e := range d.Events {
		k := e.Outcome
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	// Changes first, then failures, then what is to come.
	rank := func(k string) int {
		switch k {
		case "failed":
			return 1
		case OutcomeWarning:
			return 2
		}
		return 0
	}
	slices.SortStableFunc(order, func(a, b string) int { return rank(a) - rank(b) })
	prefix := "keywarden: "
	for _, e := range d.Events {
		if e.Action == ActionRespond {
			prefix = "keywarden: INCIDENT: "
		}
	}
	var parts []string
	for _, k := range order {
		n := counts[k]
		switch k {
		case OutcomeWarning:
			parts = append(parts, plural(n, "warning"))
		case "failed":
			parts = append(parts, plural(n, "change")+" failed")
		default:
			parts = append(parts, plural(n, "key")+" "+k)
		}
	}
	return prefix + strings.Join(parts, ", ")
}

// Text is the digest as plain text: one paragraph per key saying what happened, why, and what
// the owner should do.
func (d Digest) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", d.Subject())
	for _, e := range d.Events {
		where := e.User
		if e.Account != "" {
			where = e.User + " in account " + e.Account
		}
		switch {
		case e.Action == ActionRespond:
			fmt.Fprintf(&b, "- %s of %s was %s by keywarden respond, as an incident: %s.\n", e.AccessKeyID, where, e.Outcome, e.Reason)
			for _, l := range e.Details {
				fmt.Fprintf(&b, "  %s\n", l)
			}
			fmt.Fprintf(&b, "  %s\n", advice(e))
		case e.Warning() && e.Due.IsZero():
			// Not a change to come but one held back: a consumer is still on a rotated key.
			fmt.Fprintf(&b, "- %s of %s is still in use after job %s rotated it (%s): %s.\n  %s\n",
				e.AccessKeyID, where, e.Job, e.Rule, e.Reason, advice(e))
		case e.Warning():
			fmt.Fprintf(&b, "- %s of %s will be %s on %s by job %s (%s): %s.\n  %s\n",
				e.AccessKeyID, where, pastTense(e.Action), e.Due.UTC().Format("2006-01-02 15:04 MST"), e.Job, e.Rule, e.Reason, advice(e))
		case e.Outcome == "failed":
			fmt.Fprintf(&b, "- keywarden could not %s %s of %s (job %s): %s.\n  Nothing else changed; the next run tries again.\n",
				e.Action, e.AccessKeyID, where, e.Job, e.Reason)
		default:
			fmt.Fprintf(&b, "- %s of %s was %s by job %s (%s): %s.\n  %s\n",
				e.AccessKeyID, where, e.Outcome, e.Job, e.Rule, e.Reason, advice(e))
		}
	}
	return b.String()
}

// advice is what the owner can do about an event.
func advice(e Event) string {
	switch {
	case e.Action == ActionRespond:
		return "Find and stop what used the key (the calls above say where to look); it stays inactive until re-enabled with keywarden activate --force, and is deleted by your delete rule, never by the response."
	case e.Warning() && e.Action == "deactivate" && e.Rule == "deactivate":
		// A curfew (no condition): rotating does not help, the next run takes the new key too.
		return "Finish what needs the key before then; an admin can re-enable it afterwards with keywarden activate."
	case e.Warning() && e.Action == "deactivate":
		return "To keep working, rotate the key before then (keywarden rotate), or ask for an exception."
	case e.Warning() && e.Action == "delete":
		return "If the key is still needed, ask for it to be re-activated before then; a deleted key cannot be restored."
	case e.Warning() && e.Action == "wait":
		return "Point that consumer at the new key where it was delivered; the old key is deactivated at the first run that finds it unused since."
	case e.Outcome == "deactivated":
		return "If you still need it, rotate to a new key; an admin can re-enable it with keywarden activate."
	case e.Outcome == "deleted":
		return "Nothing to do if the key was unused; otherwise create a new key."
	case e.Outcome == "rotated" || e.Outcome == "finished":
		return "Consumers read the new key where it was delivered; the old key is retired once its grace has passed and nothing uses it."
	}
	return "Nothing to do."
}

func pastTense(action string) string {
	switch action {
	case "deactivate":
		return "deactivated"
	case "delete":
		return "deleted"
	case "activate":
		return "activated"
	case "rotate":
		return "rotated"
	}
	return action
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
