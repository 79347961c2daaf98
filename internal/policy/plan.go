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
	// Rotate starts a service rotation of the user's active key (internal/svcrotate).
	Rotate Kind = "rotate"
	// FinishRotation takes a rotation in progress (the keywarden:rotation tag) its next step:
	// an interrupted one resumes, a delivered one retires the old key.
	FinishRotation Kind = "finish-rotation"
	// WaitRotation changes nothing: a delivered rotation's old key is kept, within its grace or
	// because a consumer used it since delivery.
	WaitRotation Kind = "wait"
)

// Changes reports whether an action of this kind changes AWS; report and wait do not.
func (k Kind) Changes() bool { return k != Report && k != WaitRotation }

// RotateSpec is what a rotate or finish-rotation action hands to the service rotation.
type RotateSpec struct {
	// To are the rule's destinations with {user} replaced by the user's name.
	To       []string `json:"to"`
	Grace    Duration `json:"grace"`
	KMSKeyID string   `json:"kms_key_id,omitempty"`
	MakeRoom bool     `json:"make_room,omitempty"`
}

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
	// Rotation is set on rotate, finish-rotation and wait actions.
	Rotation *RotateSpec `json:"rotation,omitempty"`
}

// Plan is what Evaluate decided as of At.
type Plan struct {
	At      time.Time `json:"at"`
	Actions []Action  `json:"actions"`
	// Warnings are changes to come within a rule's warn: time; nothing is done about them but
	// telling the owner.
	Warnings []Warning `json:"warnings,omitempty"`
}
