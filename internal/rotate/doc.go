// Package rotate replaces the static access key of one credentials-file profile with a new key
// of the same IAM user, signing every step with the key that is known to work at that moment,
// and survives a crash at any step. Every write of the profile goes through the profile: sink
// (internal/sink) that a service rotation delivers to, so both edit the file one way.
//
// # States
//
// A rotation is journalled in a file next to the credentials file
// (credentials.keywarden-rotate.json, mode 0600). The journal never holds a secret: the new
// secret goes straight from the CreateAccessKey response into the credentials file, and only
// then does the journal say "stored". The old secret is never written anywhere new; it stays in
// memory for an in-process rollback.
//
//	(no journal) ──identify, make room──▶ creating ──CreateAccessKey, write credentials file──▶ stored
//	stored   ──STS with the new key works N times in a row, probe passes──▶ verified
//	verified ──retire the old key, signed with the new key──▶ retired
//	retired  ──old key proven dead (or Inactive)──▶ (journal removed: done)
//
//	stored ──new key never works / probe fails──▶ rolling-back
//	rolling-back ──old key written back to the file, new key deleted with the old key──▶ (journal removed)
//
// creating records the user, the old key id and every key id the user had before the create
// (keys_before). It is written before CreateAccessKey so that a key created by a call whose
// answer was lost — a crash, or a reset after the request reached IAM — can be found: it is a
// key of the user that is neither the old key nor in keys_before. Such a key has no stored
// secret, so it is deleted, signed with the old key. No "created" state is persisted between
// the create and the store on purpose: the secret is the thing at risk, and it is stored first.
//
// # Resume
//
// A run that finds a journal looks at which key the profile holds now:
//   - the old key (state creating or rolling-back): the new key's secret is nowhere, so every key
//     not in keys_before is deleted with the old key, the journal removed, and a fresh rotation
//     starts;
//   - a new key (any state): the rotation goes forward from the journal's state. The old secret is
//     gone from the file by then, so forward is the only way: if the new key still does not work
//     within --wait, the run stops with the journal kept and the old key untouched, to be run
//     again;
//   - anything else: someone edited the file in between; keywarden refuses to guess.
//
// Concurrent runs on one credentials file are serialised by flock on
// credentials.keywarden-rotate.lock beside the file symlinks resolve to (so a link and its
// target are one file), owned like the credentials file; a second run refuses at once. The
// lock exists only while a rotation runs: a rotation refused at once (no file, no such
// profile, a session token) leaves nothing on disk. Under the lock, temporary files a killed
// write left beside the credentials file or the journal (full copies, with secrets) are removed.
//
// The clock (Now) and the sleeper (Sleep) are options: nothing here reads time.Now or calls
// time.Sleep, and every wait is bounded by the time slept as well as by the clock, so a frozen
// test clock cannot make a wait endless.
package rotate
