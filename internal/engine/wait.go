package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/awserr"
)

// waitWorks calls STS with the new key until it succeeds Successes times in a row. IAM refuses a
// new key for seconds and then flaps, so one success proves little; a refusal resets the count
// and backs off (Interval, doubling, up to MaxBackoff) until Wait is spent. It returns how many
// refusals it saw. The identity must be the rotated user: a key that works for someone else is
// not this user's key.
func (r *run) waitWorks(ctx context.Context, c STS) (refusals int, err error) {
	w := r.o.Wait
	b := r.backoff("for IAM to accept the new key")
	ok := 0
	for {
		out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		switch {
		case err == nil && aws.ToString(out.Arn) != r.arn:
			return refusals, fmt.Errorf("it signs as %s, not %s", aws.ToString(out.Arn), r.arn)
		case err == nil:
			ok++
			if ok >= w.Successes {
				return refusals, nil
			}
			if err := w.Sleep(ctx, w.Interval); err != nil {
				return refusals, err
			}
			b.spent += w.Interval
			continue
		case !transient(err):
			return refusals, errors.New(awserr.Message("sts:GetCallerIdentity", err))
		}
		if ok > 0 {
			// It worked before: IAM's replicas disagree for now, so it is asked again soon
			// rather than after a backoff grown while it was unknown everywhere.
			b.flapping = true
		}
		ok = 0
		refusals++
		b.refusals = refusals
		if werr := b.wait(ctx); werr != nil {
			return refusals, fmt.Errorf("last answer: %s", awserr.Message("sts:GetCallerIdentity", err))
		}
	}
}

// waitDead calls STS with the old key until it is refused as an unknown key, and returns the code.
// Only a success counts as "accepted": an answer that is neither (throttling, a network error)
// is waited out, and named if the wait ends on it.
func (r *run) waitDead(ctx context.Context, c STS) (string, error) {
	b := r.backoff("for IAM to refuse the old key")
	b.counting = "accepted"
	var last error
	for {
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		switch {
		case err == nil:
			// Accepted at once: a deleted key often is for seconds, but an endpoint that
			// checks no signatures accepts it forever. One made-up key tells them apart.
			if b.refusals == 0 && !b.r.authenticates(ctx) {
				return "", errNoAuth
			}
			b.refusals++
		case awserr.Classify(err) == awserr.BadCredentials:
			if code := awserr.Code(err); code != "" && code != "UnknownError" {
				return code, nil
			}
			return "rejected", nil
		default:
			last = err
		}
		if werr := b.wait(ctx); werr != nil {
			if b.refusals == 0 && last != nil {
				return "", fmt.Errorf("no answer that settles it: %s", awserr.Message("sts:GetCallerIdentity", last))
			}
			return "", fmt.Errorf("STS still accepted it %d times in %s", b.refusals, r.o.Wait.Wait)
		}
	}
}

// transient errors are worth waiting out: the key is not known yet, throttling, or the network.
func transient(err error) bool {
	switch awserr.Classify(err) {
	case awserr.BadCredentials, awserr.Throttled, awserr.Network:
		return true
	}
	return false
}

type backoff struct {
	r     *run
	start time.Time
	next  time.Duration
	spent time.Duration // time slept: bounds the wait even when the clock stands still
	// what, refusals and counting word the progress line a long wait prints, so a person
	// watching sees IAM's answers instead of silence.
	what     string
	refusals int
	counting string
	said     time.Duration
	// flapping: the key was accepted at least once, so a refusal waits only flapRetry.
	flapping bool
}

// progressEvery is how often a wait says where it stands.
const progressEvery = 5 * time.Second

func (r *run) backoff(what string) *backoff {
	return &backoff{r: r, start: r.o.Now(), next: r.o.Wait.Interval, what: what, counting: "refused"}
}

var errWaitOver = errors.New("wait over")

// wait sleeps the next backoff, or returns errWaitOver when that would pass the deadline.
func (b *backoff) wait(ctx context.Context) error {
	o, now := b.r.o.Wait, b.r.o.Now
	used := max(b.spent, now().Sub(b.start))
	if used >= o.Wait {
		return errWaitOver
	}
	next := b.next
	if b.flapping {
		next = flapRetry(o)
	}
	d := min(next, o.Wait-used)
	if err := o.Sleep(ctx, d); err != nil {
		return err
	}
	b.spent += d
	b.next = min(2*b.next, o.MaxBackoff)
	if used = max(b.spent, now().Sub(b.start)); used-b.said >= progressEvery {
		b.said = used
		b.r.say("waiting %s: %d %s so far, %s of %s", b.what, b.refusals, b.counting, used.Round(time.Second), o.Wait)
	}
	return nil
}
