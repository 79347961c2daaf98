package rotate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// fresh runs a rotation from the start: identify, make room, create, store, then forward.
func (r *run) fresh(ctx context.Context, creds *credfile.File) error {
	p, err := r.classify(creds)
	if err != nil {
		return err
	}
	r.old = Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}
	r.res.OldKeyID = r.old.AccessKeyID
	oc := r.opts.Connect(r.old)

	if err := r.identify(ctx, oc); err != nil {
		return err
	}
	before, err := r.makeRoom(ctx, oc)
	if err == errDone {
		return nil
	}
	if err != nil {
		return err
	}
	r.j = &Journal{
		Version: journalVersion, Profile: r.opts.Profile, User: r.user, UserARN: r.arn,
		OldKeyID: r.old.AccessKeyID, KeysBefore: before, Retire: r.opts.Retire, Started: r.start.UTC(),
		Token: keys.TokenDigest(r.opts.Token),
	}
	if err := r.j.save(r.jpath, StateCreating, r.opts.Now()); err != nil {
		return err
	}
	r.opts.Failpoint("before-create")
	if err := r.create(ctx, oc); err != nil {
		return err
	}
	r.opts.Failpoint("after-create")
	if err := r.store(ctx, oc); err != nil {
		return err
	}
	r.record(ctx, oc.IAM, r.new.AccessKeyID, keys.ActionCreated, "the new key")
	return r.forward(ctx)
}

// identify learns who the old key belongs to and refuses anything but an IAM user's own key.
func (r *run) identify(ctx context.Context, c Clients) error {
	id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return &StepError{What: fmt.Sprintf("identify the owner of %s (profile %s)", r.old.AccessKeyID, r.opts.Profile), Err: err}
	}
	r.arn = aws.ToString(id.Arn)
	user, ok := userName(r.arn)
	if !ok {
		return &RefusedError{Msg: fmt.Sprintf("profile %q signs as %s, which is not an IAM user; keywarden rotates IAM user access keys only", r.opts.Profile, r.arn)}
	}
	r.user = user
	r.res.User = user
	r.say("profile %s: key %s of user %s", r.opts.Profile, r.old.AccessKeyID, user)
	r.step("identify")
	return nil
}

// errDone: the profile's key is the one this run's token already rotated in (see done).
var errDone = errors.New("already done by this token")

// makeRoom checks the two-key limit and returns the user's key ids once there is room. Only an
// inactive other key is ever deleted, and only when asked. It returns errDone when the token's
// rotation is already over.
func (r *run) makeRoom(ctx context.Context, c Clients) ([]string, error) {
	ks, err := inventory.ListKeys(ctx, c.IAM, r.user)
	if err != nil {
		return nil, &StepError{What: "list the access keys of " + r.user, Err: err}
	}
	var tags map[string]string // read only when a token or a refusal needs the records
	readTags := func() error {
		if tags != nil {
			return nil
		}
		t, err := inventory.ListTags(ctx, c.IAM, r.user)
		if err != nil {
			return &StepError{What: "read the tags of " + r.user, Err: err}
		}
		tags = t
		return nil
	}
	if r.opts.Token != "" {
		if err := readTags(); err != nil {
			return nil, err
		}
		if r.done(tags, ks) {
			return nil, errDone
		}
	}
	var ids []string
	var other *keys.Key
	for i, k := range ks {
		ids = append(ids, k.AccessKeyID)
		if k.AccessKeyID != r.old.AccessKeyID {
			other = &ks[i]
		}
	}
	if !slices.Contains(ids, r.old.AccessKeyID) {
		return nil, &RefusedError{Msg: fmt.Sprintf("the key %s of profile %q is not a key of user %s, who signed the request; refusing to rotate a key of another user", r.old.AccessKeyID, r.opts.Profile, r.user)}
	}
	if len(ks) < 2 {
		r.step("check")
		return ids, nil
	}
	if other.Status == "Active" {
		return nil, &RefusedError{Msg: fmt.Sprintf("user %s already has two access keys and the other one, %s, is active; keywarden never touches an active key it is not rotating: delete or deactivate %s first", r.user, other.AccessKeyID, other.AccessKeyID)}
	}
	if !r.opts.MakeRoom {
		if err := readTags(); err != nil {
			return nil, err
		}
		if f, ok := keys.FinishedRotation(tags, r.old.AccessKeyID, other.AccessKeyID); ok {
			again := ""
			if f.Made.Token != "" {
				again = "; a rerun with the --client-request-token it was started with reports it done"
			}
			return nil, &RefusedError{Msg: fmt.Sprintf("the rotation of profile %s (user %s) finished at %s (%s created by %s): %s is active and %s inactive, so a rerun has nothing to do%s; to start another rotation, delete %s first", r.opts.Profile, r.user, f.Gone.Time.UTC().Format(time.RFC3339), r.old.AccessKeyID, f.Made.Origin, r.old.AccessKeyID, other.AccessKeyID, again, other.AccessKeyID)}
		}
		return nil, &RefusedError{Msg: fmt.Sprintf("user %s already has two access keys (IAM's limit); the other one, %s, is inactive: pass --make-room to delete it", r.user, other.AccessKeyID)}
	}
	if err := r.change(ctx, c.IAM, other.AccessKeyID, keys.ActionDeleted, "the inactive key", func(ctx context.Context) error {
		_, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.user, AccessKeyId: &other.AccessKeyID})
		return err
	}); err != nil && awserr.Classify(err) != awserr.NotFound {
		return nil, &StepError{What: fmt.Sprintf("delete the inactive key %s of %s to make room", other.AccessKeyID, r.user), Err: err}
	}
	r.res.Deleted = append(r.res.Deleted, other.AccessKeyID)
	r.say("made room: deleted the inactive key %s", other.AccessKeyID)
	r.step("make-room")
	return []string{r.old.AccessKeyID}, nil
}

