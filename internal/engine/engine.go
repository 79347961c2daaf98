package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// IAM is the part of the IAM API a rotation uses (inventory.IAM for listing keys and tags).
type IAM interface {
	inventory.IAM
	CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

// STS is the part of the STS API a rotation uses: proving which key works.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// WaitOptions pace the proofs with STS; zero values take the defaults.
type WaitOptions struct {
	Wait       time.Duration // how long the new key may take to work, and the old to die (2m)
	Successes  int           // consecutive successes that prove the new key (3)
	Interval   time.Duration // first backoff, and the gap between successes (500ms)
	MaxBackoff time.Duration // 1s: IAM knows a new key within seconds, so a longer gap is time lost past it
	Sleep      func(context.Context, time.Duration) error
}

// Options configure the rotation of one user's key.
type Options struct {
	// IAM signs every call until the new key is proven: an admin, or (self-rotation) the key
	// the profile holds.
	IAM IAM
	// SignAfter, when set, gives the client that signs every call once the new key is proven:
	// self-rotation retires the old key with the new one, since a key cannot delete itself
	// once inactive.
	SignAfter func(sink.Secret) IAM
	Connect   func(sink.Secret) STS // STS signed with the given key and nothing else
	User      string
	UserARN   string // when the caller just read it; otherwise read here (iam:GetUser)
	Store     Store
	Sinks     []sink.Sink
	// OldKeyID is the key to replace (self-rotation: the profile's); "" is the user's one
	// active key, if any.
	OldKeyID string
	// OldSecret is the old key's secret when at hand: after deletion, STS must refuse it.
	OldSecret string
	Grace     time.Duration
	// Delete retires the old key by deactivating and then deleting it; otherwise it is only
	// deactivated (the delete: rule deletes it later).
	Delete bool
	// Prove checks, once the old key is retired, that it is dead (STS with OldSecret, or
	// IAM's list of keys).
	Prove    bool
	MakeRoom bool // delete an inactive second key to make room
	Force    bool // deactivate the old key after the grace even if a consumer still uses it
	// SelfKeyID is the key the caller signs with when it is not the one rotated: never retired.
	SelfKeyID string
	Origin    string // provenance origin, default "rotate"
	// Token is the rotation's request token (--client-request-token, or a rule run's
	// job:NAME@FIRETIME): a run with the token of a rotation that finished reports it done
	// and changes nothing.
	Token string
	// StopAfterStage ends the run once the new key is created and staged (Result.State
	// "staged"): Secrets Manager's createSecret step.
	StopAfterStage bool
	// Probe, if set, runs the user's own check with the new key before anyone is given it.
	Probe     func(ctx context.Context, s sink.Secret) error
	Wait      WaitOptions
	Now       func() time.Time
	Progress  func(elapsed time.Duration, msg string)
	Failpoint func(name string)
}

// Step is how long one step took.
type Step struct {
	Name    string  `json:"step"`
	Seconds float64 `json:"seconds"`
}

// Result is what one run did.
type Result struct {
	User     string
	OldKeyID string
	NewKeyID string
	// State: "done" (old key retired, or none), "grace" (old key active until RetireAfter),
	// "in-use" (grace over, but a consumer used the old key since delivery), or "staged"
	// (StopAfterStage: created and staged, nothing delivered).
	State string
	// AlreadyDone is set on a "done" this run found rather than made: the token's rotation
	// finished earlier.
	AlreadyDone string
	// OldKey: "rejected" (STS refused it), "absent", "inactive", "active", "still-accepted"
	// or "none".
	OldKey      string
	RetireAfter time.Time
	Delivered   time.Time
	Resumed     bool
	Deleted     []string // made room, or keys whose secret was lost
	Warnings    []string
	Steps       []Step
	Seconds     float64
}

// RefusedError is an unsafe or impossible rotation refused before anything changed.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

// StepError is an AWS call that failed during a step; What names the step for the message.
type StepError struct {
	What string
	Err  error
}

func (e *StepError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Run rotates the user's key into every destination, or finishes the rotation its store
// holds first.
func Run(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	r := &run{o: o, start: o.Now(), iam: o.IAM}
	r.stepAt = r.start
	r.res = Result{User: o.User}
	err := r.do(ctx)
	r.res.Seconds = o.Now().Sub(r.start).Seconds()
	return r.res, err
}

func (o *Options) defaults() {
	if o.Origin == "" {
		o.Origin = "rotate"
	}
	if o.Progress == nil {
		o.Progress = func(time.Duration, string) {}
	}
	if o.Failpoint == nil {
		o.Failpoint = func(string) {}
	}
	w := &o.Wait
	if w.Successes <= 0 {
		w.Successes = 3
	}
	if w.Interval <= 0 {
		w.Interval = 500 * time.Millisecond
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = time.Second
	}
	if w.Wait <= 0 {
		w.Wait = defaultWait
	}
}

type run struct {
	o      Options
	start  time.Time
	stepAt time.Time
	res    Result
	iam    IAM // o.IAM, then SignAfter's client once the new key is proven
	arn    string
	st     keys.Rotation
	// mine: st is this run's to clear (it wrote or resumed it).
	mine bool
	keys []keys.Key        // the user's keys as last listed, and the new one once made
	tags map[string]string // the user's tags as read at the start, kept as records change
	// tagsStale: a key change made through provenance.Do wrote records r.tags does not show.
	tagsStale bool
	secret    sink.Secret
	// stagedIn: the destinations that hold the new key in a pending slot, by name.
	stagedIn map[string]bool
}

func (r *run) destNames() []string {
	var n []string
	for _, s := range r.o.Sinks {
		n = append(n, s.String())
	}
	return n
}

func (r *run) say(format string, a ...any) {
	r.o.Progress(r.o.Now().Sub(r.start), fmt.Sprintf(format, a...))
}

func (r *run) warn(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	r.res.Warnings = append(r.res.Warnings, msg)
	r.o.Progress(r.o.Now().Sub(r.start), "warning: "+msg)
}

// step closes the timing of the step that just ended.
func (r *run) step(name string) {
	now := r.o.Now()
	r.res.Steps = append(r.res.Steps, Step{Name: name, Seconds: now.Sub(r.stepAt).Seconds()})
	r.stepAt = now
}

func (r *run) do(ctx context.Context) error {
	if err := r.read(ctx); err != nil {
		return err
	}
	tags := r.tags
	st, err := r.o.Store.Load(ctx, tags)
	if err != nil {
		return err
	}
	if st == nil && r.o.Token != "" {
		if done, err := r.doneByToken(ctx); done || err != nil {
			return err
		}
	}
	if st != nil {
		restart, err := r.resume(ctx, *st)
		if err != nil || !restart {
			return err
		}
	}
	return r.fresh(ctx)
}

// read learns the user's ARN, tags and keys: three reads that do not depend on each other, so
// they cost one round trip rather than three.
func (r *run) read(ctx context.Context) error {
	r.arn = r.o.UserARN
	var userErr, tagErr, keysErr error
	var wg sync.WaitGroup
	if r.arn == "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := r.iam.GetUser(ctx, &iam.GetUserInput{UserName: &r.o.User})
			if err != nil {
				userErr = &StepError{What: "read user " + r.o.User, Err: err}
				return
			}
			r.arn = aws.ToString(u.User.Arn)
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if r.tags, tagErr = inventory.ListTags(ctx, r.iam, r.o.User); tagErr != nil {
			tagErr = &StepError{What: "read the tags of " + r.o.User, Err: tagErr}
		}
	}()
	go func() {
		defer wg.Done()
		keysErr = r.list(ctx)
	}()
	wg.Wait()
	return firstErr(userErr, tagErr, keysErr)
}

// firstErr keeps the message one sentence: the first read that failed (they fail together,
// for the same reason, when the user does not exist or the caller may not read it).
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *run) list(ctx context.Context) error {
	ks, err := inventory.ListKeys(ctx, r.iam, r.o.User)
	if err != nil {
		return &StepError{What: "list the access keys of " + r.o.User, Err: err}
	}
	r.keys = ks
	return nil
}

func (r *run) key(id string) (keys.Key, bool) {
	for _, k := range r.keys {
		if k.AccessKeyID == id {
			return k, true
		}
	}
	return keys.Key{}, false
}

// save moves the rotation to phase p in its store: the one state every later run reads.
func (r *run) save(ctx context.Context, p keys.Phase) error {
	r.st.Phase = p
	if err := r.o.Store.Save(ctx, r.st); err != nil {
		return &StepError{What: fmt.Sprintf("record the rotation of %s (phase %s) in %s", r.o.User, p, r.o.Store), Err: err}
	}
	r.mine = true
	return nil
}

// clear removes the rotation's state once it is over, if it is still the one this run wrote
// or resumed: a concurrent run's is never removed.
func (r *run) clear(ctx context.Context) error {
	if !r.mine {
		return nil
	}
	gone, err := r.o.Store.Clear(ctx)
	if err != nil {
		return &StepError{What: fmt.Sprintf("remove the finished rotation's state from %s (run again)", r.o.Store), Err: err}
	}
	if !gone {
		r.say("the rotation state in %s is another run's now; it stays for that run (or a rerun) to finish", r.o.Store)
	}
	r.mine = false
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
