package incident

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
	"github.com/keywarden/keywarden/internal/sink"
)

// IAM is what a response calls in the key's account: the rotation's calls and containment's.
type IAM interface {
	engine.IAM
	PutUserPolicy(context.Context, *iam.PutUserPolicyInput, ...func(*iam.Options)) (*iam.PutUserPolicyOutput, error)
	AttachUserPolicy(context.Context, *iam.AttachUserPolicyInput, ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
	GetPolicy(context.Context, *iam.GetPolicyInput, ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
}

// Deps are the key's account and what the response may use there.
type Deps struct {
	// Session is the key's account; its IAM client must also be an IAM (containment's calls).
	Session jobs.Session
	Account string // for the report and the notice; "" in the caller's own account
	// Config gives the rotate rules and notify: block; nil is neither.
	Config   *policy.Config
	Rotate   jobs.RotateOptions
	Sender   jobs.Sender // nil tells nobody
	Activity Activity    // nil: what the key did is not read
}

// Request is one response.
type Request struct {
	KeyID      string
	Reason     string
	Quarantine bool
	DryRun     bool
	Now        func() time.Time
}

// Step outcomes.
const (
	Done    = "done"
	Would   = "would"
	Skipped = "skipped"
	Failed  = "failed"
)

// Step is one step of the response: what it did (or would do), in one sentence.
type Step struct {
	Step    string `json:"step"` // deactivate, quarantine, replace, activity, tell
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
	// At is when the step was done, on the caller's clock: for the deactivation, how long a
	// leaked key stayed usable after the response began.
	At  time.Time `json:"at,omitzero"`
	Err error     `json:"-"`
}

// Report is what the response did, step by step, and what the owner and security were told.
type Report struct {
	Account  string          `json:"account,omitempty"`
	User     string          `json:"user"`
	KeyID    string          `json:"access_key_id"`
	Reason   string          `json:"reason,omitempty"`
	Record   string          `json:"record,omitempty"` // the incident record as written (or to be)
	DryRun   bool            `json:"dry_run"`
	Steps    []Step          `json:"steps"`
	Activity *Use            `json:"activity,omitempty"`
	Notices  []notify.Digest `json:"notices"`
}

// Failed reports whether a step failed.
func (r Report) Failed() bool {
	for _, s := range r.Steps {
		if s.Outcome == Failed {
			return true
		}
	}
	return false
}

// RefusedError is a response keywarden will not make; nothing was changed.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

// Respond runs the response to a leaked key. An error is returned only when nothing was
// changed (an unknown key, a read that failed before the first step, a refusal); after that,
// every step's failure is in the report.
func Respond(ctx context.Context, d Deps, req Request) (Report, error) {
	c, ok := d.Session.IAM.(IAM)
	if !ok {
		return Report{}, errors.New("incident: the session's IAM client cannot attach policies")
	}
	rep := Report{Account: d.Account, KeyID: req.KeyID, Reason: req.Reason, DryRun: req.DryRun, Notices: []notify.Digest{}}
	owner, err := inventory.Owner(ctx, c, req.KeyID)
	if err != nil {
		return rep, err
	}
	rep.User = owner
	if req.KeyID == d.Session.SelfKeyID {
		return rep, &RefusedError{Msg: fmt.Sprintf("keywarden is signed with %s, the key to respond to; run respond signed as another identity (--profile) so the leaked key can be deactivated", req.KeyID)}
	}
	ks, err := inventory.ListKeys(ctx, c, owner)
	if err != nil {
		return rep, fmt.Errorf("list the access keys of %s: %w", owner, err)
	}
	// The record protocol reads the tags before writing its intent (was=); the same read
	// gives the owner and the rules' tag selection, kept up to date with what this run writes.
	tags, err := inventory.ListTags(ctx, c, owner)
	if err != nil {
		return rep, fmt.Errorf("read the tags of %s: %w", owner, err)
	}
	// The key goes off first, on the fewest calls; the user's ARN and path are read after.
	deact := deactivate(ctx, c, owner, ks, tags, req, &rep)
	us, err := inventory.Users(ctx, c, inventory.Options{Users: []string{owner}})
	if err == nil && len(us) != 1 {
		err = &inventory.UnknownUserError{Name: owner}
	}
	if err == nil && !req.DryRun && (deact.Outcome != Done || deact.Err != nil) {
		// What the deactivation left is unknown to this run: read the user again.
		us[0].Keys, err = inventory.ListKeys(ctx, c, owner)
		if err == nil {
			tags, err = inventory.ListTags(ctx, c, owner)
		}
	}
	if err != nil {
		rep.Steps = append(rep.Steps, Step{Step: "read", Outcome: Failed, Err: err, Detail: awserr.Message("read user "+owner+" (no further step is taken)", err)})
		return rep, nil
	}
	u := us[0]
	u.Tags = tags
	if u.Keys == nil {
		u.Keys = ks
	}

	if req.Quarantine {
		rep.Steps = append(rep.Steps, quarantine(ctx, c, u, req.DryRun))
	}
	rep.Steps = append(rep.Steps, replace(ctx, d, u, req, deact))
	if d.Activity != nil {
		use, err := d.Activity.Of(ctx, u.Name, req.KeyID)
		if err != nil {
			rep.Steps = append(rep.Steps, Step{Step: "activity", Outcome: Failed, Err: err, Detail: awserr.Message("read what "+req.KeyID+" did", err)})
		} else {
			rep.Activity = &use
		}
	}
	rep.Steps = append(rep.Steps, tell(ctx, d, u, req, &rep))
	return rep, nil
}

// deactivate is step 1: the key inactive, recorded as an incident. A key already inactive is
// recorded all the same (UpdateAccessKey is idempotent): its record must say it leaked. A
// rerun keeps the first incident: a key already inactive under a settled incident record is
// left as it is, and a response a crash left pending is finished with its first time. tags
// are the user's as just read; they are updated with the record this run settles.
func deactivate(ctx context.Context, c IAM, user string, ks []keys.Key, tags map[string]string, req Request, rep *Report) Step {
	st := Step{Step: "deactivate"}
	clean, cut := keys.CleanReason(req.Reason)
	rec := keys.Record{Action: keys.ActionDeactivated, Time: req.Now(), Origin: keys.IncidentOrigin, Reason: clean}
	inactive := false
	for _, k := range ks {
		if k.AccessKeyID == req.KeyID && k.Status == keys.Inactive {
			inactive = true
		}
	}
	tk := keys.TagKey(req.KeyID)
	note := ""
	if cut {
		note = fmt.Sprintf("; the reason is recorded as %q (IAM tags allow %d characters of letters, digits and _.:/=+-@)", clean, keys.MaxReasonLen)
	}
	if prev, err := keys.ParseRecord(tags[tk]); tags[tk] != "" && err == nil && prev.Incident() {
		switch {
		case prev.State == keys.Settled && inactive:
			rep.Record = tags[tk]
			st.At, st.Outcome = req.Now(), Done
			st.Detail = fmt.Sprintf("%s of %s was already deactivated as an incident at %s; its record is kept", req.KeyID, user, prev.Time.UTC().Format(time.RFC3339))
			rep.Steps = append(rep.Steps, st)
			return st
		case prev.State != keys.Settled:
			// The first response's intent, left by a crash: finish that response. (Settled
			// with the key active again is a new incident.)
			rec.Time, rec.Reason = prev.Time, prev.Reason
			note = fmt.Sprintf("; the first response's time %s and reason are kept", prev.Time.UTC().Format(time.RFC3339))
		}
	}
	rep.Record = rec.String()
	var was string
	if inactive {
		was = " (it was already inactive)"
	}
	if req.DryRun {
		st.Outcome, st.Detail = Would, fmt.Sprintf("would deactivate %s of %s%s and record %q%s", req.KeyID, user, was, rep.Record, note)
		rep.Steps = append(rep.Steps, st)
		return st
	}
	id := req.KeyID
	pr := provenance.Do(ctx, c, provenance.Change{User: user, KeyID: id, Action: keys.ActionDeactivated, Origin: keys.IncidentOrigin,
		Reason: rec.Reason, Now: rec.Time, Tags: tags, Keys: ks}, func(ctx context.Context) error {
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &user, AccessKeyId: &id, Status: "Inactive"})
		return err
	})
	switch pr.Outcome {
	case provenance.Made, provenance.AlreadyDone:
		st.At = req.Now()
		st.Outcome, st.Detail = Done, fmt.Sprintf("deactivated %s of %s%s; recorded %q%s", id, user, was, rep.Record, note)
		if pr.RecordErr != nil {
			st.Err, st.Detail = pr.RecordErr, fmt.Sprintf("deactivated %s of %s%s, but %v", id, user, was, pr.RecordErr)
		} else {
			tags[tk] = rep.Record
		}
		for i := range ks {
			if ks[i].AccessKeyID == id {
				ks[i].Status = keys.Inactive
			}
		}
	default:
		st.Outcome, st.Err = Failed, pr.Err
		st.Detail = awserr.Message("deactivate "+id+" of "+user, pr.Err)
		if pr.RecordErr != nil {
			st.Detail += "; " + pr.RecordErr.Error()
		}
	}
	rep.Steps = append(rep.Steps, st)
	return st
}

