package policy

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// UnreadableRotations are the rotate rules of c none of whose destinations can be read back
// (exec:, github:), one sentence each: valid, but a run killed between creating the key and
// delivering it leaves a key no rerun can recover, so validate says so.
func (c *Config) UnreadableRotations() []string {
	var readable []string
	for _, k := range kind.All() {
		if k.Readable {
			readable = append(readable, k.Name+":")
		}
	}
	var out []string
	for _, j := range c.Jobs {
		for _, r := range j.Rules {
			if r.Kind != Rotate || anyReadable(r.To) {
				continue
			}
			out = append(out, fmt.Sprintf("job %s: no destination of its rotate rule (%s) can be read back, so a rerun after a crash cannot recover the new key; add a %s destination beside them",
				j.Name, strings.Join(r.To, ", "), orList(readable)))
		}
	}
	return out
}

func anyReadable(specs []string) bool {
	for _, s := range specs {
		if k, _ := kind.Of(s); k != nil && k.Readable {
			return true
		}
	}
	return false
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
