package sink

import (
	"strings"
	"testing"
)

func TestRunsInLambda(t *testing.T) {
	for spec, want := range map[string]bool{
		"secretsmanager:ci/{user}": true,
		"ssm:/ci/key":              true,
		"exec:./push {user}":       false,
		"profile:ci":               false,
		"profile:ci@/tmp/creds":    false,
	} {
		if got := RunsInLambda(spec); got != want {
			t.Errorf("RunsInLambda(%q) = %v, want %v", spec, got, want)
		}
	}
	msg := (&NotInLambdaError{Job: "ci", Spec: "exec:./push"}).Error()
	if !strings.Contains(msg, "job ci: destination exec:./push runs a local program") || strings.Contains(msg, "\n") {
		t.Errorf("message %q", msg)
	}
}

// respond replaces a leaked key only where a cut-short rotation can be read back: exec: and
// github: keep what they are given unreadable, and an unknown kind is never trusted.
func TestCanReadBack(t *testing.T) {
	for spec, want := range map[string]bool{
		"secretsmanager:ci/{user}": true,
		"ssm:/ci/key":              true,
		"profile:ci":               true,
		"exec:./push {user}":       false,
		"github:acme/app":          false,
		"vault:kv/ci":              false,
	} {
		if got := CanReadBack(spec); got != want {
			t.Errorf("CanReadBack(%q) = %v, want %v", spec, got, want)
		}
	}
}
