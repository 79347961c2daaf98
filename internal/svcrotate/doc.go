// Package svcrotate rotates the access key of a service user (CI, deploy bots, apps) and
// delivers it to where the service reads it (internal/sink), signed as an admin. It may run in
// Lambda, so its state lives where every runner can read it: one tag on the IAM user
// (keywarden:rotation, within IAM's 256-character value limit) and the destinations' own
// staging (Secrets Manager's AWSPENDING version, named after the new key id).
//
// # Phases
//
//	(no tag) ──check destinations, make room──▶ creating        tag: old key, keys before, grace
//	creating ──CreateAccessKey, stage (AWSPENDING), STS proves the new key──▶ delivering  (+ new key id)
//	delivering ──deliver to every destination (AWSCURRENT moves, SSM, profile, exec)──▶ delivered (+ time)
//	delivered ──grace passed and the old key unused since delivery: deactivate it──▶ (tag removed)
//
// Consumers see the new key only after STS accepted it several times in a row, so a
// destination's current value is always a key that works.
//
// # Resume
//
// A run that finds the tag finishes what it says, with the same destinations (a digest of them
// is in the tag):
//   - creating: a key of the user that is not in the keys before is the new one. Its secret is
//     read back from a destination that staged it; if none holds it, nobody can use it, so it is
//     deleted and the rotation starts over (a create is never blindly retried).
//   - delivering: the secret is read back from any destination that holds it and delivery goes
//     on. If none can give it back but an exec: destination may hold it, keywarden refuses rather
//     than guess which key that program now has.
//   - delivered: only the old key's retirement is left; no secret is needed.
//
// Every key change (the old key retired, a key deleted to make room or because its secret was
// lost) and the new key's creation are recorded through internal/provenance, the one writer of
// keywarden's key records; the keywarden:rotation tag is the rotation's state, not a record.
//
// The clock and the sleeper are options; nothing here reads time.Now or sleeps.
package svcrotate
