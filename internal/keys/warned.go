package keys

import (
	"slices"
	"strings"
)

// WarnedTag is the user tag in which keywarden remembers the warnings it has sent, so an owner
// is told once per key and rule, not at every run. One tag per user keeps within IAM's 50.
//
//	keywarden:warned = AKIAEXAMPLE1=hygiene/deactivate AKIAEXAMPLE2=curfew/deactivate@20261123T1500Z
const WarnedTag = TagPrefix + "warned"

// Warned is what WarnedTag says: key id → the "job/action" warnings its owner was sent.
type Warned map[string][]string

// ParseWarned reads a WarnedTag value; a malformed entry is dropped (at worst, a repeat).
func ParseWarned(v string) Warned {
	w := Warned{}
	for _, f := range strings.Fields(v) {
		id, what, ok := strings.Cut(f, "=")
		if ok && id != "" && what != "" {
			w[id] = append(w[id], what)
		}
	}
	return w
}

// Has reports whether the owner of keyID was told of job's action.
func (w Warned) Has(keyID, job, action string) bool {
	return slices.Contains(w[keyID], job+"/"+action)
}

// Add remembers a warning. A warning of one run ("deactivate@20261123T1500Z", a curfew's)
// replaces the key's warning of an earlier run of the same job and action: one entry per key
// and curfew keeps the tag within IAM's 256 characters night after night.
func (w Warned) Add(keyID, job, action string) {
	if w.Has(keyID, job, action) {
		return
	}
	if base, _, perRun := strings.Cut(action, "@"); perRun {
		w[keyID] = slices.DeleteFunc(w[keyID], func(e string) bool { return strings.HasPrefix(e, job+"/"+base+"@") })
	}
	w[keyID] = append(w[keyID], job+"/"+action)
}

// String renders w for the tag, keeping only the keys in live (a deleted key's warnings are
// moot) and dropping whole entries from the end past IAM's 256 characters.
func (w Warned) String(live []string) string {
	ids := make([]string, 0, len(w))
	for id := range w {
		if slices.Contains(live, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		for _, what := range w[id] {
			e := id + "=" + SanitizeTagValue(what)
			if b.Len()+len(e)+1 > MaxTagValueLen {
				return b.String()
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(e)
		}
	}
	return b.String()
}
