package rotate

import (
	"context"
	"fmt"
	"slices"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/keys"
)

// resume finishes or undoes the rotation the journal describes, judged by which key the profile
// holds now (see the package doc). restart says a fresh rotation should follow.
func (r *run) resume(ctx context.Context, creds *credfile.File, j *Journal) (restart bool, err error) {
	r.j = j
	r.user, r.arn = j.User, j.UserARN
	r.res.Resumed = true
	r.res.User = j.User
	r.res.OldKeyID = j.OldKeyID
	r.opts.Retire = j.Retire // finish as it was started
	r.res.Retire = j.Retire
	p, ok := creds.Profile(r.opts.Profile)
	if !ok || p.AccessKeyID == "" || p.SecretAccessKey == "" {
		return false, &RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q is pending (journal %s, state %s), but the profile no longer holds a key; restore it, or remove the journal after checking the keys of %s", r.opts.Profile, r.jpath, j.State, j.User)}
	}
	held := Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}
	r.say("resuming the interrupted rotation of %s (state %s)", j.OldKeyID, j.State)

	switch {
	case held.AccessKeyID == j.OldKeyID && (j.State == StateCreating || j.State == StateRollingBack):
		// The new key's secret, if a key was made, is stored nowhere: delete it, then start over.
		r.old = held
		if _, err := r.deleteOrphans(ctx, r.opts.Connect(held)); err != nil {
			return false, &StepError{What: fmt.Sprintf("clean up after the interrupted rotation of %s (journal kept; run again)", j.OldKeyID), Err: err}
		}
		if err := removeJournal(r.jpath); err != nil {
			return false, err
		}
		r.say("the interrupted rotation is undone; starting again")
		r.step("recover")
		r.j, r.res.Resumed = nil, true
		return true, nil

	case held.AccessKeyID != j.OldKeyID && (held.AccessKeyID == j.NewKeyID ||
		(j.NewKeyID == "" && j.State == StateCreating && !slices.Contains(j.KeysBefore, held.AccessKeyID))):
		// The new key is stored: only forward is possible (the old secret is gone from the file).
		r.new = held
		r.res.NewKeyID = held.AccessKeyID
		unrecorded := j.State == StateCreating || j.State == StateRollingBack || j.State == StateStored
		if j.State == StateCreating || j.State == StateRollingBack {
			j.NewKeyID = held.AccessKeyID
			if err := j.save(r.jpath, StateStored, r.opts.Now()); err != nil {
				return false, err
			}
		}
		if unrecorded {
			// The run that stored the key may have died before recording its creation (and
			// its token, by which a rerun knows the rotation once the journal is gone).
			r.record(ctx, r.opts.Connect(held).IAM, held.AccessKeyID, keys.ActionCreated, "the new key")
		}
		r.say("profile %s holds the new key %s; finishing", r.opts.Profile, held.AccessKeyID)
		r.step("recover")
		return false, r.forward(ctx)
	}
	return false, &RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q is pending (journal %s: old key %s, new key %s, state %s), but the profile now holds %s; it was edited since, so keywarden will not guess: check the keys of user %s, then remove the journal", r.opts.Profile, r.jpath, j.OldKeyID, orNone(j.NewKeyID), j.State, held.AccessKeyID, j.User)}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
