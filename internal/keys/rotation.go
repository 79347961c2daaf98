package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RotationTag is the user tag that holds a service rotation in progress (internal/svcrotate
// writes it; policy reads it to plan the rotation's next step). It lives here, with the other
// tag formats, because deciding must read it without importing AWS.
const RotationTag = TagPrefix + "rotation"

// Phase is how far a service rotation got; see internal/svcrotate.
type Phase string

const (
	PhaseCreating   Phase = "creating"
	PhaseDelivering Phase = "delivering"
	PhaseDelivered  Phase = "delivered"
)

// UsageLag is how late IAM may record a key's last use: an old key is judged unused since a
// delivery only once this long has passed since it.
const UsageLag = 15 * time.Minute

// Rotation is the rotation record on the user. It never holds a secret.
type Rotation struct {
	Phase     Phase
	OldKeyID  string   // the key being replaced; "" when the user had no active key
	NewKeyID  string   // known from delivering on
	Before    []string // every key of the user just before the create
	Started   time.Time
	Delivered time.Time
	Grace     time.Duration
	Dests     string // digest of the destinations, so a rerun finishes with the same ones
	// Run names the run that wrote the record, so a run clears only its own (empty in a
	// record written before runs were named).
	Run string
	// Token is the digest (TokenDigest) of the request token the rotation was started with,
	// so a rerun with the same token finishes this rotation rather than starting another.
	Token string
	// Retiring: the old key's retirement was started and not known to have failed, so a rerun
	// that finds the old key retired may take the change for this rotation's own.
	Retiring bool
}

// String renders the state as a tag value IAM accepts: fields of letters, digits and
// _.:/=+-@ separated by spaces, "-" for empty.
func (s Rotation) String() string {
	t := func(x time.Time) string {
		if x.IsZero() {
			return "-"
		}
		return x.UTC().Format(time.RFC3339)
	}
	v := fmt.Sprintf("v1 p=%s o=%s n=%s b=%s t=%s d=%s g=%d h=%s", s.Phase, dash(s.OldKeyID), dash(s.NewKeyID),
		dash(strings.Join(s.Before, "+")), t(s.Started), t(s.Delivered), int64(s.Grace/time.Second), dash(s.Dests))
	if s.Run != "" {
		v += " r=" + s.Run
	}
	if s.Token != "" {
		v += " q=" + s.Token
	}
	if s.Retiring {
		v += " x=retiring"
	}
	return v
}

// ParseRotation reads a value written by Rotation.String.
func ParseRotation(v string) (Rotation, error) {
	f := strings.Fields(v)
	if len(f) < 9 || len(f) > 12 || f[0] != "v1" {
		return Rotation{}, fmt.Errorf("%s %q is not a rotation state keywarden wrote", RotationTag, v)
	}
	m := map[string]string{}
	for _, kv := range f[1:] {
		k, val, _ := strings.Cut(kv, "=")
		if val == "-" {
			val = ""
		}
		m[k] = val
	}
	s := Rotation{Phase: Phase(m["p"]), OldKeyID: m["o"], NewKeyID: m["n"], Dests: m["h"], Run: m["r"], Token: m["q"], Retiring: m["x"] == "retiring"}
	if m["b"] != "" {
		s.Before = strings.Split(m["b"], "+")
	}
	var err error
	for k, dst := range map[string]*time.Time{"t": &s.Started, "d": &s.Delivered} {
		if m[k] != "" {
			if *dst, err = time.Parse(time.RFC3339, m[k]); err != nil {
				return Rotation{}, fmt.Errorf("%s %q: bad time %s", RotationTag, v, m[k])
			}
		}
	}
	g, err := strconv.ParseInt(m["g"], 10, 64)
	if err != nil {
		return Rotation{}, fmt.Errorf("%s %q: bad grace", RotationTag, v)
	}
	s.Grace = time.Duration(g) * time.Second
	switch s.Phase {
	case PhaseCreating, PhaseDelivering, PhaseDelivered:
	default:
		return Rotation{}, fmt.Errorf("%s %q: unknown phase %q", RotationTag, v, s.Phase)
	}
	return s, nil
}

// RetireAfter is when a rotation with a grace may retire the old key: the grace after
// delivery, and never before IAM's record of the old key's last use can be trusted. svcrotate
// acts on it and policy plans by it, so both wait the same.
func (s Rotation) RetireAfter() time.Time { return s.Delivered.Add(max(s.Grace, UsageLag)) }

// Digest names a set of destinations in 8 hex characters, order aside.
func Digest(dests []string) string {
	d := append([]string(nil), dests...)
	sort.Strings(d)
	h := fnv.New32a()
	h.Write([]byte(strings.Join(d, "\n")))
	return fmt.Sprintf("%08x", h.Sum32())
}

// TokenDigest is what the records keep of a rotation's request token: 16 hex characters, so
// a token of any length and alphabet fits IAM's tag limits, and the token itself (which a CI
// system may build from anything) is never written on the user.
func TokenDigest(token string) string {
	if token == "" {
		return ""
	}
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:8])
}

// Finished is a rotation that is over, as the key records tell it: Made is the active key's
// creation record (settled), Gone the inactive old key's deactivation record.
type Finished struct {
	Made, Gone Record
}

// FinishedRotation reads from tags whether active was created by a keywarden rotation that
// then deactivated inactive: a user with two keys because a rotation finished, which a rerun
// must hear named rather than be advised to make room (and so rotate again).
func FinishedRotation(tags map[string]string, active, inactive string) (Finished, bool) {
	made, err1 := ParseRecord(tags[TagKey(active)])
	gone, err2 := ParseRecord(tags[TagKey(inactive)])
	if err1 != nil || err2 != nil || made.Action != ActionCreated || made.State != Settled || gone.Action != ActionDeactivated {
		return Finished{}, false
	}
	return Finished{Made: made, Gone: gone}, true
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
