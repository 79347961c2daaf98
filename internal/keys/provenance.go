package keys

import (
	"fmt"
	"strings"
	"time"
)

// TagPrefix starts every tag keywarden writes on an IAM user.
const TagPrefix = "keywarden:"

// IAM's limits on user tags. moto does not enforce them, so keywarden checks its own tags.
const (
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
	MaxTagsPerUser = 50
)

// JobOrigin is a record's origin for a change a job made: "job:NAME".
func JobOrigin(job string) string { return "job:" + job }

// Actions recorded in provenance.
const (
	ActionDeactivated = "deactivated"
	ActionActivated   = "activated"
	ActionCreated     = "created"
	ActionDeleted     = "deleted"
)

// State says how far keywarden's record of a change can be trusted (see the package doc of
// internal/provenance for the protocol that moves a record between them).
type State string

const (
	// Settled: IAM confirmed the change, by its answer or by a re-read in the same run.
	Settled State = ""
	// Pending: keywarden wrote its intent and has not yet learnt what IAM did.
	Pending State = "pending"
	// Unconfirmed: a later run found a pending record whose key shows the intended state;
	// keywarden may have made the change or someone else may have, so nobody acts on it.
	Unconfirmed State = "unconfirmed"
)

// Record is keywarden's provenance for one key: what it did, when, and on whose behalf.
// It is stored as the value of the user tag TagKey(keyID).
type Record struct {
	State  State
	Action string
	Time   time.Time
	Origin string // the command or job name, e.g. "deactivate" or "job:curfew"
	// Reason says why, for a change whose cause matters later (an incident's: the leak); ""
	// for most. It is stored sanitized and cut (see CleanReason).
	Reason string
	// Was is, on a pending record, the record it replaced: put back if the change is not made.
	Was *Record
	// Token is, on a key's creation record, the digest of the rotation's request token
	// (TokenDigest): a finished rotation stays recognisable after its rotation record is gone.
	Token string
}

// IncidentOrigin is the origin of a deactivation made because the key leaked (keywarden
// respond): activate never undoes it without --force.
const IncidentOrigin = "incident"

// Incident reports whether the record is of a key deactivated as an incident, in whatever state.
func (r Record) Incident() bool { return r.Action == ActionDeactivated && r.Origin == IncidentOrigin }

// MaxReasonLen bounds a record's reason so that a pending record with its was= part still fits
// IAM's 256 characters.
const MaxReasonLen = 64

// CleanReason is reason as a record stores it (IAM's tag characters, no spaces, at most
// MaxReasonLen), and whether that changed it, so a caller can say so.
func CleanReason(reason string) (string, bool) {
	if reason == "" {
		return "", false
	}
	c := cut(SanitizeTagValue(reason), MaxReasonLen)
	return c, c != reason
}

// Trusted reports whether the record is a settled one of action: the only kind activate and
// the delete rule act on.
func (r Record) Trusted(action string) bool { return r.State == Settled && r.Action == action }

// TagKey is the tag key that holds the record for one access key.
func TagKey(keyID string) string { return TagPrefix + keyID }

// KeyIDFromTag returns the access key id a keywarden tag is about. Other keywarden tags (such
// as a service rotation's state, keywarden:rotation) are not key records: the pruners that
// remove stale records to stay under IAM's tag limit must never take them for one.
func KeyIDFromTag(tagKey string) (string, bool) {
	id, ok := strings.CutPrefix(tagKey, TagPrefix)
	return id, ok && looksLikeKeyID(id)
}

// looksLikeKeyID is IAM's access key id shape: 16 to 128 upper-case letters and digits.
func looksLikeKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// maxNestedOrigin keeps a pending record and the one it replaced within 256 characters together.
const maxNestedOrigin = 80

