package sink

import (
	"slices"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// Every kind declared in internal/sink/kind is built here, and what it declares (readable
// back, runs in the Lambda, the IAM actions it needs) is what the built destination does:
// policy, permissions and deploy believe the declaration.
func TestEveryKindIsBuiltAsDeclared(t *testing.T) {
	if len(builders) != len(kind.All()) {
		t.Fatalf("%d builders for %d kinds", len(builders), len(kind.All()))
	}
	e := Env{User: "svc-ci", CredentialsFile: "/home/x/.aws/credentials", Split: func(s string) ([]string, error) { return strings.Fields(s), nil }}
	for _, k := range kind.All() {
		if p := kind.Problem(k.Example, nil); p != "" {
			t.Errorf("%s: its example is refused: %s", k.Name, p)
			continue
		}
		d, err := Parse(k.Example, e)
		if err != nil {
			t.Errorf("%s: %v", k.Name, err)
			continue
		}
		if !strings.HasPrefix(d.String(), kind.ExpandUser(k.Example, "svc-ci")) || !strings.Contains(k.Example, "{user}") {
			t.Errorf("%s: built %s from %s", k.Name, d, k.Example)
		}
		if d.CanRecover() != k.Readable {
			t.Errorf("%s: declared readable %v, built %v", k.Name, k.Readable, d.CanRecover())
		}
		if RunsInLambda(k.Example) != k.InLambda || k.InLambda == (k.Local != "") {
			t.Errorf("%s: InLambda %v, Local %q", k.Name, k.InLambda, k.Local)
		}
		if !slices.Equal(d.Actions(), k.ActionsFor(false)) || (len(k.Actions) > 0) != (k.Resource != nil && k.Sid != "") {
			t.Errorf("%s: calls %v, declares %v on %v", k.Name, d.Actions(), k.Actions, k.Sid)
		}
		if !strings.Contains(k.Help, k.Syntax) || !strings.HasPrefix(k.Syntax, k.Name+":") {
			t.Errorf("%s: help %q, syntax %q", k.Name, k.Help, k.Syntax)
		}
	}
}
