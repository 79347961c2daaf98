// Package apply acts on a plan. Each action re-reads the key right before changing it
// (check-then-act), so a plan made a minute ago cannot undo what a person did since; an action
// whose effect is already in place reports "unchanged". Every change is recorded on the user
// through internal/provenance: an intent before the call, settled from what IAM shows after it.
package apply

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
)

// IAM is the part of the IAM API apply uses.
type IAM interface {
	inventory.IAM
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

// Options say on whose behalf and how carefully to act.
type Options struct {
	// Origin names the command or job in provenance records, e.g. "deactivate" or "job:curfew".
	Origin string
	// SelfKeyID is the access key keywarden is signed with; it is never deactivated or deleted
	// unless AllowSelf.
	SelfKeyID string
	AllowSelf bool
	// Force lets activate re-enable keys keywarden did not deactivate.
	Force  bool
	DryRun bool
	Now    func() time.Time
	// Concurrency bounds the users acted on at once (default 4). Actions on one user run in order.
	Concurrency int
	// OnResult, if set, sees each result as it happens (for progress on stderr).
	OnResult func(Result)
}

// Outcomes.
const (
	Deactivated = "deactivated"
	Activated   = "activated"
	Deleted     = "deleted"
	Unchanged   = "unchanged"
	Skipped     = "skipped"
	Refused     = "refused"
	Failed      = "failed"
	Reported    = "reported"
	WouldPrefix = "would "
)

// Result is what happened to one action's key.
type Result struct {
	User        string      `json:"user"`
	AccessKeyID string      `json:"access_key_id"`
	Action      policy.Kind `json:"action"`
	Outcome     string      `json:"outcome"`
	Reason      string      `json:"reason,omitempty"`
	Job         string      `json:"job,omitempty"`
	// Record, when set, says the provenance record is not what the outcome would have it be
	// (say, a change made whose record stays pending), and what it is instead.
	Record string `json:"record,omitempty"`
	Err    error  `json:"-"`
}

// Changed reports whether the result changed (or, in a dry run, would change) AWS.
func (r Result) Changed() bool {
	switch r.Outcome {
	case Deactivated, Activated, Deleted:
		return true
	}
	return len(r.Outcome) > len(WouldPrefix) && r.Outcome[:len(WouldPrefix)] == WouldPrefix
}

// Apply executes actions and returns one result per action, in the order given. A failure of
// one action does not stop the others: in a daemon one bad key must not end the job.
func Apply(ctx context.Context, c IAM, actions []policy.Action, opts Options) []Result {
	if opts.Now == nil {
		panic("apply: Options.Now is required")
	}
	n := opts.Concurrency
	if n <= 0 {
		n = 4
	}
	byUser := map[string][]int{}
	var users []string
	for i, a := range actions {
		if _, ok := byUser[a.User]; !ok {
			users = append(users, a.User)
		}
		byUser[a.User] = append(byUser[a.User], i)
	}
	sort.Strings(users)
	results := make([]Result, len(actions))
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, n)
	for _, u := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func(idx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			for _, i := range idx {
				r := one(ctx, c, actions[i], opts)
				results[i] = r
				if opts.OnResult != nil {
					mu.Lock()
					opts.OnResult(r)
					mu.Unlock()
				}
			}
		}(byUser[u])
	}
	wg.Wait()
	return results
}

func one(ctx context.Context, c IAM, a policy.Action, opts Options) Result {
	r := Result{User: a.User, AccessKeyID: a.AccessKeyID, Action: a.Kind, Job: a.Job, Reason: a.Reason}
	if a.Kind == policy.Report {
		r.Outcome = Reported
		return r
	}
	if err := ctx.Err(); err != nil {
		return failed(r, "stopped before acting", err)
	}
	// A dry run of a deactivation or deletion writes no record, so it needs no tags.
	var tr *tagsRead
	if a.Kind == policy.Activate || !opts.DryRun && (a.Kind == policy.Deactivate || a.Kind == policy.Delete) {
		tr = readTags(ctx, c, a.User)
		defer tr.stop()
	}
	ks, err := inventory.ListKeys(ctx, c, a.User)
	if err != nil {
		return failed(r, "re-read keys of "+a.User, err)
	}
	k, found := findKey(ks, a.AccessKeyID)
	slog.Debug("re-read key before acting", "user", a.User, "access_key_id", a.AccessKeyID, "found", found, "status", k.Status, "action", a.Kind)
	if !found {
		if a.Kind == policy.Delete {
			return done(r, Unchanged, "already deleted")
		}
		return done(r, Skipped, "key no longer exists")
	}
	self := opts.SelfKeyID != "" && a.AccessKeyID == opts.SelfKeyID
	switch a.Kind {
	case policy.Deactivate:
		if k.Status == keys.Inactive {
			return done(r, Unchanged, "already inactive")
		}
		if self && !opts.AllowSelf {
			return done(r, Refused, "keywarden is signed with this key; deactivating it would lock you out (use --allow-self)")
		}
		return change(ctx, c, r, ks, tr, opts, keys.ActionDeactivated, Deactivated, func(ctx context.Context) error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &a.User, AccessKeyId: &a.AccessKeyID, Status: "Inactive"})
			return err
		})
	case policy.Activate:
		if k.Status == keys.Active {
			return done(r, Unchanged, "already active")
		}
		tags, err := tr.wait()
		if err != nil {
			return failed(r, "read provenance of "+a.User, err)
		}
		rec, ok, err := provenance.Settle(ctx, c, a.User, a.AccessKeyID, tags, ks, opts.Now())
		if err != nil {
			return failed(r, "settle the record of "+a.AccessKeyID, err)
		}
		if why := untrusted(rec, ok, a.AccessKeyID); why != "" && !opts.Force {
			return done(r, Skipped, why)
		}
		return change(ctx, c, r, ks, tr, opts, keys.ActionActivated, Activated, func(ctx context.Context) error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &a.User, AccessKeyId: &a.AccessKeyID, Status: "Active"})
			return err
		})
	case policy.Delete:
		if k.Status == keys.Active {
			return done(r, Skipped, "key is active; keywarden deletes only inactive keys (deactivate it first)")
		}
		if self && !opts.AllowSelf {
			return done(r, Refused, "keywarden is signed with this key; deleting it would lock you out (use --allow-self)")
		}
		return change(ctx, c, r, ks, tr, opts, keys.ActionDeleted, Deleted, func(ctx context.Context) error {
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &a.User, AccessKeyId: &a.AccessKeyID})
			return err
		})
	}
	return done(r, Failed, fmt.Sprintf("unknown action %q", a.Kind))
}

