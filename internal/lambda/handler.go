// Package lambda is keywarden's AWS Lambda entry point: the same binary, deployed as bootstrap
// on provided.al2023, runs one job of keywarden.yaml per invocation (or, with the seed's two
// environment variables and no config, deactivates that one key). A job runs through
// jobs.RunJobs, in every account of the config's accounts: section, as the CLI and the daemon
// run it. With keywarden.yaml's incident: block, AWS Health's and GuardDuty's events about a
// leaked key get keywarden respond's response (trigger.go, respond.go).
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/sink"
	"github.com/keywarden/keywarden/internal/svcrotate"
)

// SeedOrigin is the provenance origin of a seed-mode deactivation.
const SeedOrigin = "lambda"

// Handler serves invocations. Every field but SSM is required.
type Handler struct {
	// AWS is the function's own config: its IAM in its account, its STS and Organizations for
	// the member accounts; its credentials name the key the self-lockout guard protects.
	AWS    aws.Config
	SSM    SSM
	Getenv func(string) string
	Now    func() time.Time
	// Sleep waits between retries of a notice and between STS checks of a new key (rotate
	// rules, the rotation function); nil sends each notice once.
	Sleep func(context.Context, time.Duration) error
	// Sender, if set, replaces the notify: block's channels (tests).
	Sender jobs.Sender
	Log    *slog.Logger
}

// Result is what an invocation returns to Lambda: every key acted on and how it went.
type Result struct {
	Job    string        `json:"job,omitempty"`
	Mode   string        `json:"mode"` // "config", "seed", "incident" or "secretsmanager-rotation"
	DryRun bool          `json:"dry_run,omitempty"`
	At     time.Time     `json:"at"`
	Keys   []jobs.Result `json:"keys"`
	// Accounts that failed as a whole (role not assumed, reads denied), one reason each.
	FailedAccounts []jobs.Failure `json:"failed_accounts,omitempty"`
	// Batch are the accounts an event's batch ran; Excluded those of it the config excludes.
	Batch     []string `json:"batch,omitempty"`
	Excluded  []string `json:"excluded,omitempty"`
	Changed   int      `json:"changed"`
	Unchanged int      `json:"unchanged"`
	Failed    int      `json:"failed"`
	// A Secrets Manager rotation step: which, of which secret, and what the rotation did.
	Step     string            `json:"step,omitempty"`
	Secret   string            `json:"secret,omitempty"`
	Rotation *svcrotate.Result `json:"rotation,omitempty"`
	// Warnings are what a curfew's warning run ({"warn": true}) told the owners of.
	Warnings []policy.Warning `json:"warnings,omitempty"`
	// An incident (mode "incident"): the AWS event that started it and the response to each
	// key it names.
	Trigger   *Trigger          `json:"trigger,omitempty"`
	Responses []incident.Report `json:"responses,omitempty"`
}

// Invoke implements aws-lambda-go's Handler, so a payload that is not JSON gets this package's
// message rather than the library's.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r, err := h.Handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// Handle runs one invocation. Nothing changes unless the event and the config are both good.
// A run in which any key failed returns an error naming those keys, so Lambda counts it as
// failed and alarms can see it; the per-key log lines hold the rest.
func (h *Handler) Handle(ctx context.Context, payload []byte) (Result, error) {
	start := h.Now()
	log := h.Log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	r, err := h.handle(ctx, payload, start, log)
	attrs := []any{"mode", r.Mode, "job", r.Job, "dry_run", r.DryRun, "keys", len(r.Keys),
		"changed", r.Changed, "unchanged", r.Unchanged, "failed", r.Failed,
		"duration_ms", h.Now().Sub(start).Milliseconds()}
	if err != nil {
		log.Error("run failed", append(attrs, "error", err.Error())...)
		return r, err
	}
	log.Info("run", attrs...)
	return r, nil
}

