package svcrotate

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// create calls CreateAccessKey without the SDK's retries: a retry after a lost answer would
// make a second key. After an ambiguous failure the user's keys are listed, any key not there
// before is deleted (its secret was lost), and one more create is tried.
func (r *run) create(ctx context.Context) error {
	noRetry := func(o *iam.Options) { o.Retryer = aws.NopRetryer{} }
	what := "create a new access key for " + r.o.User
	for attempt := 1; ; attempt++ {
		out, err := r.o.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &r.o.User}, noRetry)
		if err == nil {
			r.secret = sink.Secret{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}
			r.res.NewKeyID = r.secret.AccessKeyID
			// Listed as the user's from now on, so no pruning takes its record for a stale one.
			r.keys = append(r.keys, keys.Key{AccessKeyID: r.secret.AccessKeyID, Status: keys.Active})
			r.say("created %s for %s", r.secret.AccessKeyID, r.o.User)
			r.step("create")
			return nil
		}
		if answered := awserr.Answered(err); answered || ctx.Err() != nil {
			// IAM answered (no key was made), or we were stopped: the next run reconciles.
			if answered {
				_ = r.clear(ctx)
			}
			return &StepError{What: what, Err: err}
		}
		r.say("create failed without an answer that says whether a key was made (%s); checking the keys", awserr.Message("create", err))
		if err := r.list(ctx); err != nil {
			return fmt.Errorf("%s: the call failed without an answer, and listing the keys failed too; run keywarden rotate again to clean up", what)
		}
		if err := r.deleteOrphans(ctx, nil); err != nil {
			return err
		}
		if attempt == 2 {
			_ = r.clear(ctx)
			return &StepError{What: what + " (twice without an answer; every key made meanwhile was deleted, nothing else changed)", Err: err}
		}
	}
}

// candidates are the user's keys made since the rotation began: neither old nor there before.
func (r *run) candidates() []string {
	var ids []string
	for _, k := range r.keys {
		if k.AccessKeyID != r.st.OldKeyID && !slices.Contains(r.st.Before, k.AccessKeyID) {
			ids = append(ids, k.AccessKeyID)
		}
	}
	return ids
}

// deleteOrphans deletes every candidate key but keep: no destination holds its secret.
func (r *run) deleteOrphans(ctx context.Context, keep map[string]bool) error {
	for _, id := range r.candidates() {
		if keep[id] {
			continue
		}
		if err := r.deleteKey(ctx, id); err != nil {
			return &StepError{What: fmt.Sprintf("delete %s, a key of %s whose secret was lost (run again)", id, r.o.User), Err: err}
		}
		r.res.Deleted = append(r.res.Deleted, id)
		r.say("deleted %s: a key created by an interrupted call, whose secret no destination holds", id)
	}
	return nil
}

// recoverSecret reads the secret of keyID back from the first destination that holds it.
func (r *run) recoverSecret(ctx context.Context, keyID string) (sink.Secret, bool, error) {
	for _, s := range r.o.Sinks {
		if !s.CanRecover() {
			continue
		}
		sec, ok, err := s.Recover(ctx, keyID)
		if err != nil {
			return sink.Secret{}, false, err
		}
		if ok {
			r.say("read the secret of %s back from %s", keyID, s)
			return sec, true, nil
		}
	}
	return sink.Secret{}, false, nil
}