// change makes one change under the record protocol (internal/provenance) and says what IAM
// shows afterwards: a change whose answer was lost but which the re-read shows made is
// reported made; a record that could not be settled is named in the reason.
// tr is the read of the user's tags begun beside the keys' re-read; its failure fails the
// change as the record protocol's own read would.
func change(ctx context.Context, c IAM, r Result, ks []keys.Key, tr *tagsRead, opts Options, action, outcome string, do func(context.Context) error) Result {
	if opts.DryRun {
		return done(r, WouldPrefix+string(r.Action), r.Reason)
	}
	tags, tagsErr := tr.wait()
	origin := opts.Origin
	if r.Job != "" {
		origin = keys.JobOrigin(r.Job)
	}
	slog.Debug("change key", "user", r.User, "access_key_id", r.AccessKeyID, "action", r.Action)
	pr := provenance.Do(ctx, c, provenance.Change{
		User: r.User, KeyID: r.AccessKeyID, Action: action, Origin: origin, Now: opts.Now(),
		Tags: tags, TagsErr: tagsErr, Keys: ks, Recheck: true,
	}, do)
	what := fmt.Sprintf("%s %s of %s", r.Action, r.AccessKeyID, r.User)
	switch pr.Outcome {
	case provenance.Made:
		if pr.RecordErr != nil {
			r.Err, r.Record = pr.RecordErr, pr.RecordErr.Error()
		}
		if pr.Err != nil {
			return done(r, outcome, r.Reason+" (the answer was lost; the re-read shows it done)")
		}
		return done(r, outcome, r.Reason)
	case provenance.AlreadyDone:
		r = done(r, Unchanged, "already "+outcome+" by another run or a person a moment ago")
		if pr.RecordErr != nil {
			r.Err, r.Record = pr.RecordErr, pr.RecordErr.Error()
		}
		return r
	case provenance.Unknown:
		r = failed(r, what, pr.Err)
		r.Reason += "; whether IAM made the change is unknown: " + pr.RecordErr.Error()
		return r
	}
	r = failed(r, what, pr.Err)
	if pr.RecordErr != nil {
		r.Reason += "; nothing changed, but " + pr.RecordErr.Error()
	}
	return r
}

// untrusted says why activate may not act on the key's record, or "" if it may: only a
// settled record of keywarden's own deactivation is trusted, and never an incident's
// (DESIGN.md invariant 14).
func untrusted(rec keys.Record, ok bool, id string) string {
	switch {
	case !ok || rec.Action != keys.ActionDeactivated:
		return "not deactivated by keywarden (use --force)"
	case rec.Incident():
		// Checked before the state: an incident stays off whether or not its record settled.
		why := ""
		if rec.Reason != "" {
			why = " (" + rec.Reason + ")"
		}
		return fmt.Sprintf("deactivated as an incident on %s%s; it stays off until someone who knows the leak is dealt with re-enables it with --force",
			rec.Time.UTC().Format(time.RFC3339), why)
	case rec.State == keys.Pending:
		return fmt.Sprintf("keywarden's deactivation of %s at %s (%s) is unsettled: a run may still be making it, or one failed before it learnt the outcome; a run after %s settles it from the key's state (check who disabled the key, then use --force)",
			id, rec.Time.UTC().Format(time.RFC3339), rec.Origin, rec.Time.Add(provenance.InFlight).UTC().Format(time.RFC3339))
	case rec.State == keys.Unconfirmed:
		return fmt.Sprintf("keywarden tried to deactivate %s at %s (%s) but never learnt whether it did, so someone else may have disabled it; check who did, then use --force", id, rec.Time.UTC().Format(time.RFC3339), rec.Origin)
	}
	return ""
}

func findKey(ks []keys.Key, id string) (keys.Key, bool) {
	for _, k := range ks {
		if k.AccessKeyID == id {
			return k, true
		}
	}
	return keys.Key{}, false
}

func done(r Result, outcome, reason string) Result {
	r.Outcome, r.Reason = outcome, reason
	return r
}

func failed(r Result, what string, err error) Result {
	r.Outcome, r.Err, r.Reason = Failed, err, awserr.Message(what, err)
	return r
}
