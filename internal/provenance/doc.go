// Package provenance is the one writer of keywarden's records on IAM users (the tags
// keywarden:<key id>): apply, deactivate, activate, self-rotation and service rotation all
// change keys through it, so a record is true in every interleaving of success, failure,
// lost answer and crash.
//
// # How keywarden records what it did
//
// IAM says what a key's status is, never who set it or when. keywarden's record on the user is
// the only evidence that keywarden itself made a change, and `activate` and the delete rule act
// on that evidence. A record is in one of three states:
//
//	pending      pending:deactivated 2026-11-23T15:00:00Z by=job:curfew [was=ACTION/TIME/ORIGIN]
//	             written before the IAM call: keywarden intends the change and does not yet know
//	             whether IAM made it. was= keeps the record it replaced.
//	settled      deactivated 2026-11-23T15:00:00Z by=job:curfew
//	             IAM confirmed the change: by answering the call, or — the answer lost — by the
//	             key's state re-read (ListAccessKeys) in the same run, seconds later.
//	unconfirmed  unconfirmed:deactivated 2026-11-23T15:00:00Z by=job:curfew
//	             a later run found a pending record older than InFlight whose key shows the
//	             intended state. keywarden may have made the change before it died, or someone
//	             else may have since; the record cannot tell, so it says so.
//
// One change, step by step:
//
//  1. write the intent (pending). If that fails, nothing is changed.
//  2. re-read the key (apply): already in the wanted state means another run or a person
//     got there first: "unchanged", and the earlier record is put back when it names the same
//     action.
//  3. make the call.
//  4. settle from the result: an answer of success settles it; any failure re-reads the key and
//     settles to what IAM shows: the change made → settled; not made → the was= record is put
//     back (or the tag removed). Steps 4 runs on a context that outlives a cancelled run by
//     SettleGrace, so a shutdown does not strand a record.
//  5. if the re-read or the write in 4 fails too, the record stays pending and the result says
//     so; a later run settles it (Settle): key in the intended state → unconfirmed; otherwise
//     the was= record is put back.
//
// Who may act on each state:
//   - settled deactivated: `activate` re-enables the key; the delete rule counts inactive_for
//     from its time.
//   - pending (any age): nobody. `activate` and the delete rule name it ("unsettled") and leave
//     the key alone; a pending record younger than InFlight may be another run's in flight.
//   - unconfirmed: nobody without `--force`: `activate` and the delete rule name it and leave
//     the key alone, as they do a key deactivated outside keywarden.
//   - no record, or another action: `activate` needs --force; the delete rule follows
//     since_unknown.
//
// Records of keys that no longer exist are the only tags keywarden removes to stay within
// IAM's 50 tags per user, oldest first.
package provenance
