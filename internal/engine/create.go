package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/sink"
)

// Create is the one create-and-reconcile of every rotation (self, service, the rotation
// function). CreateAccessKey is not idempotent, so the SDK never retries it: a retry after an
// answer lost in transit would make a second key.
//   - IAM answered with a throttle: the request was not done; it is tried again after a backoff.
//   - IAM answered otherwise (LimitExceeded, a denial): no key was made; Clean says so.
//   - No answer (a reset, a 5xx): the user's keys are listed, every key not in Known (whose
//     secret was lost, so nobody can use it) is deleted, and one more create is tried.
type Create struct {
	IAM   IAM
	User  string
	Known []string // the user's keys before the rotation: never touched here
	// Delete deletes a key whose secret was lost, under the caller's record protocol; a key
	// already gone is not an error.
	Delete func(ctx context.Context, keyID string) error
	Sleep  func(context.Context, time.Duration) error
	Say    func(format string, a ...any)
	// Backoff is the first wait after a throttle (default 500ms), doubling up to 8 tries.
	Backoff time.Duration
}

// CreateError is a create that did not give a key. Clean: no key of this run is left in IAM
// (IAM answered, or every key made meanwhile was deleted), so the rotation's state can go;
// otherwise it stays for the next run to reconcile.
type CreateError struct {
	StepError
	Clean bool
}

// Unwrap gives the StepError, so callers that word a failed step find it as any other.
func (e *CreateError) Unwrap() error { return &e.StepError }

// throttleTries bounds the retries of a throttled create: IAM's limits recover in seconds.
const throttleTries = 8

// Do returns the new key and the ids of keys it deleted as lost.
func (c Create) Do(ctx context.Context) (sink.Secret, []string, error) {
	noRetry := func(o *iam.Options) { o.Retryer = aws.NopRetryer{} }
	what := "create a new access key for " + c.User
	wait := c.Backoff
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	var deleted []string
	lost, throttled := 0, 0
	for {
		out, err := c.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &c.User}, noRetry)
		if err == nil {
			return sink.Secret{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}, deleted, nil
		}
		if ctx.Err() != nil {
			// Stopped mid-call: the key may exist; the state stays so the next run reconciles.
			return sink.Secret{}, deleted, &CreateError{StepError{What: what + " (interrupted; run keywarden rotate again to clean up)", Err: err}, false}
		}
		if awserr.Answered(err) {
			if awserr.Classify(err) == awserr.Throttled && throttled < throttleTries-1 && c.Sleep != nil {
				throttled++
				c.Say("create throttled by IAM (nothing was made); trying again in %s", wait)
				if serr := c.Sleep(ctx, wait); serr != nil {
					return sink.Secret{}, deleted, &CreateError{StepError{What: what, Err: err}, true}
				}
				wait = min(2*wait, 8*time.Second)
				continue
			}
			return sink.Secret{}, deleted, &CreateError{StepError{What: what, Err: err}, true}
		}
		c.Say("create failed without an answer that says whether a key was made (%s); checking the keys", awserr.Message("create", err))
		n, rerr := c.deleteLost(ctx)
		deleted = append(deleted, n...)
		if rerr != nil {
			return sink.Secret{}, deleted, &CreateError{StepError{What: fmt.Sprintf("%s: the call failed without an answer, and cleaning up after it failed too (%s); run keywarden rotate again", what, awserr.Message("clean up", rerr)), Err: err}, false}
		}
		if lost++; lost == 2 {
			return sink.Secret{}, deleted, &CreateError{StepError{What: fmt.Sprintf("%s (twice without an answer; %d key(s) whose secret was lost were deleted, nothing else changed)", what, len(deleted)), Err: err}, true}
		}
	}
}

// deleteLost deletes every key of the user not in Known: made by a create whose answer was lost.
func (c Create) deleteLost(ctx context.Context) ([]string, error) {
	ks, err := inventory.ListKeys(ctx, c.IAM, c.User)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range ks {
		if slices.Contains(c.Known, k.AccessKeyID) {
			continue
		}
		if err := c.Delete(ctx, k.AccessKeyID); err != nil {
			return ids, fmt.Errorf("delete %s: %w", k.AccessKeyID, err)
		}
		ids = append(ids, k.AccessKeyID)
		c.Say("deleted %s: a key created by an interrupted call, whose secret was never stored", k.AccessKeyID)
	}
	return ids, nil
}