// QuarantinePolicyName names the inline policy respond --quarantine puts on the user, so a
// later look (or run) knows it for keywarden's.
const QuarantinePolicyName = "keywarden-incident-quarantine"

// ManagedQuarantine is AWS's managed policy for users with an exposed key.
const ManagedQuarantine = "AWSCompromisedKeyQuarantineV3"

// denyAll denies the user everything: an inline policy is evaluated on every call the user's
// keys make, the replacement key's included.
const denyAll = `{"Version":"2012-10-17","Statement":[{"Sid":"KeywardenIncidentQuarantine","Effect":"Deny","Action":"*","Resource":"*"}]}`

// quarantine is step 2: the user can do nothing with any key, and AWS's managed policy is
// attached too where the account has it.
func quarantine(ctx context.Context, c IAM, u keys.User, dry bool) Step {
	st := Step{Step: "quarantine"}
	managed := "arn:" + partition(u.ARN) + ":iam::aws:policy/" + ManagedQuarantine
	_, gerr := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &managed})
	var mnote string
	switch {
	case gerr == nil && dry:
		mnote = "would attach " + managed
	case awserr.Classify(gerr) == awserr.NotFound:
		mnote = ManagedQuarantine + " not attached: this account (or its emulator) has no such policy"
	case gerr != nil:
		mnote = ManagedQuarantine + " not attached: " + awserr.Message("read "+managed, gerr)
	}
	if dry {
		st.Outcome, st.Detail = Would, fmt.Sprintf("would put the deny-all inline policy %s on %s; %s", QuarantinePolicyName, u.Name, mnote)
		return st
	}
	user, name, doc := u.Name, QuarantinePolicyName, denyAll
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &user, PolicyName: &name, PolicyDocument: &doc}); err != nil {
		st.Outcome, st.Err = Failed, err
		st.Detail = awserr.Message("put the inline policy "+name+" on "+user, err) + "; " + mnote
		return st
	}
	if gerr == nil {
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: &user, PolicyArn: &managed}); err != nil {
			mnote = ManagedQuarantine + " not attached: " + awserr.Message("attach "+managed, err)
		} else {
			mnote = "attached " + managed
		}
	}
	st.Outcome, st.Detail = Done, fmt.Sprintf("put the deny-all inline policy %s on %s; %s", name, user, mnote)
	return st
}