func (h *Handler) handle(ctx context.Context, payload []byte, now time.Time, log *slog.Logger) (Result, error) {
	r := Result{At: now.UTC(), Keys: []jobs.Result{}}
	if ev, ok, err := parseRotationEvent(payload); ok {
		if err != nil {
			return r, err
		}
		return h.rotateSecret(ctx, r, ev, log)
	}
	src, err := LoadSource(ctx, h.Getenv, h.SSM)
	if err != nil {
		return r, err
	}
	// An AWS event about a leaked key; seed mode's schedule sends scheduled events, which
	// are no incident and go on to the seed.
	var fe *ForeignError
	if tr, ok, err := ParseTrigger(payload); ok && !(src.Seed != nil && errors.As(err, &fe)) {
		r.Mode = "incident"
		if err != nil {
			return r, err
		}
		return h.respond(ctx, r, &src, tr, now, log)
	}
	ev, err := ParseEvent(payload, src.Seed == nil)
	if err != nil {
		return r, err
	}
	r.DryRun = ev.DryRun
	opts := apply.Options{DryRun: ev.DryRun, Now: h.Now}
	if src.Seed != nil {
		r.Mode = "seed"
		opts.SelfKeyID, _ = awsconfig.SignedWith(ctx, h.AWS)
		opts.OnResult = func(a apply.Result) { jobs.LogKey(log, jobs.Result{Result: a}) }
		return h.seed(ctx, r, *src.Seed, opts)
	}
	r.Mode = "config"
	if ev.Job == "" {
		return r, fmt.Errorf("the event names no job; want %s with one of: %s", ExampleEvent, strings.Join(src.Config.JobNames(), ", "))
	}
	r.Job = ev.Job
	if _, ok := src.Config.Job(ev.Job); !ok {
		return r, fmt.Errorf("unknown job %q in %s; jobs: %s", ev.Job, src.From, strings.Join(src.Config.JobNames(), ", "))
	}
	opts.Origin = keys.JobOrigin(ev.Job)
	accts, err := accounts.For(ctx, h.AWS, src.Config.Accounts)
	if err != nil {
		return r, fmt.Errorf("job %s: %w", ev.Job, err)
	}
	if ev.Accounts != nil {
		if accts, err = h.batch(accts, src, ev, &r, log); err != nil {
			return r, err
		}
	}
	jo := jobs.Options{Apply: opts, OnResult: func(a jobs.Result) { jobs.LogKey(log, a) }, Rotate: h.rotateOptions(log)}
	if a := src.Config.Accounts; a != nil {
		jo.Accounts = a.Concurrency
	}
	if ev.Warn {
		return h.warn(ctx, r, src.Config, ev, accts, now, jo, log)
	}
	jo.Rotate.FireTime, _ = FireTime(ev) // checked by ParseEvent; zero is RunJobs' now
	runs := jobs.RunJobs(ctx, accts, src.Config, []string{ev.Job}, now, jo)
	end := jobs.Finish(ev.Job, runs)
	end.Log(log)
	r.FailedAccounts = end.Failed
	r, err = finish(r, end.Results, false)
	if nerr := h.tell(ctx, src.Config, ev, runs, log); nerr != nil {
		err = errors.Join(err, nerr)
	}
	if aerr := end.AccountsErr(); aerr != nil {
		err = errors.Join(aerr, err)
	}
	return r, err
}

// tell sends the run's notices (never in a dry run, whose warnings would be remembered as
// sent); a channel that failed fails the invocation, but the key changes stand.
func (h *Handler) tell(ctx context.Context, cfg *policy.Config, ev contract.Event, runs []jobs.Run, log *slog.Logger) error {
	if cfg.Notify == nil || ev.DryRun {
		return nil
	}
	s := h.Sender
	if s == nil {
		s = notify.New(h.AWS, cfg.Notify, h.Sleep)
	}
	return jobs.TellLogged(ctx, log, runs, cfg.Notify, s, ev.Job)
}

// seed does what the seed's handler does, iam.AccessKey(user, id).deactivate(), through apply:
// checked first, recorded as provenance, and "unchanged" when the key is already inactive.
func (h *Handler) seed(ctx context.Context, r Result, t SeedTarget, opts apply.Options) (Result, error) {
	opts.Origin = SeedOrigin
	a := policy.Action{Kind: policy.Deactivate, User: t.User, AccessKeyID: t.AccessKeyID,
		Reason: contract.EnvSeedKey + " of the function"}
	var rs []jobs.Result
	for _, x := range apply.Apply(ctx, clients.IAM(h.AWS), []policy.Action{a}, opts) {
		rs = append(rs, jobs.Result{Result: x})
	}
	return finish(r, rs, true)
}

// finish counts outcomes. In seed mode a key that does not exist is an error, as it is for the
// seed's boto3 call: the function is configured for that one key.
func finish(r Result, rs []jobs.Result, seed bool) (Result, error) {
	r.Keys = append(r.Keys, rs...)
	var bad []string
	for _, k := range rs {
		switch {
		case jobs.Bad(k) || seed && k.Outcome == apply.Skipped:
			r.Failed++
			where := ""
			if k.Account != "" {
				where = " in " + k.Account
			}
			bad = append(bad, fmt.Sprintf("%s %s of %s%s: %s", k.Action, k.AccessKeyID, k.User, where, k.Reason))
		case k.Changed():
			r.Changed++
		default:
			r.Unchanged++
		}
	}
	if len(bad) > 0 {
		return r, fmt.Errorf("%d of %d actions failed: %s", len(bad), len(rs), strings.Join(bad, "; "))
	}
	return r, nil
}

// rotateOptions are what rotate rules need here: the sleeper for STS checks, the log for
// progress, and where a CI system's API is (its token only by reference). There is no local
// program or credentials file to deliver to in Lambda, so exec: and profile: destinations are
// refused by name.
func (h *Handler) rotateOptions(log *slog.Logger) jobs.RotateOptions {
	var api []string
	for _, k := range sink.APIVars {
		if v := h.Getenv(k); v != "" {
			api = append(api, k+"="+v)
		}
	}
	return jobs.RotateOptions{
		Wait: 2 * time.Minute, Sleep: h.Sleep, ExecEnv: api,
		Progress: func(user, msg string) { log.Info("rotation", "user", user, "step", msg) },
	}
}
