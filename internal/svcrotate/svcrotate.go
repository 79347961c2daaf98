package svcrotate

import (
	"context"
	"time"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/sink"
)

// Options configure the rotation of one user's key.
type Options struct {
	IAM     engine.IAM
	Connect func(sink.Secret) engine.STS // STS signed with the given key and nothing else
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
	Wait      engine.WaitOptions
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
	// that this run found rather than made (the token's rotation finished earlier); a caller
	// reporting a run that returned an error sets "refused" or "failed" and Error, its one
	// sentence.
	State       string        `json:"state"`
	AlreadyDone string        `json:"already_done,omitempty"`
	Error       string        `json:"error,omitempty"`
	OldKey      string        `json:"old_key"` // "inactive", "active", "absent" or "none"
	RetireAfter time.Time     `json:"retire_after,omitzero"`
	Delivered   time.Time     `json:"delivered,omitzero"`
	Resumed     bool          `json:"resumed"`
	Deleted     []string      `json:"deleted_keys,omitempty"`
	Warnings    []string      `json:"warnings,omitempty"`
	Steps       []engine.Step `json:"steps"`
	Seconds     float64       `json:"seconds"`
}

// Run rotates the user's key into every destination through the one rotation engine, with
// its state in a tag on the user and the admin signing every call.
func Run(ctx context.Context, o Options) (Result, error) {
	progress := func(time.Duration, string) {}
	if o.Progress != nil {
		progress = func(_ time.Duration, msg string) { o.Progress(msg) }
	}
	r, err := engine.Run(ctx, engine.Options{
		IAM: o.IAM, Connect: o.Connect, User: o.User, UserARN: o.UserARN,
		Store: engine.TagStore(o.IAM, o.User), Sinks: o.Sinks, Grace: o.Grace,
		MakeRoom: o.MakeRoom, Force: o.Force, SelfKeyID: o.SelfKeyID, Origin: o.Origin,
		Token: o.Token, StopAfterStage: o.StopAfterStage, Wait: o.Wait, Now: o.Now,
		Progress: progress, Failpoint: o.Failpoint,
	})
	res := Result{User: o.User, OldKeyID: r.OldKeyID, NewKeyID: r.NewKeyID, State: r.State,
		AlreadyDone: r.AlreadyDone, OldKey: r.OldKey, RetireAfter: r.RetireAfter, Delivered: r.Delivered,
		Resumed: r.Resumed, Deleted: r.Deleted, Warnings: r.Warnings, Steps: r.Steps, Seconds: r.Seconds}
	for _, s := range o.Sinks {
		res.Destinations = append(res.Destinations, s.String())
	}
	return res, err
}
