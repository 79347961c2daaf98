package svcrotate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/internal/sink"
)

// IAM is the part of the IAM API a service rotation uses, signed as an admin: the same calls
// as self-rotation's.
type IAM = rotate.IAM

// UsageLag is how late IAM may record a key's last use: an old key is judged unused only once
// this long has passed since delivery.
const UsageLag = keys.UsageLag

// Options configure the rotation of one user's key.
type Options struct {
	IAM     IAM
	Connect func(sink.Secret) rotate.STS // STS signed with the given key and nothing else
	User    string
	// UserARN, when the caller just read the user, saves reading it again (iam:GetUser).
	UserARN  string
	Sinks    []sink.Sink
	Grace    time.Duration
	MakeRoom bool // delete an inactive second key to make room
	Force    bool // deactivate the old key after the grace even if a consumer still uses it
	// SelfKeyID is the key keywarden signs with: never the one retired.
	SelfKeyID string
	Origin    string // provenance origin, default "rotate"
	Wait      rotate.WaitOptions
	Now       func() time.Time
	Progress  func(msg string)
	Failpoint func(name string)
	// Token is the rotation's request token (--client-request-token, or a rule run's
	// job:NAME@FIRETIME): a run with the token of a rotation that finished reports it done
	// and changes nothing. "" is none.
	Token string
	// StopAfterStage ends the run once the new key is created and staged (Result.State
	// "staged"), leaving the rotation in its creating phase: Secrets Manager's createSecret
	// step. A later run without it verifies, delivers and retires from there.
	StopAfterStage bool
}

// Result is what one run did for one user.
type Result struct {
	User         string   `json:"user"`
	OldKeyID     string   `json:"old_access_key_id,omitempty"`
	NewKeyID     string   `json:"new_access_key_id,omitempty"`
	Destinations []string `json:"destinations"`
	// State: "done" (old key retired or none), "grace" (old key active until RetireAfter),
	// "in-use" (grace over, but a consumer used the old key since delivery), or "staged"
	// (StopAfterStage: created and staged, nothing delivered); AlreadyDone is set on a "done"
	// that this run found rather than made (the token's rotation finished earlier), or "staged"
	// (StopAfterStage: created and staged, nothing delivered); a caller reporting a run that
	// returned an error sets "refused" or "failed" and Error, its one sentence.
	State       string        `json:"state"`
	AlreadyDone string        `json:"already_done,omitempty"`
	Error       string        `json:"error,omitempty"`
	OldKey      string        `json:"old_key"` // "inactive", "active", "absent" or "none"
	RetireAfter time.Time     `json:"retire_after,omitzero"`
	Delivered   time.Time     `json:"delivered,omitzero"`
	Resumed     bool          `json:"resumed"`
	Deleted     []string      `json:"deleted_keys,omitempty"`
	Warnings    []string      `json:"warnings,omitempty"`
	Steps       []rotate.Step `json:"steps"`
	Seconds     float64       `json:"seconds"`
}

// RefusedError and StepError are self-rotation's: one refusal and one failed step, whichever
// kind of rotation, so a caller tells them apart once.
type (
	RefusedError = rotate.RefusedError
	StepError    = rotate.StepError
)

// Run rotates the user's key into every destination, or finishes a rotation in progress.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Origin == "" {
		o.Origin = "rotate"
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	if o.Failpoint == nil {
		o.Failpoint = func(string) {}
	}
	r := &run{o: o, start: o.Now()}
	r.stepAt = r.start
	r.res = Result{User: o.User, Destinations: r.destNames()}
	err := r.do(ctx)
	r.res.Seconds = o.Now().Sub(r.start).Seconds()
	return r.res, err
}

type run struct {
	o      Options
	start  time.Time
	stepAt time.Time
	res    Result
	arn    string
	st     State
	keys   []keys.Key        // the user's keys as last listed, and the new one once made
	tags   map[string]string // the user's tags as read at the start, kept as the state tag changes
	secret sink.Secret
	// stagedAny: a destination holds the new key in a pending slot (Stage said so).
	stagedAny bool
	stagedIn  map[string]bool // the destinations that staged it, by name
}

func (r *run) destNames() []string {
	var n []string
	for _, s := range r.o.Sinks {
		n = append(n, s.String())
	}
	return n
}

func (r *run) say(format string, a ...any) { r.o.Progress(fmt.Sprintf(format, a...)) }

