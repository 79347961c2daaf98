package svcrotate

import "github.com/keywarden/keywarden/internal/keys"

// The rotation record's format belongs to internal/keys, so that policy can plan a rotation's
// next step from the inventory without importing AWS; these names keep svcrotate's reading.
const StateTag = keys.RotationTag

type (
	Phase = keys.Phase
	State = keys.Rotation
)

const (
	PhaseCreating   = keys.PhaseCreating
	PhaseDelivering = keys.PhaseDelivering
	PhaseDelivered  = keys.PhaseDelivered
)

// ParseState reads a value written by State.String.
func ParseState(v string) (State, error) { return keys.ParseRotation(v) }

// Digest names a set of destinations in 8 hex characters, order aside.
func Digest(dests []string) string { return keys.Digest(dests) }
