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

// Actions recorded in provenance.
const (
	ActionDeactivated = "deactivated"
	ActionActivated   = "activated"
	ActionCreated     = "created"
	ActionDeleted     = "deleted"
)

// Record is keywarden's provenance for one key: what it did, when, and on whose behalf.
// It is stored as the value of the user tag TagKey(keyID).
type Record struct {
	Action string
	Time   time.Time
	Origin string // the command or job name, e.g. "deactivate" or "job:curfew"
}

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

// String renders the record as a tag value within IAM's limits: at most 256 characters of
// letters, digits, spaces and _.:/=+-@. Characters outside that set in the origin become '_'.
func (r Record) String() string {
	v := fmt.Sprintf("%s %s by=%s", r.Action, r.Time.UTC().Format(time.RFC3339), SanitizeTagValue(r.Origin))
	if len(v) > MaxTagValueLen {
		v = v[:MaxTagValueLen]
	}
	return v
}

// ParseRecord reads a tag value written by Record.String.
func ParseRecord(v string) (Record, error) {
	f := strings.Fields(v)
	if len(f) != 3 || !strings.HasPrefix(f[2], "by=") {
		return Record{}, fmt.Errorf("provenance %q: want \"ACTION TIME by=ORIGIN\"", v)
	}
	t, err := time.Parse(time.RFC3339, f[1])
	if err != nil {
		return Record{}, fmt.Errorf("provenance %q: bad time: %w", v, err)
	}
	return Record{Action: f[0], Time: t, Origin: strings.TrimPrefix(f[2], "by=")}, nil
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
