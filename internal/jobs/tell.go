package jobs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
)

// Sender is how a run's digests go out (notify.Sender, or a test's).
type Sender interface {
	Send(ctx context.Context, r notify.Run) []notify.Result
}

// Told is what telling the owners came to.
type Told struct {
	Digests []notify.Digest `json:"digests"`
	Results []notify.Result `json:"results"`
	Events  int             `json:"events"`
	// Failed are the users whose warnings could not be remembered (they will be sent again).
	Failed []string `json:"failed,omitempty"`
}

// OK reports whether every channel sent every message and every warning was remembered.
func (t Told) OK() bool {
	for _, r := range t.Results {
		if !r.OK() {
			return false
		}
	}
	return len(t.Failed) == 0
}

// Events are what owners are told of a run: every change made or failed, service rotations
// included (not "unchanged", "waiting", nor a dry run's "would …"), and every warning of the
// plans. No result carries a secret, so no event can.
func Events(runs []Run) []notify.Event {
	var out []notify.Event
	for _, r := range runs {
		for i, res := range r.Results {
			if !told(res) {
				continue
			}
			rule := ""
			if i < len(r.Plan.Plan.Actions) {
				rule = r.Plan.Plan.Actions[i].Rule
			}
			out = append(out, notify.Event{Account: res.Account, User: res.User, AccessKeyID: res.AccessKeyID,
				Job: res.Job, Rule: rule, Action: string(res.Action), Outcome: res.Outcome, Reason: res.Reason})
		}
		for _, w := range r.Plan.Plan.Warnings {
			out = append(out, notify.Event{Account: r.Plan.Account.ID, User: w.User, AccessKeyID: w.AccessKeyID,
				Job: w.Job, Rule: w.Rule, Action: string(w.Kind), Outcome: notify.OutcomeWarning, Reason: w.Reason, Due: w.Due})
		}
	}
	return out
}

func told(r Result) bool {
	switch r.Outcome {
	case apply.Deactivated, apply.Activated, apply.Deleted, apply.Failed, Rotated, Finished:
		return true
	}
	return false
}

// Digests groups a run's events by the owner each user's tag names (n.OwnerTag), in its account.
func Digests(runs []Run, n *policy.Notify) []notify.Digest {
	owners := map[string]string{} // account/user → owner
	for _, r := range runs {
		for _, u := range r.Plan.Inventory.Users {
			if v := u.Tags[n.OwnerTag]; v != "" {
				owners[r.Plan.Account.ID+"/"+u.Name] = v
			}
		}
	}
	return notify.Group(Events(runs), func(e notify.Event) string { return owners[e.Account+"/"+e.User] }, n.Fallback)
}

// Tell sends the runs' digests through s and then remembers the warnings on each user
// (keys.WarnedTag), so the next run does not repeat them. A warning is remembered only when
// every channel delivered every message: a failed channel means the owner may not have heard.
// Nothing here undoes or blocks a key change.
func Tell(ctx context.Context, runs []Run, n *policy.Notify, s Sender, summary string) Told {
	t := Told{Digests: Digests(runs, n)}
	for _, d := range t.Digests {
		t.Events += len(d.Events)
	}
	if len(t.Digests) == 0 {
		return t
	}
	t.Results = s.Send(ctx, notify.Run{Summary: summary, Digests: t.Digests})
	if !t.OK() {
		return t
	}
	for _, r := range runs {
		if err := remember(ctx, r.Plan); err != nil {
			t.Failed = append(t.Failed, err.Error())
		}
	}
	return t
}

// remember adds a plan's warnings to each user's keywarden:warned tag, keeping only live keys.
func remember(ctx context.Context, p Plan) error {
	by := map[string][]policy.Warning{}
	for _, w := range p.Plan.Warnings {
		by[w.User] = append(by[w.User], w)
	}
	for _, u := range p.Inventory.Users {
		ws := by[u.Name]
		if len(ws) == 0 {
			continue
		}
		// The tags as they are now: this run's changes wrote records since the plan read them,
		// and IAM's limit counts what is there. (A key this run deleted still counts as live:
		// its record stays one run longer, never the other way round.)
		tags, err := inventory.ListTags(ctx, p.Session.IAM, u.Name)
		if err != nil {
			return awserr.Wrap("remember the warnings sent about "+u.Name+" (iam:ListUserTags)", err)
		}
		ks := u.Keys
		told := keys.ParseWarned(tags[keys.WarnedTag])
		for _, w := range ws {
			memo := w.Memo
			if memo == "" {
				memo = string(w.Kind)
			}
			told.Add(w.AccessKeyID, w.Job, memo)
		}
		var live []string
		for _, k := range ks {
			live = append(live, k.AccessKeyID)
		}
		// The same 50-tag rule as every record: only stale records of deleted keys make room.
		if err := provenance.MakeRoom(ctx, p.Session.IAM, u.Name, tags, ks, []string{keys.WarnedTag}, 0); err != nil {
			return fmt.Errorf("remember the warnings sent about %s: %w", u.Name, err)
		}
		_, err = p.Session.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u.Name),
			Tags: []iamtypes.Tag{{Key: aws.String(keys.WarnedTag), Value: aws.String(told.String(live))}}})
		if err != nil {
			return awserr.Wrap("remember the warnings sent about "+u.Name+" (iam:TagUser)", err)
		}
	}
	return nil
}