func partition(arn string) string {
	if p := strings.Split(arn, ":"); len(p) > 2 && p[1] != "" {
		return p[1]
	}
	return "aws"
}

// replace is step 3: a service user's key rotated now into where its consumers read it.
func replace(ctx context.Context, d Deps, u keys.User, req Request, deact Step) Step {
	st := Step{Step: "replace", Outcome: Skipped}
	job, spec, ok := policy.RotationFor(d.Config, u)
	switch {
	case !ok:
		st.Detail = "no rotate rule in keywarden.yaml selects " + u.Name + ": nothing to replace"
		return st
	case deact.Outcome == Failed:
		st.Detail = "the leaked key may still be active, so no new key is made beside it; respond again once it is deactivated"
		return st
	case req.Quarantine:
		st.Detail = "--quarantine denies every call of " + u.Name + ", so a new key would not work; run respond again without --quarantine once the quarantine is lifted"
		return st
	}
	for _, to := range spec.To {
		if !sink.CanReadBack(to) {
			st.Detail = fmt.Sprintf("job %s's destination %s cannot be read back, so a rotation cut short could not be resumed; rotate %s by hand (keywarden rotate --user)", job, to, u.Name)
			return st
		}
	}
	into := strings.Join(spec.To, ", ")
	if req.DryRun {
		st.Outcome, st.Detail = Would, fmt.Sprintf("would rotate %s's key into %s (job %s), leaving %s inactive as evidence", u.Name, into, job, req.KeyID)
		return st
	}
	// The leaked key is inactive: no room is made by deleting an inactive key (it may be the
	// leaked one), and the new key has no active key to share a grace with.
	spec.MakeRoom = false
	res, err := jobs.Rotate(ctx, d.Session, jobs.Rotation{User: u.Name, UserARN: u.ARN, Spec: spec, Origin: keys.IncidentOrigin, Job: job}, req.Now, d.Rotate)
	var re *engine.RefusedError
	var se *engine.StepError
	switch {
	case errors.As(err, &re):
		st.Detail, st.Err = "not replaced: "+err.Error(), err
	case errors.As(err, &se):
		st.Outcome, st.Err, st.Detail = Failed, err, awserr.Message(se.What, se.Err)
	case err != nil:
		st.Outcome, st.Err, st.Detail = Failed, err, err.Error()
	default:
		st.Outcome = Done
		st.Detail = fmt.Sprintf("new key %s delivered to %s (job %s); %s stays inactive as evidence until the delete rule removes it", res.NewKeyID, into, job, req.KeyID)
		if res.OldKeyID != "" {
			st.Detail += fmt.Sprintf("; the other active key %s is retired after the rule's grace", res.OldKeyID)
		}
	}
	return st
}

