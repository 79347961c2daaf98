package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// evalRotation decides a job's rotate rules for one user. A rotation is of a user, not of a
// key (the user's one active key is replaced), so it gives at most one action per user and job,
// from the first rotate rule that has something to say:
//   - a rotation in progress (the keywarden:rotation tag) is taken its next step, whatever
//     the key's age: an interrupted one resumes (finish-rotation), a delivered one retires the
//     old key once its grace has passed and IAM shows no use since delivery (finish-rotation),
//     or keeps it (wait, naming the grace's end or the consumer still on it);
//   - otherwise the active key at least older_than old is rotated into the rule's destinations.
//
// What svcrotate would refuse (two active keys; no room for a new key without make_room) is a
// report instead, so the plan says it before apply tries.
//
// A consumer still on the old key after the grace is the one thing only its owner can fix, so
// it is also a warning when there is someone to tell (tell: a notify: section), told once per
// old key and job (keys.WarnedTag, memo InUseMemo).
func evalRotation(j Job, u keys.User, now time.Time, tell bool) ([]Action, []Warning) {
	for _, r := range j.Rules {
		if r.Kind != Rotate {
			continue
		}
		a, inUse, ok := rotationStep(r, u, now)
		if !ok {
			continue
		}
		a.User, a.Job, a.Rule = u.Name, j.Name, r.String()
		if a.Kind != Report {
			a.Rotation = spec(r, u.Name)
		}
		var ws []Warning
		if tell && inUse && !keys.ParseWarned(u.Tags[keys.WarnedTag]).Has(a.AccessKeyID, j.Name, InUseMemo) {
			ws = append(ws, Warning{Kind: WaitRotation, User: u.Name, AccessKeyID: a.AccessKeyID, Job: j.Name,
				Rule: a.Rule, Reason: a.Reason, Memo: InUseMemo})
		}
		return []Action{a}, ws
	}
	return nil, nil
}

// InUseMemo is how keys.WarnedTag remembers that an old key's owner was told a consumer still
// uses it after its rotation.
const InUseMemo = "in-use"

func spec(r Rule, user string) *RotateSpec {
	s := &RotateSpec{Grace: r.Grace, KMSKeyID: r.KMSKeyID, MakeRoom: r.MakeRoom}
	for _, d := range r.To {
		s.To = append(s.To, ExpandUser(d, user))
	}
	return s
}

// rotationStep is the rule's step for u, if any; inUse says a consumer is on the old key.
func rotationStep(r Rule, u keys.User, now time.Time) (a Action, inUse, ok bool) {
	if v, ok := u.Tags[keys.RotationTag]; ok {
		st, err := keys.ParseRotation(v)
		if err != nil {
			return Action{Kind: Report, Reason: fmt.Sprintf("the %s tag cannot be read (%v); check the user's keys, then remove it", keys.RotationTag, err)}, false, true
		}
		a, inUse := pendingStep(st, u, now)
		return a, inUse, true
	}
	var active, inactive []keys.Key
	for _, k := range u.Keys {
		if k.Status == keys.Active {
			active = append(active, k)
		} else {
			inactive = append(inactive, k)
		}
	}
	if len(active) == 0 {
		return Action{}, false, false
	}
	old := active[0]
	reason, over := olderReason(old, r.OlderThan, now)
	if len(active) == 2 {
		if o, over2 := olderReason(active[1], r.OlderThan, now); over2 && !over {
			old, reason, over = active[1], o, true
		}
	}
	if !over {
		return Action{}, false, false
	}
	switch {
	case len(active) > 1:
		return Action{Kind: Report, AccessKeyID: old.AccessKeyID, Reason: reason + fmt.Sprintf("; not rotated: %s has two active keys and keywarden rotates one at a time, so deactivate the one no service uses", u.Name)}, false, true
	case len(inactive) > 0 && !r.MakeRoom:
		return Action{Kind: Report, AccessKeyID: old.AccessKeyID, Reason: reason + fmt.Sprintf("; not rotated: %s already has two keys (IAM's limit) and %s is inactive, so set make_room: true in the rule or delete it", u.Name, inactive[0].AccessKeyID)}, false, true
	}
	return Action{Kind: Rotate, AccessKeyID: old.AccessKeyID, Reason: reason + "; rotate into " + strings.Join(r.To, ", ")}, false, true
}

// pendingStep is the next step of the rotation st records; svcrotate re-reads all of it
// before acting, so this says what it will most likely do. inUse: a consumer is on the old key.
func pendingStep(st keys.Rotation, u keys.User, now time.Time) (Action, bool) {
	id := st.OldKeyID
	if id == "" {
		id = st.NewKeyID
	}
	a := Action{Kind: FinishRotation, AccessKeyID: id}
	if st.Phase != keys.PhaseDelivered {
		a.Reason = fmt.Sprintf("a rotation started %s was interrupted while %s: resume it", st.Started.UTC().Format(time.RFC3339), st.Phase)
		return a, false
	}
	var old *keys.Key
	for i := range u.Keys {
		if u.Keys[i].AccessKeyID == st.OldKeyID {
			old = &u.Keys[i]
		}
	}
	delivered := fmt.Sprintf("the new key %s was delivered %s", dash(st.NewKeyID), st.Delivered.UTC().Format(time.RFC3339))
	switch {
	case old == nil || old.Status != keys.Active:
		a.Reason = delivered + " and no active old key is left: close the rotation"
		return a, false
	case st.Grace == 0:
		a.Reason = delivered + " with no grace: deactivate the old key"
		return a, false
	}
	if after := st.RetireAfter(); now.Before(after) {
		a.Kind = WaitRotation
		a.Reason = fmt.Sprintf("%s; the old key stays active until %s (grace %s)", delivered, after.UTC().Format(time.RFC3339), Duration(st.Grace))
		return a, false
	}
	if lu := old.LastUsed; lu != nil && lu.Date.After(st.Delivered) {
		a.Kind = WaitRotation
		a.Reason = fmt.Sprintf("%s, but a consumer used the old key at %s (%s in %s): point it at the new key; the old key stays active until it is unused", delivered, lu.Date.UTC().Format(time.RFC3339), dash(lu.Service), dash(lu.Region))
		return a, true
	}
	a.Reason = fmt.Sprintf("%s; the grace %s has passed and the old key is unused since: deactivate it", delivered, Duration(st.Grace))
	return a, false
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RotationFor is the rotate rule that covers user u, as respond replaces a leaked service key:
// the first job in file order that selects u and has a rotate rule, with the rule's
// destinations for u. older_than plays no part: a leaked key is replaced whatever its age.
func RotationFor(cfg *Config, u keys.User) (job string, s RotateSpec, ok bool) {
	if cfg == nil {
		return "", RotateSpec{}, false
	}
	for _, j := range cfg.Jobs {
		if !j.Select.Match(u) {
			continue
		}
		for _, r := range j.Rules {
			if r.Kind == Rotate {
				return j.Name, *spec(r, u.Name), true
			}
		}
	}
	return "", RotateSpec{}, false
}