func (r *run) warn(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	r.res.Warnings = append(r.res.Warnings, msg)
	r.o.Progress("warning: " + msg)
}

func (r *run) step(name string) {
	now := r.o.Now()
	r.res.Steps = append(r.res.Steps, rotate.Step{Name: name, Seconds: now.Sub(r.stepAt).Seconds()})
	r.stepAt = now
}

func (r *run) do(ctx context.Context) error {
	r.arn = r.o.UserARN
	if r.arn == "" {
		u, err := r.o.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &r.o.User})
		if err != nil {
			return &StepError{What: "read user " + r.o.User, Err: err}
		}
		r.arn = aws.ToString(u.User.Arn)
	}
	tags, err := inventory.ListTags(ctx, r.o.IAM, r.o.User)
	if err != nil {
		return &StepError{What: "read the tags of " + r.o.User, Err: err}
	}
	r.tags = tags
	if err := r.list(ctx); err != nil {
		return err
	}
	v, ok := tags[StateTag]
	if !ok && r.o.Token != "" && r.doneByToken() {
		return nil
	}
	if ok {
		st, err := ParseState(v)
		if err != nil {
			return &RefusedError{Msg: fmt.Sprintf("user %s has a %s tag keywarden cannot read (%v); remove it after checking the user's keys", r.o.User, StateTag, err)}
		}
		restart, err := r.resume(ctx, st)
		if err != nil || !restart {
			return err
		}
	}
	return r.fresh(ctx)
}

// doneByToken reports a rotation this run's token already finished: a key of the user whose
// creation record carries the token's digest. A CI rerun of a job killed after its last write
// hears "done", and nothing changes.
func (r *run) doneByToken() bool {
	q := keys.TokenDigest(r.o.Token)
	for _, k := range r.keys {
		rec, err := keys.ParseRecord(r.tags[keys.TagKey(k.AccessKeyID)])
		if err != nil || rec.Action != keys.ActionCreated || rec.Token != q {
			continue
		}
		r.res.NewKeyID, r.res.State, r.res.OldKey = k.AccessKeyID, "done", "none"
		for _, o := range r.keys {
			if o.AccessKeyID != k.AccessKeyID {
				r.res.OldKeyID, r.res.OldKey = o.AccessKeyID, strings.ToLower(string(o.Status))
			}
		}
		r.res.AlreadyDone = fmt.Sprintf("already done by this token: %s was created for it at %s by %s", k.AccessKeyID, rec.Time.UTC().Format(time.RFC3339), rec.Origin)
		r.say("%s", r.res.AlreadyDone)
		return true
	}
	return false
}

func (r *run) list(ctx context.Context) error {
	ks, err := inventory.ListKeys(ctx, r.o.IAM, r.o.User)
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

// save writes the rotation state on the user: the one record every later run reads.
func (r *run) save(ctx context.Context, p Phase) error {
	r.st.Phase = p
	k, v := StateTag, r.st.String()
	if _, err := r.o.IAM.TagUser(ctx, &iam.TagUserInput{UserName: &r.o.User, Tags: []iamTag{{Key: &k, Value: &v}}}); err != nil {
		return &StepError{What: fmt.Sprintf("record the rotation of %s (phase %s) on the user", r.o.User, p), Err: err}
	}
	r.tags[k] = v
	return nil
}

// clear removes the rotation's record once it is over, if it is still the one this run wrote
// or resumed: a concurrent run's record is never removed (IAM has no conditional untag, so the
// value is read again just before).
func (r *run) clear(ctx context.Context) error {
	mine, ok := r.tags[StateTag]
	if !ok {
		return nil
	}
	now, err := inventory.ListTags(ctx, r.o.IAM, r.o.User)
	if err != nil {
		return &StepError{What: fmt.Sprintf("read the %s tag of %s before removing it (run again)", StateTag, r.o.User), Err: err}
	}
	if v, ok := now[StateTag]; ok && v != mine {
		r.say("the rotation record on %s is another run's now; it stays for that run (or a rerun) to finish", r.o.User)
		delete(r.tags, StateTag)
		return nil
	}
	if _, err := r.o.IAM.UntagUser(ctx, &iam.UntagUserInput{UserName: &r.o.User, TagKeys: []string{StateTag}}); err != nil {
		return &StepError{What: fmt.Sprintf("remove the finished rotation's %s tag from %s (run again)", StateTag, r.o.User), Err: err}
	}
	delete(r.tags, StateTag)
	return nil
}

// runID names one run in the records it writes.
func runID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
