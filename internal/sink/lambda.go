package sink

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// RunsInLambda reports whether a destination can be delivered to from AWS Lambda: the
// function has no local disk to keep a credentials file on nor programs of the user's to run
// (each kind says which it is). It is the one answer to that question: template, deploy and
// validate refuse or warn with it before a deploy, and the function refuses with it at run time.
func RunsInLambda(spec string) bool { return kind.RunsInLambda(spec) }

// NotInLambdaError is a rotate rule whose destination the Lambda cannot deliver to.
type NotInLambdaError struct {
	Job, Spec string
}

func (e *NotInLambdaError) Error() string {
	what := "is not reachable from the Lambda"
	if k, _ := kind.Of(e.Spec); k != nil && k.Local != "" {
		what = k.Local
	}
	var lambda []string
	for _, k := range kind.All() {
		if k.InLambda {
			lambda = append(lambda, k.Name+":")
		}
	}
	return fmt.Sprintf("job %s: destination %s %s, which the Lambda cannot; deliver to %s, or run the job with keywarden apply or serve",
		e.Job, e.Spec, what, orList(lambda))
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// CanReadBack reports whether a destination can give a delivered secret back (Recover), as
// its kind declares (not exec: nor github:, which keep what they are given unreadable).
// respond replaces a leaked key only into destinations that can, so that a rotation cut short
// is resumed rather than guessed.
func CanReadBack(spec string) bool {
	k, _ := kind.Of(spec)
	return k != nil && k.Readable
}
