package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// Evaluate decides, as of now, what the named jobs (all jobs when jobNames is empty) would do
// to the inventory. It is a pure function: the same inputs give the same plan.
//
// Thresholds: a key is over a limit when its age is at least the limit (age >= limit), so a
// never-used key created exactly 45 days before now is over "unused_for: 45d". An age is now
// minus a past time; a time after now (an --at earlier than the data) is under every limit.
//
// Per job, users are taken in name order and their keys in id order, and the rules run in
// file order against the inventory as read: a key deactivated by this plan is not also
// deleted by it (delete needs the key to be inactive already, and then a grace period).
// A key gets at most one deactivate and at most one delete per job, and a user at most one
// rotation step per job, after its keys' actions (see evalRotation). Jobs keep file order;
// two jobs may both deactivate a key (applying is idempotent).
func Evaluate(inv keys.Inventory, cfg *Config, jobNames []string, now time.Time) (Plan, error) {
	jobs, err := pickJobs(cfg, jobNames)
	if err != nil {
		return Plan{}, err
	}
	users := slices.Clone(inv.Users)
	slices.SortStableFunc(users, func(a, b keys.User) int { return strings.Compare(a.Name, b.Name) })
	plan := Plan{At: now, Actions: []Action{}}
	for _, j := range jobs {
		for _, u := range users {
			if !j.Select.Match(u) {
				continue
			}
			ks := slices.Clone(u.Keys)
			slices.SortStableFunc(ks, func(a, b keys.Key) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
			for _, k := range ks {
				acts := evalKey(j, u, k, now)
				plan.Actions = append(plan.Actions, acts...)
				acted := map[Kind]bool{}
				for _, a := range acts {
					acted[a.Kind] = true
				}
				plan.Warnings = append(plan.Warnings, warnings(j, u, k, now, acted)...)
			}
			acts, ws := evalRotation(j, u, now, cfg.Notify != nil)
			plan.Actions = append(plan.Actions, acts...)
			plan.Warnings = append(plan.Warnings, ws...)
		}
	}
	return plan, nil
}

func pickJobs(cfg *Config, names []string) ([]Job, error) {
	if cfg == nil {
		return nil, fmt.Errorf("evaluate: no config")
	}
	if len(names) == 0 {
		return cfg.Jobs, nil
	}
	var unknown []string
	for _, n := range names {
		if _, ok := cfg.Job(n); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", n))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown job %s: the config has %s", strings.Join(unknown, ", "), strings.Join(cfg.JobNames(), ", "))
	}
	var out []Job
	for _, j := range cfg.Jobs {
		if slices.Contains(names, j.Name) {
			out = append(out, j)
		}
	}
	return out, nil
}

func evalKey(j Job, u keys.User, k keys.Key, now time.Time) []Action {
	var out []Action
	done := map[Kind]bool{}
	for _, r := range j.Rules {
		if done[r.Kind] && r.Kind != Report {
			continue
		}
		reason, ok := fires(r, u, k, now)
		if why, held := heldBack(r, u, k); held {
			// Name the key instead of acting on a record keywarden cannot trust.
			done[r.Kind] = true
			out = append(out, Action{Kind: Report, User: u.Name, AccessKeyID: k.AccessKeyID, Job: j.Name, Rule: r.String(), Reason: why})
			continue
		}
		if !ok {
			continue
		}
		done[r.Kind] = true
		out = append(out, Action{
			Kind: r.Kind, User: u.Name, AccessKeyID: k.AccessKeyID,
			Job: j.Name, Rule: r.String(), Reason: reason,
		})
	}
	return out
}

// fires reports whether rule r applies to key k now, and why.
func fires(r Rule, u keys.User, k keys.Key, now time.Time) (string, bool) {
	switch r.Kind {
	case Deactivate, Report:
		if k.Status != keys.Active {
			return "", false
		}
		switch {
		case r.UnusedFor > 0:
			if isNew(k, r.GraceNew.Std(), now) {
				return "", false
			}
			return unusedReason(k, r.UnusedFor, now)
		case r.OlderThan > 0:
			return olderReason(k, r.OlderThan, now)
		case r.Kind == Deactivate:
			return "every active key of the selection", true
		}
	case Delete:
		if k.Status != keys.Inactive {
			return "", false
		}
		return inactiveReason(r, u, k, now)
	}
	return "", false
}

// age is negative for a time after now (an --at before the data); it is under every limit,
// including inactive_for: 0d, since a key is not yet inactive before keywarden deactivated it.
func age(since, now time.Time) time.Duration { return now.Sub(since) }

// lastActivity is when the key was last used, or when it was created if it never was. A
// LastUsed with a zero date (a credential report's "N/A") counts as never used.
func lastActivity(k keys.Key) (time.Time, bool) {
	if k.LastUsed != nil && !k.LastUsed.Date.IsZero() {
		return k.LastUsed.Date, true
	}
	return k.Created, false
}

func unusedReason(k keys.Key, limit Duration, now time.Time) (string, bool) {
	t, used := lastActivity(k)
	a := age(t, now)
	if a < limit.Std() {
		return "", false
	}
	if used {
		return fmt.Sprintf("unused for %s (limit %s)", humanAge(a), limit), true
	}
	return fmt.Sprintf("never used, created %s ago (limit %s)", humanAge(a), limit), true
}

func olderReason(k keys.Key, limit Duration, now time.Time) (string, bool) {
	a := age(k.Created, now)
	if a < limit.Std() {
		return "", false
	}
	return fmt.Sprintf("created %s ago on %s (limit %s)", humanAge(a), k.Created.UTC().Format(time.DateOnly), limit), true
}

// inactiveReason counts inactivity from keywarden's own deactivation record, because IAM
// does not say when a key was deactivated. A key with no such record was deactivated by
// someone else (or keywarden's record was removed): since_unknown: skip leaves it alone;
// since_unknown: delete deletes it at once, with no grace period, since its inactive time
// cannot be known.
// heldBack says why a delete rule must not act on an inactive key whose record of keywarden's
// deactivation is unsettled (pending, or unconfirmed): its inactive time is not known to be
// keywarden's, and since_unknown: delete would guess.
func heldBack(r Rule, u keys.User, k keys.Key) (string, bool) {
	if r.Kind != Delete || k.Status != keys.Inactive {
		return "", false
	}
	rec, ok := u.Provenance(k.AccessKeyID)
	if !ok || rec.Action != keys.ActionDeactivated || rec.State == keys.Settled {
		return "", false
	}
	return fmt.Sprintf("not deleted: keywarden's record of deactivating it on %s is %s (a run did not learn whether IAM made the change); check who disabled the key", rec.Time.UTC().Format(time.DateOnly), rec.State), true
}

func inactiveReason(r Rule, u keys.User, k keys.Key, now time.Time) (string, bool) {
	rec, ok := u.Provenance(k.AccessKeyID)
	if !ok || !rec.Trusted(keys.ActionDeactivated) {
		if r.SinceUnknown != SinceUnknownDelete {
			return "", false
		}
		return "inactive, deactivated outside keywarden so its inactive time is unknown (since_unknown: delete)", true
	}
	a := age(rec.Time, now)
	if a < r.InactiveFor.Std() {
		return "", false
	}
	return fmt.Sprintf("inactive for %s since keywarden deactivated it on %s (limit %s)",
		humanAge(a), rec.Time.UTC().Format(time.DateOnly), r.InactiveFor), true
}
