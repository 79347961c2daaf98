package rotate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/provenance"
)

// forward takes a stored new key to the end: verify, probe, retire the old key, confirm it dead.
func (r *run) forward(ctx context.Context) error {
	nc := r.opts.Connect(r.new)
	if r.j.State == StateStored {
		refusals, err := r.waitWorks(ctx, nc.STS)
		if err != nil {
			return r.failVerify(ctx, fmt.Errorf("the new key %s did not work within %s: %v", r.new.AccessKeyID, r.opts.Wait, err))
		}
		r.say("%s works (%d consecutive successes, %d refusals while IAM propagated it)", r.new.AccessKeyID, r.opts.Successes, refusals)
		r.step("verify")
		if r.opts.Probe != nil {
			if err := r.opts.Probe(ctx, r.new); err != nil {
				return r.failVerify(ctx, fmt.Errorf("the probe failed with the new key: %v", err))
			}
			r.say("probe passed with %s", r.new.AccessKeyID)
			r.step("probe")
		}
		if err := r.j.save(r.jpath, StateVerified, r.opts.Now()); err != nil {
			return err
		}
		r.opts.Failpoint("after-verify")
	}
	if r.j.State == StateVerified {
		if err := r.retire(ctx, nc.IAM); err != nil {
			return err
		}
		r.opts.Failpoint("after-retire")
		if err := r.j.save(r.jpath, StateRetired, r.opts.Now()); err != nil {
			return err
		}
	}
	if err := r.confirm(ctx, nc.IAM); err != nil {
		return err
	}
	r.opts.Failpoint("after-confirm")
	if err := removeJournal(r.jpath); err != nil {
		return err
	}
	r.res.State = "done"
	r.opts.Failpoint("after-done")
	r.say("done: profile %s now holds %s", r.opts.Profile, r.new.AccessKeyID)
	return nil
}

// failVerify rolls back when the old secret is at hand; after a crash it is not (it was only in
// the credentials file, now holding the new key), so the journal stays for another run.
func (r *run) failVerify(ctx context.Context, reason error) error {
	if r.old.SecretAccessKey == "" {
		return fmt.Errorf("%v; the old key %s is untouched and the new key is stored in profile %s; the interrupted rotation cannot roll back (the old secret was only in the credentials file): run keywarden rotate again to finish it", reason, r.j.OldKeyID, r.opts.Profile)
	}
	return r.rollback(ctx, reason)
}

// rollback puts the old key back in the file first, then deletes the new key signed with the
// old one. In that order a crash leaves either the new key stored (resume goes forward) or the
// old key stored and a new key whose secret is nowhere (resume deletes it).
func (r *run) rollback(ctx context.Context, reason error) error {
	r.say("rolling back: %v", reason)
	if err := r.j.save(r.jpath, StateRollingBack, r.opts.Now()); err != nil {
		return err
	}
	if err := r.dest.Deliver(ctx, r.old); err != nil {
		return fmt.Errorf("%v; rolling back failed: restore the old key in %s: %w; the new key %s is still stored and active", reason, r.opts.CredentialsFile, err, r.new.AccessKeyID)
	}
	r.opts.Failpoint("after-restore")
	oc := r.opts.Connect(r.old)
	if err := r.change(ctx, oc.IAM, r.new.AccessKeyID, keys.ActionDeleted, "the new key", func(ctx context.Context) error {
		_, err := oc.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.j.User, AccessKeyId: &r.new.AccessKeyID})
		return err
	}); err != nil && awserr.Classify(err) != awserr.NotFound {
		return &StepError{What: fmt.Sprintf("%v; rolling back: the old key is restored in the file, but deleting the new key %s (whose secret is no longer stored) failed; run keywarden rotate again to delete it", reason, r.new.AccessKeyID), Err: err}
	}
	if err := removeJournal(r.jpath); err != nil {
		return err
	}
	r.step("rollback")
	return &RolledBackError{NewKeyID: r.new.AccessKeyID, Reason: reason}
}

// retire deactivates the old key, signed with the new key, and with --retire delete then
// deletes it: deletion only ever applies to an inactive key, so a delete that fails leaves the
// key inactive, never active. A key already gone (a resumed run) is fine.
func (r *run) retire(ctx context.Context, c IAM) error {
	id := r.j.OldKeyID
	err := r.change(ctx, c, id, keys.ActionDeactivated, "the old key", func(ctx context.Context) error {
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &r.j.User, AccessKeyId: &id, Status: iamtypes.StatusTypeInactive})
		return err
	})
	if err == nil && r.opts.Retire == RetireDelete {
		err = r.change(ctx, c, id, keys.ActionDeleted, "the old key", func(ctx context.Context) error {
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.j.User, AccessKeyId: &id})
			return err
		})
	}
	switch {
	case err == nil:
	case awserr.Classify(err) == awserr.NotFound:
		r.say("the old key %s was already gone", id)
	default:
		return &StepError{What: fmt.Sprintf("%s the old key %s with the new key %s (the new key is stored and works; run keywarden rotate again to finish)", r.opts.Retire, id, r.new.AccessKeyID), Err: err}
	}
	r.say("%sd %s, signed with %s", r.opts.Retire, id, r.new.AccessKeyID)
	r.step("retire")
	return nil
}

