package sink

import (
	"fmt"
	"strings"
)

// RunsInLambda reports whether a destination can be delivered to from AWS Lambda: Secrets
// Manager and SSM can; exec: (a local program) and profile: (a local credentials file) cannot,
// for the function has neither. It is the one answer to that question: template, deploy and
// validate refuse or warn with it before a deploy, and the function refuses with it at run time.
func RunsInLambda(spec string) bool {
	kind, _, _ := strings.Cut(spec, ":")
	return kind != "exec" && kind != "profile"
}

// NotInLambdaError is a rotate rule whose destination the Lambda cannot deliver to.
type NotInLambdaError struct {
	Job, Spec string
}

func (e *NotInLambdaError) Error() string {
	what := "writes a local credentials file"
	if strings.HasPrefix(e.Spec, "exec:") {
		what = "runs a local program"
	}
	return fmt.Sprintf("job %s: destination %s %s, which the Lambda cannot; deliver to secretsmanager: or ssm:, or run the job with keywarden apply or serve",
		e.Job, e.Spec, what)
}

// CanReadBack reports whether a destination can give a delivered secret back (Recover): all
// but exec:, a program that keeps what it is given. respond replaces a leaked key only into
// destinations that can, so that a rotation cut short is resumed rather than guessed.
func CanReadBack(spec string) bool {
	kind, _, _ := strings.Cut(spec, ":")
	return kind != "exec"
}