// done reports whether the profile's key was created by this run's token's rotation (its
// creation record carries the token's digest): a CI rerun of a job killed after its last write
// hears "done", and nothing changes.
func (r *run) done(tags map[string]string, ks []keys.Key) bool {
	rec, err := keys.ParseRecord(tags[keys.TagKey(r.old.AccessKeyID)])
	if err != nil || rec.Action != keys.ActionCreated || rec.Token != keys.TokenDigest(r.opts.Token) {
		return false
	}
	r.res.NewKeyID, r.res.OldKeyID, r.res.State, r.res.OldKey = r.old.AccessKeyID, "", "done", "absent"
	for _, k := range ks {
		if k.AccessKeyID != r.old.AccessKeyID {
			r.res.OldKeyID, r.res.OldKey = k.AccessKeyID, strings.ToLower(k.Status)
		}
	}
	r.res.AlreadyDone = fmt.Sprintf("already done by this token: profile %s holds %s, created for it at %s by %s", r.opts.Profile, r.old.AccessKeyID, rec.Time.UTC().Format(time.RFC3339), rec.Origin)
	r.say("%s", r.res.AlreadyDone)
	return true
}

// create makes the new key through the one create-and-reconcile (Create). A failure that left
// nothing of this run in IAM ends the rotation and its journal; otherwise the journal stays.
func (r *run) create(ctx context.Context, c Clients) error {
	k, deleted, err := r.creator(c).Do(ctx)
	r.res.Deleted = append(r.res.Deleted, deleted...)
	if err != nil {
		if ce, ok := err.(*CreateError); ok && ce.Clean {
			if rerr := removeJournal(r.jpath); rerr != nil {
				return rerr
			}
		}
		return err
	}
	r.new = k
	r.res.NewKeyID = r.new.AccessKeyID
	r.say("created %s", r.new.AccessKeyID)
	r.step("create")
	return nil
}

// creator is the create-and-reconcile for the journal's user: keys not in keys_before nor the
// old key are a lost create's, deleted directly (self-rotation keeps no record of them).
func (r *run) creator(c Clients) Create {
	return Create{
		IAM: c.IAM, User: r.j.User, Known: append(slices.Clone(r.j.KeysBefore), r.j.OldKeyID),
		Sleep: r.opts.Sleep, Backoff: r.opts.Interval, Say: r.say,
		Delete: func(ctx context.Context, id string) error {
			_, err := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.j.User, AccessKeyId: &id})
			if awserr.Classify(err) == awserr.NotFound {
				return nil
			}
			return err
		},
	}
}

// deleteOrphans deletes every key of the user that is neither in the journal's keys_before nor
// the old key: keywarden never stored its secret, so nobody can use it.
func (r *run) deleteOrphans(ctx context.Context, c Clients) (int, error) {
	ids, err := r.creator(c).deleteLost(ctx)
	r.res.Deleted = append(r.res.Deleted, ids...)
	return len(ids), err
}

// store delivers the new key to the profile before anything depends on it. If that fails, the
// secret is still in memory and the old key still works: the new key is deleted.
func (r *run) store(ctx context.Context, c Clients) error {
	if err := r.dest.Deliver(ctx, r.new); err != nil {
		if _, derr := c.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &r.user, AccessKeyId: &r.new.AccessKeyID}); derr != nil {
			return fmt.Errorf("store the new key in %s: %w; deleting the new key %s failed too (%s): delete it by hand", r.opts.CredentialsFile, err, r.new.AccessKeyID, awserr.Message("delete", derr))
		}
		removeJournal(r.jpath)
		return fmt.Errorf("store the new key in %s: %w; the new key %s was deleted and the old key is unchanged", r.opts.CredentialsFile, err, r.new.AccessKeyID)
	}
	r.opts.Failpoint("after-store")
	r.j.NewKeyID = r.new.AccessKeyID
	if err := r.j.save(r.jpath, StateStored, r.opts.Now()); err != nil {
		return err
	}
	r.say("stored %s in profile %s of %s", r.new.AccessKeyID, r.opts.Profile, r.opts.CredentialsFile)
	r.step("store")
	return nil
}
