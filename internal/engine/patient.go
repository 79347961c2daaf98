package engine

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
)

// patient signs with a key just proven. IAM's replicas may still refuse it now and then for
// seconds after STS accepted it several times (real IAM flaps while a key propagates), and a
// refused call was not done, so it is tried again soon (flapRetry) for up to Wait. Creating a
// key is never retried here: the engine's Create alone decides that.
type patient struct {
	IAM
	r *run
}

func retryRefused[T any](ctx context.Context, r *run, call func() (T, error)) (T, error) {
	w, start := r.o.Wait, r.o.Now()
	var slept time.Duration
	for {
		out, err := call()
		if err == nil || awserr.Classify(err) != awserr.BadCredentials || w.Sleep == nil {
			return out, err
		}
		if max(slept, r.o.Now().Sub(start)) >= w.Wait {
			return out, err
		}
		d := flapRetry(w)
		if serr := w.Sleep(ctx, d); serr != nil {
			return out, err
		}
		slept += d
	}
}

func (p patient) ListUsers(ctx context.Context, in *iam.ListUsersInput, f ...func(*iam.Options)) (*iam.ListUsersOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.ListUsersOutput, error) { return p.IAM.ListUsers(ctx, in, f...) })
}

func (p patient) GetUser(ctx context.Context, in *iam.GetUserInput, f ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.GetUserOutput, error) { return p.IAM.GetUser(ctx, in, f...) })
}

func (p patient) ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, f ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.ListAccessKeysOutput, error) { return p.IAM.ListAccessKeys(ctx, in, f...) })
}

func (p patient) GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, f ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.GetAccessKeyLastUsedOutput, error) { return p.IAM.GetAccessKeyLastUsed(ctx, in, f...) })
}

func (p patient) ListUserTags(ctx context.Context, in *iam.ListUserTagsInput, f ...func(*iam.Options)) (*iam.ListUserTagsOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.ListUserTagsOutput, error) { return p.IAM.ListUserTags(ctx, in, f...) })
}

func (p patient) DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, f ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.DeleteAccessKeyOutput, error) { return p.IAM.DeleteAccessKey(ctx, in, f...) })
}

func (p patient) UpdateAccessKey(ctx context.Context, in *iam.UpdateAccessKeyInput, f ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.UpdateAccessKeyOutput, error) { return p.IAM.UpdateAccessKey(ctx, in, f...) })
}

func (p patient) TagUser(ctx context.Context, in *iam.TagUserInput, f ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.TagUserOutput, error) { return p.IAM.TagUser(ctx, in, f...) })
}

func (p patient) UntagUser(ctx context.Context, in *iam.UntagUserInput, f ...func(*iam.Options)) (*iam.UntagUserOutput, error) {
	return retryRefused(ctx, p.r, func() (*iam.UntagUserOutput, error) { return p.IAM.UntagUser(ctx, in, f...) })
}

// flapRetry is how soon a call refused while IAM flaps is tried again: the key is known to
// most replicas by then, so a short gap finds one that knows it; a fifth of the proof's gap.
func flapRetry(w WaitOptions) time.Duration { return w.Interval / 5 }
