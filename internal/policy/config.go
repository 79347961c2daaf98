package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/schedule"
)

// Config is a parsed, validated keywarden.yaml.
type Config struct {
	// Jobs are in the order the file lists them; plans follow that order.
	Jobs []Job
	// Accounts, when set, makes every job run in each of these accounts; nil is the caller's
	// own account only.
	Accounts *Accounts
	// Notify, when set, tells key owners what keywarden did and is about to do.
	Notify *Notify
	// Incident, when set, makes the Lambda function answer AWS's leaked-key events.
	Incident *Incident
}

// Job is one named set of rules applied to a selection of users, optionally on a schedule.
type Job struct {
	Name string
	// Schedule is a 5-field cron expression read in Location, or "" when the job runs only
	// through plan, apply or --once.
	Schedule string
	// Cron is Schedule parsed in Location by internal/schedule, the one reader of cron that
	// serve, deploy and the config share; nil when Schedule is "".
	Cron     *schedule.Schedule
	Location *time.Location
	// TZName is the IANA name Location was loaded from ("UTC" by default).
	TZName string
	Select Selector
	Rules  []Rule
}

// Job finds a job by name.
func (c *Config) Job(name string) (Job, bool) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// JobNames lists the jobs in file order.
func (c *Config) JobNames() []string {
	names := make([]string, len(c.Jobs))
	for i, j := range c.Jobs {
		names[i] = j.Name
	}
	return names
}

// SinceUnknown values: what delete does with an inactive key keywarden has no deactivation
// record for (someone else deactivated it, so nobody knows for how long it has been inactive).
const (
	SinceUnknownSkip   = "skip"
	SinceUnknownDelete = "delete"
)

// Rule is one entry of a job's do: list. A zero UnusedFor or OlderThan means "not set" (Load
// refuses 0d for them); InactiveFor is always set on a delete rule, and 0d there means "at the
// first run after keywarden deactivated it".
type Rule struct {
	Kind Kind
	// UnusedFor: deactivate or report a key whose last use (or creation, if never used) is at
	// least this long ago.
	UnusedFor Duration
	// GraceNew: with UnusedFor, a key created less than this long ago is not yet unused.
	GraceNew Duration
	// OlderThan: deactivate or report a key created at least this long ago.
	OlderThan Duration
	// InactiveFor: delete a key keywarden deactivated at least this long ago.
	InactiveFor Duration
	// SinceUnknown is SinceUnknownSkip or SinceUnknownDelete (delete rules only).
	SinceUnknown string
	// Warn: the owner is told this long before the rule acts on a key (0: never). It is not
	// part of the rule's name: adding a warning does not make it another rule.
	Warn Duration
	// Rotate rules: OlderThan is required; To are the destinations in internal/sink's syntax
	// with {user} for the user's name; Grace is how long the old key stays active after
	// delivery (0: deactivated at once); KMSKeyID and MakeRoom are rotate --user's flags.
	To       []string
	Grace    Duration
	KMSKeyID string
	MakeRoom bool
}

// String names the rule as plans show it: "deactivate unused_for=45d".
func (r Rule) String() string {
	parts := []string{string(r.Kind)}
	if r.UnusedFor > 0 {
		parts = append(parts, "unused_for="+r.UnusedFor.String())
	}
	if r.GraceNew > 0 {
		parts = append(parts, "grace_new="+r.GraceNew.String())
	}
	if r.OlderThan > 0 {
		parts = append(parts, "older_than="+r.OlderThan.String())
	}
	if r.Kind == Rotate {
		parts = append(parts, "to="+strings.Join(r.To, ","), "grace="+r.Grace.String())
	}
	if r.Kind == Delete {
		parts = append(parts, "inactive_for="+r.InactiveFor.String())
		if r.SinceUnknown == SinceUnknownDelete {
			parts = append(parts, "since_unknown=delete")
		}
	}
	return strings.Join(parts, " ")
}

// Problem is one thing wrong with a config file, at a position in it. Col is 0 when the YAML
// parser reported only a line.
type Problem struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (p Problem) String() string {
	if p.Col == 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// ValidationError lists every problem found in a config file, in file order, so one run of
// `keywarden validate` (or plan, serve, deploy) shows them all.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line: "keywarden.yaml:12:7: unknown time zone ...".
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Reads are the per-key and per-user reads a set of jobs decides on; what no rule reads is
// not fetched (at IAM's pace each is a call per key or per user).
type Reads struct {
	// LastUsed: an unused_for rule; it looks at active keys only.
	LastUsed bool
	// Tags: a delete rule reads keywarden's records, of inactive keys only.
	Tags bool
	// AllTags: exclude_tags reads every selected user's tags.
	AllTags bool
}

// Needs says what the named jobs (every job when names is empty) read.
func (c *Config) Needs(names []string) Reads {
	var r Reads
	for _, j := range c.Jobs {
		if len(names) > 0 && !slices.Contains(names, j.Name) {
			continue
		}
		r.AllTags = r.AllTags || len(j.Select.ExcludeTags) > 0
		for _, rule := range j.Rules {
			r.LastUsed = r.LastUsed || rule.UnusedFor > 0
			r.Tags = r.Tags || rule.Kind == Delete
			// A warning is remembered in a tag of the user, whose keys are active.
			r.AllTags = r.AllTags || rule.Warn > 0
			// A rotation in progress is the keywarden:rotation tag of a user whose keys are
			// often all active, and finishing one asks whether the old key was used since.
			r.AllTags = r.AllTags || rule.Kind == Rotate
			r.LastUsed = r.LastUsed || rule.Kind == Rotate
		}
	}
	// Owners are named by a tag of every user a notice may be about.
	r.AllTags = r.AllTags || c.Notify != nil
	r.Tags = r.Tags || r.AllTags
	return r
}
