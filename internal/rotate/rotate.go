package rotate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/sink"
)

// IAM is the part of the IAM API a rotation uses (inventory.IAM for listing keys).
type IAM interface {
	inventory.IAM
	CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

// STS is the part of the STS API a rotation uses.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Credentials is a static access key: the same type a service rotation delivers, so printing
// it never shows the secret there either.
type Credentials = sink.Secret

// Clients are IAM and STS clients signed with one key.
type Clients struct {
	IAM IAM
	STS STS
}

// Retire is what happens to the old key once the new one works.
type Retire string

const (
	RetireDelete     Retire = "delete"
	RetireDeactivate Retire = "deactivate"
)

// Options configure one rotation.
type Options struct {
	CredentialsFile string
	ConfigFile      string // read only to classify the profile; may not exist
	Profile         string
	Retire          Retire
	MakeRoom        bool          // delete an inactive second key to make room for the new one
	Wait            time.Duration // how long to wait for the new key to work and the old to die
	Successes       int           // consecutive successes that prove the new key (default 3)
	Interval        time.Duration // first backoff, and the gap between successes (default 500ms)
	MaxBackoff      time.Duration // default 5s

	// Connect returns clients signed with c (and nothing else: no profile, no environment).
	Connect func(c Credentials) Clients
	// Probe, if set, runs the user's own check with the new key; an error rolls back.
	Probe func(ctx context.Context, c Credentials) error
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Progress receives each step as it happens, with the time since the run started.
	Progress func(elapsed time.Duration, msg string)
	// Failpoint is called with a step name at each crash-test point (tests end the process there).
	Failpoint func(name string)
	Origin    string // provenance origin, default "rotate"
	// Token is the rotation's request token (--client-request-token): a run whose profile
	// holds the key this token's rotation created reports it done and changes nothing.
	Token string

	dest sink.Sink // tests make the profile's writes fail; nil is the profile: sink
}

// Step is how long one step took.
type Step struct {
	Name    string  `json:"step"`
	Seconds float64 `json:"seconds"`
}

// Result is what a finished rotation did.
type Result struct {
	Profile  string `json:"profile"`
	User     string `json:"user"`
	OldKeyID string `json:"old_access_key_id"`
	NewKeyID string `json:"new_access_key_id"`
	Retire   Retire `json:"retire"`
	// State is "done" when the profile holds a new key that works and the old one is retired.
	State string `json:"state"`
	// AlreadyDone says the rotation was finished by an earlier run with the same token: this
	// run changed nothing.
	AlreadyDone string `json:"already_done,omitempty"`
	// OldKey says what became of the old key: "rejected" (STS refused it), "absent" (IAM no longer
	// lists it; checked when its secret was not at hand), "inactive", or "still-accepted".
	OldKey   string   `json:"old_key"`
	Resumed  bool     `json:"resumed"`
	Deleted  []string `json:"deleted_keys,omitempty"` // made room, or orphans of an interrupted create
	Warnings []string `json:"warnings,omitempty"`
	Steps    []Step   `json:"steps"`
	Seconds  float64  `json:"seconds"`
}

// RefusedError is an unsafe or impossible rotation refused before anything changed.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

// RolledBackError says the rotation was undone: the new key is deleted and the old key is back
// in the credentials file.
type RolledBackError struct {
	NewKeyID string
	Reason   error
}

func (e *RolledBackError) Error() string {
	return fmt.Sprintf("rolled back: %v; deleted the new key %s and restored the old key in the credentials file", e.Reason, e.NewKeyID)
}
func (e *RolledBackError) Unwrap() error { return e.Reason }

// StepError is an AWS call that failed during a step; What names the step for the message.
type StepError struct {
	What string
	Err  error
}

func (e *StepError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Run rotates the profile's key, or finishes or undoes an interrupted rotation first.
func Run(ctx context.Context, opts Options) (Result, error) {
	target, err := credfile.Resolve(opts.CredentialsFile)
	if err != nil {
		return Result{}, err
	}
	r := &run{opts: opts, start: opts.Now(), jpath: JournalPath(target), dest: opts.dest}
	if r.dest == nil {
		r.dest = &sink.Profile{Name: opts.Profile, File: opts.CredentialsFile}
	}
	r.defaults()
	// A rotation that is refused at once (no file, no such profile, a session token) leaves
	// nothing on disk: the lock is taken only once there is something to rotate.
	if err := r.precheck(); err != nil {
		return Result{}, err
	}
	unlock, err := lock(LockPath(target), target)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	// Under the lock no other keywarden writes these files, so a temporary file beside them is
	// a copy a killed run left: it holds secrets, so it goes now.
	for _, p := range []string{target, r.jpath} {
		removed, err := credfile.RemoveStaleTemps(p)
		if err != nil {
			return Result{}, err
		}
		for _, f := range removed {
			r.say("removed %s, left by a rotation killed while writing", f)
		}
	}
	r.res = Result{Profile: opts.Profile, Retire: opts.Retire}
	err = r.do(ctx)
	r.res.Seconds = r.since(r.start).Seconds()
	return r.res, err
}

type run struct {
	opts  Options
	start time.Time
	jpath string
	// dest is where the key lives: self-rotation is a service rotation to the profile: sink.
	dest sink.Sink
	res  Result
	j    *Journal
	user string
	arn  string
	// old and new are the keys in play; a secret is empty when it is not at hand (resumed run).
	old, new Credentials
	stepAt   time.Time
}

func (r *run) defaults() {
	o := &r.opts
	if o.Retire == "" {
		o.Retire = RetireDelete
	}
	if o.Successes <= 0 {
		o.Successes = 3
	}
	if o.Interval <= 0 {
		o.Interval = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.Wait <= 0 {
		o.Wait = 2 * time.Minute
	}
	if o.Origin == "" {
		o.Origin = "rotate"
	}
	if o.Progress == nil {
		o.Progress = func(time.Duration, string) {}
	}
	if o.Failpoint == nil {
		o.Failpoint = func(string) {}
	}
	r.stepAt = r.start
}

func (r *run) since(t time.Time) time.Duration { return r.opts.Now().Sub(t) }

func (r *run) say(format string, a ...any) {
	r.opts.Progress(r.since(r.start), fmt.Sprintf(format, a...))
}

func (r *run) warn(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	r.res.Warnings = append(r.res.Warnings, msg)
	r.opts.Progress(r.since(r.start), "warning: "+msg)
}

// step closes the timing of the step that just ended.
func (r *run) step(name string) {
	now := r.opts.Now()
	r.res.Steps = append(r.res.Steps, Step{Name: name, Seconds: now.Sub(r.stepAt).Seconds()})
	r.stepAt = now
}

// precheck refuses, reading only, what do would refuse before changing anything.
func (r *run) precheck() error {
	creds, err := credfile.Load(r.opts.CredentialsFile)
	if err != nil {
		return err
	}
	j, err := ReadJournal(r.jpath)
	if err != nil || j != nil {
		return err // an interrupted rotation is judged under the lock
	}
	_, err = r.classify(creds)
	return err
}

func (r *run) do(ctx context.Context) error {
	creds, err := credfile.Load(r.opts.CredentialsFile)
	if err != nil {
		return err
	}
	j, err := ReadJournal(r.jpath)
	if err != nil {
		return err
	}
	if j != nil {
		if j.Profile != r.opts.Profile {
			return &RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q in %s is pending; finish it first with \"keywarden rotate --profile %s\"", j.Profile, r.opts.CredentialsFile, j.Profile)}
		}
		restart, err := r.resume(ctx, creds, j)
		if err != nil || !restart {
			return err
		}
		if creds, err = credfile.Load(r.opts.CredentialsFile); err != nil {
			return err
		}
	}
	return r.fresh(ctx, creds)
}

// classify refuses anything but a static key in the credentials file.
func (r *run) classify(creds *credfile.File) (credfile.Profile, error) {
	var cfg *credfile.File
	if r.opts.ConfigFile != "" {
		c, err := credfile.LoadConfig(r.opts.ConfigFile)
		switch {
		case err == nil:
			cfg = c
		case !isNotExist(err):
			return credfile.Profile{}, err
		}
	}
	if _, err := credfile.Classify(creds, cfg, r.opts.Profile); err != nil {
		return credfile.Profile{}, err
	}
	p, _ := creds.Profile(r.opts.Profile)
	return p, nil
}

// userName returns the user name of an IAM user ARN (arn:aws:iam::123:user/path/name).
func userName(arn string) (string, bool) {
	_, rest, ok := strings.Cut(arn, ":user/")
	if !ok || rest == "" {
		return "", false
	}
	return rest[strings.LastIndex(rest, "/")+1:], true
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
