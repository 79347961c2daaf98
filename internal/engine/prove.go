package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/sink"
)

// proveRetired checks the old key is dead. With its secret at hand and retired by deletion,
// STS must refuse it; otherwise IAM's list of keys is the truth (moto accepts inactive keys,
// AWS does not). A key that still works is reported, not failed.
func (r *run) proveRetired(ctx context.Context, id string) error {
	bySTS := r.o.Delete && r.o.OldSecret != "" && r.o.OldKeyID == id
	if bySTS {
		code, err := r.waitDead(ctx, r.o.Connect(sink.Secret{AccessKeyID: id, SecretAccessKey: r.o.OldSecret}))
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
		ks, err := inventory.ListKeys(ctx, r.iam, r.o.User)
		if err != nil {
			return &StepError{What: "check the old key's status", Err: err}
		}
		status := "absent"
		for _, k := range ks {
			if k.AccessKeyID == id {
				status = string(k.Status)
			}
		}
		switch {
		case !r.o.Delete && status == "Inactive":
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

// errNoAuth: the endpoint accepted a key that never existed.
var errNoAuth = errors.New("the endpoint checks no signatures")

// authenticates reports whether the endpoint checks signatures: STS signed with a key that
// never existed must be refused. Any other answer (a throttle, the network) counts as yes, so
// the old key is still waited out as before.
func (r *run) authenticates(ctx context.Context) bool {
	var b [20]byte
	_, _ = rand.Read(b[:])
	made := sink.Secret{AccessKeyID: "AKIA" + strings.ToUpper(hex.EncodeToString(b[:8])), SecretAccessKey: base64.StdEncoding.EncodeToString(b[:])}
	_, err := r.o.Connect(made).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return err != nil
}

// WaitWorks is the engine's proof that a key works, for a step that proves a key it did not
// make (Secrets Manager's testSecret): STS, signed with the key, must answer as userARN
// Successes times in a row, with the same backoff while IAM propagates it. It returns the
// refusals it saw.
func WaitWorks(ctx context.Context, c STS, userARN string, w WaitOptions, now func() time.Time, progress func(time.Duration, string)) (refusals int, err error) {
	o := Options{Wait: w, Now: now, Progress: progress}
	o.defaults()
	r := &run{o: o, start: now(), arn: userARN}
	return r.waitWorks(ctx, c)
}
