package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/sink"
	"github.com/keywarden/keywarden/internal/svcrotate"
)

// Outcomes of rotation actions, beside apply's.
const (
	Rotated  = "rotated"  // a new key delivered everywhere (the old one retired, or in its grace)
	Finished = "finished" // a rotation in progress taken to its end, or as far as its grace allows
	Waiting  = "waiting"  // nothing changed: the old key is kept (grace, or a consumer on it)
)

// RotateOptions are what a rule's service rotations need beyond the account's session: the
// edge (CLI, daemon, Lambda) provides the sleeper and the local bits exec: and profile: use.
type RotateOptions struct {
	Wait            time.Duration // bound on the wait for STS to accept a new key
	Sleep           func(context.Context, time.Duration) error
	CredentialsFile string                         // profile:NAME without @FILE
	Split           func(string) ([]string, error) // exec: COMMAND into words
	ExecEnv         []string
	Out             io.Writer // exec: programs' output (secrets blotted out by sink)
	// Progress sees each step of each user's rotation, as rotate --user prints them.
	Progress  func(user, msg string)
	Failpoint func(name string) // crash tests only
	// FireTime is when the run's job fired (serve: the cron time; the Lambda: the event's
	// time; apply: the run's now). A rule's rotation uses job:NAME@FIRETIME as its token, so a
	// retried run of the same firing never rotates twice. Zero: RunJobs' now.
	FireTime time.Time
}

// RuleToken is a rule run's rotation token: the job and when it fired.
func RuleToken(job string, fired time.Time) string {
	if job == "" || fired.IsZero() {
		return ""
	}
	return keys.JobOrigin(job) + "@" + fired.UTC().Format(time.RFC3339)
}

// Changed reports whether the result changed AWS (or, in a dry run, would): a rotation's
// outcomes count beside apply's.
func (r Result) Changed() bool {
	return r.Outcome == Rotated || r.Outcome == Finished || r.Result.Changed()
}

func isRotation(k policy.Kind) bool {
	return k == policy.Rotate || k == policy.FinishRotation || k == policy.WaitRotation
}

// rotateAll runs the rotation actions of one account's plan through internal/svcrotate, one
// user at a time each, up to n users at once, in the order given. arns are the users' ARNs as
// the plan read them (a user svcrotate need not read again).
func rotateAll(ctx context.Context, s Session, acts []policy.Action, arns map[string]string, ao apply.Options, ro RotateOptions, n int, onResult func(apply.Result)) []apply.Result {
	out := make([]apply.Result, len(acts))
	if n <= 0 {
		n = 4
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, a := range acts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = rotateOne(ctx, s, a, arns[a.User], ao, ro)
			if onResult != nil {
				onResult(out[i])
			}
		}()
	}
	wg.Wait()
	return out
}

func rotateOne(ctx context.Context, s Session, a policy.Action, arn string, ao apply.Options, ro RotateOptions) apply.Result {
	r := apply.Result{User: a.User, AccessKeyID: a.AccessKeyID, Action: a.Kind, Job: a.Job, Reason: a.Reason}
	switch {
	case a.Kind == policy.WaitRotation:
		r.Outcome = Waiting
		return r
	case ao.DryRun:
		r.Outcome = apply.WouldPrefix + string(a.Kind)
		return r
	case a.Rotation == nil:
		r.Outcome, r.Reason = apply.Failed, "internal error: a rotation action without its destinations"
		return r
	}
	origin := ao.Origin
	if a.Job != "" {
		origin = keys.JobOrigin(a.Job)
	}
	res, err := Rotate(ctx, s, Rotation{User: a.User, UserARN: arn, Spec: *a.Rotation, Origin: origin, Job: a.Job, Token: RuleToken(a.Job, ro.FireTime)}, ao.Now, ro)
	return rotationResult(r, res, err)
}

// Rotation is one user's service rotation: whose key, where it goes, and on whose behalf.
type Rotation struct {
	User, UserARN string // UserARN "" reads it
	Spec          policy.RotateSpec
	Force         bool   // retire the old key even if a consumer used it since delivery
	Origin        string // provenance origin
	Job           string // names the job in a refusal of what this runner cannot do
	Token         string // the rotation's request token ("" none)
}

