// Package engine is keywarden's one rotation engine. Self-rotation (internal/rotate: a
// credentials-file profile, signed with its own keys), service rotation (internal/svcrotate:
// any destinations, signed as an admin) and Secrets Manager's rotation function
// (svcrotate.SecretStep) are this engine with a different state store, destinations and
// signer; a fix here is made once.
//
// # Phases
//
//	(none)     ──check destinations, make room──▶ creating     state: old key, keys before, grace, token
//	creating   ──CreateAccessKey (Create), stage where a destination can (AWSPENDING)──▶ (StopAfterStage ends here)
//	creating   ──STS proves the new key, the probe passes──▶ delivering   (+ new key id)
//	delivering ──deliver to every destination, readable ones first──▶ delivered  (+ time)
//	delivered  ──grace passed and the old key unused since: deactivate it [, delete it] [, prove it dead]──▶ (state cleared)
//
// A consumer is given the new key only after STS accepted it several times in a row and the
// user's probe passed, so a destination's current value is always a key that works. A key
// that never works is deleted before anyone holds it.
//
// # State stores
//
// The state never holds a secret. It lives in a Store: one tag on the IAM user (TagStore, for
// service keys: every runner, a Lambda included, can read it) or a journal beside the
// credentials file (internal/rotate, serialised by a file lock, so Exclusive). The state a run
// clears is only ever the one it wrote or resumed: a concurrent run's is never removed.
//
// # Resume
//
// A run that finds a state finishes what it says, with the same destinations (a digest of
// them is in the state):
//   - creating: a key of the user that is neither the old key nor one of the keys before is
//     the new one if a destination staged its secret; if none holds it, nobody can use it, so it
//     is deleted and the rotation starts over (a create is never blindly retried). A state young
//     enough to be a live run's is held instead (see held), unless the store is exclusive.
//   - delivering: the secret is read back from any destination that holds it and delivery goes
//     on. If none can give it back but a destination that cannot be read back (exec:) may hold
//     it, the run refuses rather than guess which key that program now has.
//   - delivered: only the old key's retirement is left; no secret is needed.
//
// Every key change and the new key's creation are recorded through internal/provenance, the
// one writer of keywarden's key records; the rotation's state is not a record.
//
// The clock (Now) and the sleeper (Wait.Sleep) are options: nothing here reads time.Now or
// sleeps, and every wait is bounded by the time slept as well as by the clock, so a frozen
// test clock cannot make a wait endless.
package engine
