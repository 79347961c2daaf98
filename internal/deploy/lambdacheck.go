package deploy

import (
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/sink"
)

// LambdaProblems are the rotate rules of cfg whose destinations the function cannot deliver
// to (sink.RunsInLambda), one error each, in the file's order: Build refuses the first, and
// validate names them all.
func LambdaProblems(cfg *policy.Config) []error {
	var out []error
	for _, j := range cfg.Jobs {
		for _, r := range j.Rules {
			if r.Kind != policy.Rotate {
				continue
			}
			for _, spec := range r.To {
				if !sink.RunsInLambda(spec) {
					out = append(out, &sink.NotInLambdaError{Job: j.Name, Spec: spec})
				}
			}
		}
	}
	return out
}