// Rotate runs one user's service rotation in s through internal/svcrotate, with the
// destinations built from the spec by internal/sink (each with its client, from s.Config) and
// the local ones from ro. rotate --user and the rotate rules of keywarden.yaml both run it.
func Rotate(ctx context.Context, s Session, r Rotation, now func() time.Time, ro RotateOptions) (svcrotate.Result, error) {
	env := sink.Env{User: r.User, Config: s.Config,
		KMSKeyID: r.Spec.KMSKeyID, CredentialsFile: ro.CredentialsFile, Split: ro.Split, ExecEnv: ro.ExecEnv, Out: ro.Out, Now: now}
	var sinks []sink.Sink
	for _, spec := range r.Spec.To {
		if ro.Split == nil && !sink.RunsInLambda(spec) {
			// ro.Split is nil only in the Lambda; template and deploy refuse the same rule.
			return svcrotate.Result{User: r.User}, &engine.RefusedError{Msg: (&sink.NotInLambdaError{Job: r.Job, Spec: spec}).Error()}
		}
		d, err := sink.Parse(spec, env)
		if err != nil {
			return svcrotate.Result{User: r.User}, &sink.InvalidError{Msg: err.Error()}
		}
		sinks = append(sinks, d)
	}
	progress := func(string) {}
	if ro.Progress != nil {
		progress = func(msg string) { ro.Progress(r.User, msg) }
	}
	return svcrotate.Run(ctx, svcrotate.Options{
		IAM: s.IAM, Connect: svcrotate.ConnectWith(s.Config), User: r.User, UserARN: r.UserARN, Sinks: sinks,
		Grace: r.Spec.Grace.Std(), MakeRoom: r.Spec.MakeRoom, Force: r.Force, SelfKeyID: s.SelfKeyID,
		Origin: r.Origin, Token: r.Token,
		Wait: engine.WaitOptions{Wait: ro.Wait, Sleep: ro.Sleep}, Now: now, Progress: progress, Failpoint: ro.Failpoint,
	})
}

// rotationResult words what svcrotate did as one result line.
func rotationResult(r apply.Result, res svcrotate.Result, err error) apply.Result {
	// What the command line would refuse (4) or call bad input (2) was refused here, not
	// failed: exitcode.Of is the one map that says which errors those are.
	switch c := exitcode.Of(err); {
	case c == exitcode.Refused, c == exitcode.Usage:
		r.Outcome, r.Reason, r.Err = apply.Refused, err.Error(), err
		return r
	case err != nil:
		r.Outcome, r.Reason, r.Err = apply.Failed, errorText(err), err
		return r
	}
	moved := fmt.Sprintf("%s -> %s in %s", dash(res.OldKeyID), dash(res.NewKeyID), strings.Join(res.Destinations, ", "))
	r.Outcome = Finished
	if r.Action == policy.Rotate {
		r.Outcome = Rotated
	}
	if res.AlreadyDone != "" {
		// This firing's rotation finished in an earlier try: nothing changed now.
		r.Outcome, r.Reason = apply.Unchanged, res.AlreadyDone
		return r
	}
	switch res.State {
	case "grace":
		r.Reason = fmt.Sprintf("%s; the old key stays active until %s", moved, res.RetireAfter.UTC().Format(time.RFC3339))
	case "in-use":
		r.Outcome, r.Reason = Waiting, strings.Join(res.Warnings, "; ")
	default:
		r.Reason = fmt.Sprintf("%s; old key %s", moved, res.OldKey)
	}
	return r
}

// errorText words a failed rotation as rotate --user does: the step, then what AWS said, read
// by awserr (so a denial names the action, even from an emulator whose errors the SDK cannot
// parse).
func errorText(err error) string {
	var se *engine.StepError
	var de *sink.Error
	switch {
	case errors.As(err, &se):
		return awserr.Message(se.What, se.Err)
	case errors.As(err, &de):
		return awserr.Message(de.Dest+": "+de.What, de.Err)
	}
	return err.Error()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
