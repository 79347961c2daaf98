package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// A curfew is a deactivate rule without a condition: it deactivates every active key of the
// selection at each scheduled run, so it never "will" act on one key sooner than another.
// With warn: DUR its warning is about the schedule: DUR before each run, the owners of the
// keys that run will deactivate are told when. serve fires that warning-only run itself; the
// Lambda gets it from a second schedule (internal/deploy).

func (r Rule) curfew() bool { return r.Kind == Deactivate && r.UnusedFor == 0 && r.OlderThan == 0 }

// CurfewWarn is how long before each scheduled run the job's curfew warns; 0 if it does not
// (no schedule, no curfew rule, or no warn: on it).
func (j Job) CurfewWarn() time.Duration {
	if j.Schedule == "" {
		return 0
	}
	for _, r := range j.Rules {
		if r.curfew() && r.Warn > 0 {
			return r.Warn.Std()
		}
	}
	return 0
}

// WarnedAt is how a curfew warning is remembered in keys.WarnedTag: per run, so the owner
// hears once per curfew night, not once ever. The stamp is UTC to the minute.
func WarnedAt(kind Kind, due time.Time) string {
	return string(kind) + "@" + due.UTC().Format("20060102T1504Z")
}

// CurfewWarnings decides the warning-only run of job, as of now, for its scheduled run at
// due: a warning per active key of the selection that the run will deactivate, unless its
// owner was told of this run already. It changes nothing, so the plan has no actions. A due
// further ahead than the curfew's warn: (and an hour, see below) warns of nothing: a stray event. Pure, like
// Evaluate.
func CurfewWarnings(inv keys.Inventory, cfg *Config, job string, now, due time.Time) (Plan, error) {
	jobs, err := pickJobs(cfg, []string{job})
	if err != nil {
		return Plan{}, err
	}
	j := jobs[0]
	plan := Plan{At: now, Actions: []Action{}}
	warn := j.CurfewWarn()
	if warn <= 0 {
		return plan, fmt.Errorf("job %s has no curfew with warn: (a deactivate rule without a condition, like deactivate: {warn: 1h}, on a scheduled job)", job)
	}
	// The Lambda's warning schedule is the job's shifted on the wall clock, so across a
	// daylight-saving change it may come up to an hour earlier in absolute time.
	if !due.After(now) || due.Sub(now) > warn+time.Hour {
		return plan, nil
	}
	var rule Rule
	for _, r := range j.Rules {
		if r.curfew() && r.Warn > 0 {
			rule = r
			break
		}
	}
	memo := WarnedAt(Deactivate, due)
	at := due.In(j.Location).Format("2006-01-02 15:04 MST")
	users := slices.Clone(inv.Users)
	slices.SortStableFunc(users, func(a, b keys.User) int { return strings.Compare(a.Name, b.Name) })
	for _, u := range users {
		if !j.Select.Match(u) {
			continue
		}
		told := keys.ParseWarned(u.Tags[keys.WarnedTag])
		ks := slices.Clone(u.Keys)
		slices.SortStableFunc(ks, func(a, b keys.Key) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
		for _, k := range ks {
			if k.Status != keys.Active || told.Has(k.AccessKeyID, j.Name, memo) {
				continue
			}
			plan.Warnings = append(plan.Warnings, Warning{Kind: Deactivate, User: u.Name, AccessKeyID: k.AccessKeyID,
				Job: j.Name, Rule: rule.String(), Due: due, Memo: memo,
				Reason: fmt.Sprintf("will be deactivated at %s by job %s, which deactivates every active key it selects at each run (schedule %q)", at, j.Name, j.Schedule)})
		}
	}
	return plan, nil
}
