// Package rotate replaces the static access key of one credentials-file profile with a new key
// of the same IAM user. It is the rotation engine (internal/engine) with the profile as its one
// destination (the profile: sink a service rotation delivers to, so both edit the file one
// way), a journal beside the credentials file as its state, and the profile's own keys as
// signer: the key the profile holds until the new key is proven, the new key after, since the
// old key is deactivated and then deleted and cannot sign its own deletion.
//
// # Journal
//
// The journal (credentials.keywarden-rotate.json, mode 0600) holds the engine's state and what
// only a profile's rotation needs: the profile, the user, how the old key is retired. It never
// holds a secret. The new secret stays in memory until STS has proven the key, and then goes
// into the credentials file: a run killed before that leaves a key whose secret is nowhere,
// which the next run deletes before it starts again. The old secret is never written anywhere
// new; it proves, after deletion, that STS refuses the old key.
//
// A run that finds a journal checks which key the profile holds now: the journal's old key
// (the new one never reached the file) or its new key (only forward is possible); anything else
// means someone edited the file in between, and keywarden refuses to guess.
//
// Concurrent runs on one credentials file are serialised by flock on
// credentials.keywarden-rotate.lock beside the file symlinks resolve to (so a link and its
// target are one file), owned like the credentials file; a second run refuses at once. The
// lock exists only while a rotation runs: a rotation refused at once (no file, no such
// profile, a session token) leaves nothing on disk. Under the lock, temporary files a killed
// write left beside the credentials file or the journal (full copies, with secrets) are removed.
package rotate