// String renders the record as a tag value within IAM's limits: at most 256 characters of
// letters, digits, spaces and _.:/=+-@. Characters outside that set in the origin become '_'.
//
//	deactivated 2026-11-23T15:00:00Z by=job:curfew
//	pending:activated 2026-11-24T07:00:00Z by=activate was=deactivated/2026-11-23T15:00:00Z/job:curfew
//	unconfirmed:deactivated 2026-11-23T15:00:00Z by=job:curfew
//	deactivated 2026-11-23T15:00:00Z by=incident reason=pushed_to_a_public_repository
//	created 2026-11-23T15:00:00Z by=job:rotate-ci q=0123456789abcdef
//
// A nested was= keeps the action, time and origin of the record it replaced, not its reason
// or token.
func (r Record) String() string {
	origin := SanitizeTagValue(r.Origin)
	var token string
	if r.Token != "" {
		token = " q=" + SanitizeTagValue(r.Token)
		// The origin gives way, so the token is never the part cut off.
		origin = cut(origin, MaxTagValueLen-len(token)-len("pending:activated 2026-11-23T15:00:00Z by="))
	}
	action := r.Action
	if r.State != Settled {
		action = string(r.State) + ":" + action
	}
	var was string
	if r.Was != nil && r.State == Pending {
		origin = cut(origin, maxNestedOrigin)
		w := *r.Was
		was = fmt.Sprintf(" was=%s/%s/%s", w.prefixedAction(), stamp(w.Time), cut(SanitizeTagValue(w.Origin), maxNestedOrigin))
	}
	var reason string
	if r.Reason != "" {
		c, _ := CleanReason(r.Reason)
		reason = " reason=" + c
	}
	v := fmt.Sprintf("%s %s by=%s%s%s%s", action, stamp(r.Time), origin, token, reason, was)
	return cut(v, MaxTagValueLen)
}

func (r Record) prefixedAction() string {
	if r.State == Settled {
		return r.Action
	}
	return string(r.State) + ":" + r.Action
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ParseRecord reads a tag value written by Record.String.
func ParseRecord(v string) (Record, error) {
	f := strings.Fields(v)
	if len(f) < 3 || len(f) > 6 || !strings.HasPrefix(f[2], "by=") {
		return Record{}, fmt.Errorf("provenance %q: want \"ACTION TIME by=ORIGIN\"", v)
	}
	r, err := parseParts(f[0], f[1], strings.TrimPrefix(f[2], "by="))
	if err != nil {
		return Record{}, fmt.Errorf("provenance %q: %w", v, err)
	}
	rest := f[3:]
	if len(rest) > 0 {
		if q, ok := strings.CutPrefix(rest[0], "q="); ok {
			r.Token, rest = q, rest[1:]
		}
	}
	if len(rest) > 0 {
		if reason, ok := strings.CutPrefix(rest[0], "reason="); ok {
			r.Reason, rest = reason, rest[1:]
		}
	}
	switch {
	case len(rest) > 1:
		return Record{}, fmt.Errorf("provenance %q: want \"ACTION TIME by=ORIGIN [q=TOKEN] [reason=TEXT] [was=...]\"", v)
	case len(rest) == 1:
		w, ok := strings.CutPrefix(rest[0], "was=")
		p := strings.SplitN(w, "/", 3)
		if !ok || r.State != Pending || len(p) != 3 {
			return Record{}, fmt.Errorf("provenance %q: want \"was=ACTION/TIME/ORIGIN\" last, on a pending record only", v)
		}
		was, err := parseParts(p[0], p[1], p[2])
		if err != nil {
			return Record{}, fmt.Errorf("provenance %q: %w", v, err)
		}
		r.Was = &was
	}
	return r, nil
}

func parseParts(action, at, origin string) (Record, error) {
	var st State
	if s, a, ok := strings.Cut(action, ":"); ok {
		st, action = State(s), a
		if st != Pending && st != Unconfirmed {
			return Record{}, fmt.Errorf("unknown state %q", s)
		}
	}
	if action == "" {
		return Record{}, fmt.Errorf("no action")
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return Record{}, fmt.Errorf("bad time: %w", err)
	}
	return Record{State: st, Action: action, Time: t, Origin: origin}, nil
}

// ValidTagChar reports whether IAM accepts c in a tag key or value.
func ValidTagChar(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune(" _.:/=+-@", c)
}

// SanitizeTagValue replaces what IAM would refuse, and spaces (which separate the record's
// fields), with '_'.
func SanitizeTagValue(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(c rune) rune {
		if c == ' ' || !ValidTagChar(c) {
			return '_'
		}
		return c
	}, s)
}
