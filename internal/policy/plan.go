package policy

import "time"

// Kind is what an action does to a key.
type Kind string

const (
	Deactivate Kind = "deactivate"
	Activate   Kind = "activate"
	Delete     Kind = "delete"
	// Report changes nothing: it is a finding a job asked to surface.
	Report Kind = "report"
)

// Action is one decision about one key, with the reason for it. Evaluate returns them;
// plan, --dry-run and apply all print the same list.
type Action struct {
	Kind        Kind   `json:"action"`
	User        string `json:"user"`
	AccessKeyID string `json:"access_key_id"`
	Job         string `json:"job,omitempty"`
	// Rule names the rule that fired, e.g. "deactivate unused_for=45d".
	Rule string `json:"rule,omitempty"`
	// Reason is for people: "unused for 52 days (limit 45d)".
	Reason string `json:"reason"`
}

// Plan is what Evaluate decided as of At.
type Plan struct {
	At      time.Time `json:"at"`
	Actions []Action  `json:"actions"`
	// Warnings are changes to come within a rule's warn: time; nothing is done about them but
	// telling the owner.
	Warnings []Warning `json:"warnings,omitempty"`
}