// confirm checks the old key is dead. With its secret at hand (not a resumed run) and retired
// by deletion, STS must refuse it; a deactivated key is checked by its IAM status, since moto
// accepts inactive keys (AWS does not). A key that still works is reported, not failed.
func (r *run) confirm(ctx context.Context, c IAM) error {
	id := r.j.OldKeyID
	bySTS := r.opts.Retire == RetireDelete && r.old.SecretAccessKey != ""
	if bySTS {
		code, err := r.waitDead(ctx, r.opts.Connect(r.old).STS)
		switch {
		case err == errNoAuth:
			// STS would accept the deleted key for the whole wait: the list is the truth here.
			r.say("the endpoint accepted a made-up key, so it checks no signatures (an emulator with auth off?): the old key is judged by IAM's list of keys instead")
			bySTS = false
		case err != nil:
			r.res.OldKey = "still-accepted"
			r.warn("the old key %s is deleted but not yet proven dead: %v; IAM may take longer to forget it", id, err)
		default:
			r.res.OldKey = "rejected"
			r.say("%s is dead: STS refuses it (%s)", id, code)
		}
	}
	if !bySTS {
		ks, err := inventory.ListKeys(ctx, c, r.j.User)
		if err != nil {
			return &StepError{What: "check the old key's status", Err: err}
		}
		status := "absent"
		for _, k := range ks {
			if k.AccessKeyID == id {
				status = k.Status
			}
		}
		switch {
		case r.opts.Retire == RetireDeactivate && status == "Inactive":
			r.res.OldKey = "inactive"
			r.say("%s is Inactive in IAM (checked by status: AWS refuses an inactive key; emulators may not)", id)
		case status == "absent":
			r.res.OldKey = "absent"
			r.say("%s no longer exists in IAM", id)
		default:
			r.res.OldKey = "still-accepted"
			r.warn("the old key %s is still %s in IAM", id, status)
		}
	}
	r.step("confirm")
	return nil
}

// record writes the settled record of a change already made (the new key's creation). A
// failure is a warning: the key matters more than its record.
func (r *run) record(ctx context.Context, c IAM, keyID, action, what string) {
	user := r.user // resume sets it from the journal, as identify does for a fresh run
	ks, err := inventory.ListKeys(ctx, c, user)
	if err == nil {
		err = provenance.Record(ctx, c, user, keyID, keys.Record{Action: action, Time: r.opts.Now(), Origin: r.opts.Origin, Token: r.j.Token}, ks)
	}
	if err != nil {
		r.warn("could not record provenance of %s (%s) on %s: %s", what, keyID, user, awserr.Message("tag", err))
	}
}

// change retires or deletes a key under the record protocol (internal/provenance): the intent
// first, then the call, then the record settled from what IAM shows. The change is made even
// if its record cannot be written; a record left pending is a warning.
func (r *run) change(ctx context.Context, c IAM, keyID, action, what string, do func(context.Context) error) error {
	user := r.user
	res := provenance.Do(ctx, c, provenance.Change{
		User: user, KeyID: keyID, Action: action, Origin: r.opts.Origin, Now: r.opts.Now(), BestEffort: true,
	}, do)
	if res.RecordErr != nil {
		r.warn("the record of %s (%s) on %s: %v", what, keyID, user, res.RecordErr)
	}
	if res.Outcome == provenance.Made {
		return nil
	}
	return res.Err
}

// errNoAuth: the endpoint accepted a key that never existed.
var errNoAuth = errors.New("the endpoint checks no signatures")

// authenticates reports whether the endpoint checks signatures: STS signed with a key that
// never existed must be refused. Any other answer (a throttle, the network) counts as yes, so
// the old key is still waited out as before.
func (r *run) authenticates(ctx context.Context) bool {
	var b [20]byte
	_, _ = rand.Read(b[:])
	made := Credentials{AccessKeyID: "AKIA" + strings.ToUpper(hex.EncodeToString(b[:8])), SecretAccessKey: base64.StdEncoding.EncodeToString(b[:])}
	_, err := r.opts.Connect(made).STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return err != nil
}
