// Package sink delivers a new access key to where its consumers read it: a Secrets Manager
// secret, an SSM SecureString parameter, a credentials-file profile, or any program (exec).
//
// A destination is one small interface. Delivery is in two parts so that a rotation can hold
// the secret durably before anything depends on it and still never show consumers a key that
// was not proven: Stage writes it to a slot consumers do not read (Secrets Manager's
// AWSPENDING; the others have none), Deliver makes it the value consumers read. Both are
// idempotent: a rerun after a crash calls them again with the same key.
//
// Recover is how a rerun without a local disk finds a lost secret again: the destinations that
// can be read back (all but exec) return the secret of a given key id if they hold it.
package sink

import (
	"context"
	"encoding/json"
	"fmt"
)

// Secret is an access key with its secret. Printing it never shows the secret.
type Secret struct {
	AccessKeyID     string
	SecretAccessKey string
}

func (s Secret) String() string   { return s.AccessKeyID }
func (s Secret) GoString() string { return s.AccessKeyID }

// payload is the JSON a credential_process prints, so a consumer can use the value as one.
type payload struct {
	Version         int
	AccessKeyId     string
	SecretAccessKey string
}

// JSON is the value every destination stores: {"Version":1,"AccessKeyId":…,"SecretAccessKey":…}.
func (s Secret) JSON() []byte {
	b, _ := json.Marshal(payload{1, s.AccessKeyID, s.SecretAccessKey})
	return b
}

// parse reads a stored value back; ok is false when it is not keywarden's JSON for keyID.
func parse(v []byte, keyID string) (Secret, bool) {
	var p payload
	if json.Unmarshal(v, &p) != nil || p.AccessKeyId != keyID || p.SecretAccessKey == "" {
		return Secret{}, false
	}
	return Secret{AccessKeyID: p.AccessKeyId, SecretAccessKey: p.SecretAccessKey}, true
}

// Sink is one destination of one user's key.
type Sink interface {
	// String names the destination as the user wrote it (secretsmanager:ci/svc).
	String() string
	// Check refuses, before anything changes, a destination that is not this user's to write.
	Check(ctx context.Context) error
	// Stage stores s where consumers do not read it yet. staged is false when the destination
	// has no such slot (or cannot have one yet: a secret that does not exist).
	Stage(ctx context.Context, s Secret) (staged bool, err error)
	// Deliver makes s the value consumers read.
	Deliver(ctx context.Context, s Secret) error
	// Recover returns the secret of keyID if the destination holds it, staged or delivered.
	Recover(ctx context.Context, keyID string) (Secret, bool, error)
	// CanRecover says whether Recover can ever find anything (exec cannot read back).
	CanRecover() bool
	// Actions are the IAM actions the destination needs of the caller.
	Actions() []string
}

// RefusedError is a destination keywarden will not write; nothing was changed.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

// InvalidError is a destination that cannot work as written (a program that is not there, a
// credentials file in a directory that does not exist); nothing was changed.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

// Error wraps a failed call with the destination it was for; it never holds a secret.
type Error struct {
	Dest string
	What string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s: %v", e.Dest, e.What, e.Err) }
func (e *Error) Unwrap() error { return e.Err }