// tell is step 4: the owner and the security contact get the notice.
func tell(ctx context.Context, d Deps, u keys.User, req Request, rep *Report) Step {
	st := Step{Step: "tell", Outcome: Skipped}
	if d.Config == nil || d.Config.Notify == nil {
		st.Detail = "no notify: block in keywarden.yaml: nobody told"
		return st
	}
	n := d.Config.Notify
	reason := req.Reason
	if reason == "" {
		reason = "no reason given"
	}
	var details []string
	for _, s := range rep.Steps {
		details = append(details, s.Step+": "+s.Detail)
	}
	if rep.Activity != nil {
		details = append(details, rep.Activity.Lines...)
	}
	outcome := keyOutcome(rep.Steps)
	e := notify.Event{Account: d.Account, User: u.Name, AccessKeyID: req.KeyID, Action: notify.ActionRespond, Outcome: outcome, Reason: reason, Details: details}
	ds := notices(e, u.Tags[n.OwnerTag], n)
	rep.Notices = ds
	var to []string
	for _, dg := range ds {
		to = append(to, dg.Owner)
	}
	switch {
	case len(ds) == 0:
		st.Detail = fmt.Sprintf("%s has no %s tag and notify: has no fallback or security: nobody told", u.Name, n.OwnerTag)
		return st
	case req.DryRun:
		st.Outcome, st.Detail = Would, "would tell "+strings.Join(to, ", ")
		return st
	case d.Sender == nil:
		st.Detail = "no channel to send through: nobody told"
		return st
	}
	var sent, failed []string
	for _, r := range d.Sender.Send(ctx, notify.Run{Summary: "incident " + req.KeyID, Digests: ds}) {
		sent = append(sent, fmt.Sprintf("%s %d sent", r.Channel, r.Sent))
		failed = append(failed, r.Failed...)
	}
	st.Outcome, st.Detail = Done, fmt.Sprintf("told %s (%s)", strings.Join(to, ", "), strings.Join(sent, ", "))
	if len(failed) > 0 {
		st.Outcome, st.Detail = Failed, st.Detail+"; not delivered: "+strings.Join(failed, "; ")
		st.Err = errors.New(st.Detail)
	}
	return st
}

// notices are the incident's digests: one for the owner (the tag's value, else notify.fallback)
// and one for notify.security, unless that is the same person.
func notices(e notify.Event, owner string, n *policy.Notify) []notify.Digest {
	ds := notify.Group([]notify.Event{e}, func(notify.Event) string { return owner }, n.Fallback)
	if n.Security != "" && (len(ds) == 0 || ds[0].Owner != n.Security) {
		ds = append(ds, notify.Digest{Owner: n.Security, Events: []notify.Event{e}})
	}
	return ds
}

// keyOutcome words the deactivation's outcome as a notice's: the key's state is the news.
func keyOutcome(steps []Step) string {
	for _, s := range steps {
		if s.Step == "deactivate" {
			switch s.Outcome {
			case Done:
				return "deactivated"
			case Would:
				return "to be deactivated"
			}
		}
	}
	return "failed"
}
