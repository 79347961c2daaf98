package policy

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	// Embedded zone data: a time zone valid on a laptop must stay valid in a Lambda or a
	// distroless container that has no /usr/share/zoneinfo.
	_ "time/tzdata"

	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/keys"

	"github.com/keywarden/keywarden/internal/schedule"
)

// jobName limits names to what can travel into provenance tags and scheduler resource names.
var jobName = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func (l *loader) config(doc *yaml.Node) *Config {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	top, ok := l.fields(root, "the top level", "jobs", "defaults", "accounts", "notify", "incident")
	if !ok {
		return nil
	}
	defLoc, defTZ := time.UTC, "UTC"
	if f, ok := top["defaults"]; ok {
		d, _ := l.fields(f.val, "defaults", "timezone")
		if tz, ok := d["timezone"]; ok {
			if loc, name, ok := l.zone(tz); ok {
				defLoc, defTZ = loc, name
			}
		}
	}
	f, ok := top["jobs"]
	if !ok {
		l.errf(deref(root), `no jobs: want a top-level "jobs:" mapping of job name to job`)
		return nil
	}
	jobs := deref(f.val)
	switch {
	case isNull(jobs) || jobs.Kind == yaml.MappingNode && len(jobs.Content) == 0:
		l.errf(f.key, "no jobs: jobs is empty; want at least one job, like jobs: {curfew: {...}}")
		return nil
	case jobs.Kind != yaml.MappingNode:
		l.errf(jobs, "jobs: want a mapping of job name to job, got %s", describe(jobs))
		return nil
	}
	cfg := &Config{}
	if f, ok := top["accounts"]; ok {
		cfg.Accounts = l.accounts(f)
	}
	if f, ok := top["notify"]; ok {
		cfg.Notify = l.notify(f)
	}
	if f, ok := top["incident"]; ok {
		cfg.Incident = l.incident(f)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		k := deref(jobs.Content[i])
		if k.Kind != yaml.ScalarNode {
			l.errf(k, "job name: want a plain name, got %s", describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			l.errf(k, "duplicate job name %q (first at line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		if !jobName.MatchString(k.Value) {
			l.errf(k, "job name %q: use up to 64 letters, digits, '-', '_' or '.', starting with a letter or digit", k.Value)
		}
		cfg.Jobs = append(cfg.Jobs, l.job(k, jobs.Content[i+1], defLoc, defTZ))
	}
	return cfg
}

func (l *loader) job(name, n *yaml.Node, defLoc *time.Location, defTZ string) Job {
	j := Job{Name: name.Value, Location: defLoc, TZName: defTZ}
	what := fmt.Sprintf("job %q", name.Value)
	fs, ok := l.fields(n, what, "schedule", "timezone", "select", "do")
	if !ok {
		return j
	}
	if f, ok := fs["timezone"]; ok {
		if loc, tz, ok := l.zone(f); ok {
			j.Location, j.TZName = loc, tz
		}
	}
	// After the zone: the parsed schedule is bound to it.
	if f, ok := fs["schedule"]; ok {
		if s, ok := l.str(f, `a cron expression like "0 0 * * *"`); ok {
			if c, ok := l.cron(f.val, s, j.Location); ok {
				j.Schedule, j.Cron = s, c
			}
		}
	}
	if f, ok := fs["select"]; ok {
		j.Select = l.selector(f)
	}
	f, ok := fs["do"]
	if !ok {
		l.errf(name, "%s has no actions: want a do: list, like do: [deactivate: {}]", what)
		return j
	}
	do := deref(f.val)
	if do.Kind != yaml.SequenceNode || len(do.Content) == 0 {
		l.errf(f.val, "do: want a non-empty list of actions (%s), got %s", strings.Join(actions, ", "), describe(do))
		return j
	}
	for _, item := range do.Content {
		if r, ok := l.rule(item, j.Select); ok {
			if r.curfew() && r.Warn > 0 && j.Schedule == "" {
				l.errf(deref(item).Content[0], "deactivate: warn without unused_for or older_than warns before the job's next scheduled run, and job %q has no schedule; add schedule:, or a condition", j.Name)
			}
			j.Rules = append(j.Rules, r)
		}
	}
	return j
}

const cronWant = `want 5 fields: minute hour day-of-month month day-of-week, like "0 0 * * *"`

// cron accepts the standard 5-field form only: seconds fields, descriptors such as @every
// and TZ= prefixes are refused, since the time zone has its own key and deploy must be able
// to translate the expression for EventBridge Scheduler. The rest is internal/schedule's to
// judge, so that a schedule the config accepts is one serve and deploy read the same way.
func (l *loader) cron(n *yaml.Node, s string, loc *time.Location) (*schedule.Schedule, bool) {
	switch f := strings.Fields(s); {
	case strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ="):
		l.errf(n, "schedule %q: put the time zone under timezone:, not in the expression; %s", s, cronWant)
	case strings.HasPrefix(s, "@"):
		l.errf(n, "schedule %q: descriptors like @every or @daily are not supported; %s", s, cronWant)
	case len(f) == 6:
		l.errf(n, "schedule %q has 6 fields (a seconds field?); %s", s, cronWant)
	case len(f) != 5:
		l.errf(n, "schedule %q has %d %s; %s", s, len(f), plural(len(f), "field"), cronWant)
	default:
		if loc == nil {
			loc = time.UTC
		}
		c, err := schedule.Parse(s, loc)
		var se *schedule.Error
		switch {
		case errors.As(err, &se):
			// It has 5 fields: the reason names the one that is wrong, no hint about counting.
			l.errf(n, "schedule %q: %s", s, se.Reason)
		case err != nil:
			l.errf(n, "schedule %q: %v", s, err)
		default:
			return c, true
		}
	}
	return nil, false
}

// zone loads an IANA time zone. "Local" is refused: it would mean a different zone on a
// laptop, a server and a Lambda.
func (l *loader) zone(f field) (*time.Location, string, bool) {
	s, ok := l.str(f, "an IANA time zone like Asia/Tokyo")
	if !ok {
		return nil, "", false
	}
	if s == "" || s == "Local" {
		l.errf(f.val, "time zone %q depends on the host; use an IANA name like Asia/Tokyo", s)
		return nil, "", false
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		l.errf(f.val, "unknown time zone %q (%s)", s, zoneHint(s))
		return nil, "", false
	}
	return loc, s, true
}

func (l *loader) selector(f field) Selector {
	var sel Selector
	fs, ok := l.fields(f.val, "select", "users", "paths", "exclude_users", "exclude_tags")
	if !ok {
		return sel
	}
	if f, ok := fs["users"]; ok {
		sel.Users, _ = l.strList(f, "user names or globs", true)
		l.globs(f, sel.Users)
	}
	if f, ok := fs["paths"]; ok {
		sel.Paths, _ = l.strList(f, "IAM path prefixes like /team/", true)
		for i, p := range sel.Paths {
			if !strings.HasPrefix(p, "/") {
				l.errf(deref(f.val).Content[i], "paths: %q is not an IAM path; paths start with /, like /team/", p)
			}
		}
	}
	if f, ok := fs["exclude_users"]; ok {
		sel.ExcludeUsers, _ = l.strList(f, "user names or globs", false)
		l.globs(f, sel.ExcludeUsers)
	}
	if f, ok := fs["exclude_tags"]; ok {
		tags, ok := l.fields(f.val, "exclude_tags", anyKey)
		if ok {
			sel.ExcludeTags = map[string]string{}
			for k, t := range tags {
				if v, ok := l.str(t, "a tag value"); ok {
					sel.ExcludeTags[k] = v
				}
			}
		}
	}
	if len(sel.Users) > 0 && allExcluded(sel.Users, sel.ExcludeUsers) {
		l.errf(fs["users"].key, "select: every user in users is also in exclude_users, so the job selects no users")
	}
	return sel
}

// allExcluded reports whether every users entry is excluded by name or by a pattern that
// matches it as a name (a glob entry is excluded only by the identical glob).
func allExcluded(users, excl []string) bool {
	for _, u := range users {
		out := false
		for _, x := range excl {
			if x == u || !keys.IsGlob(u) && keys.MatchUser(x, u) {
				out = true
				break
			}
		}
		if !out {
			return false
		}
	}
	return true
}

func (l *loader) globs(f field, pats []string) {
	for i, p := range pats {
		if _, err := path.Match(p, ""); err != nil {
			l.errf(deref(f.val).Content[i], "%s: bad pattern %q: %v", f.key.Value, p, err)
		}
	}
}

// anyKey lets fields accept any key (tag keys are the user's own).
const anyKey = "\x00any"

var actions = []string{string(Deactivate), string(Delete), string(Report), string(Rotate)}

func (l *loader) rule(item *yaml.Node, sel Selector) (Rule, bool) {
	item = deref(item)
	if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
		l.errf(item, "action: want one of %s with its settings, like - deactivate: {unused_for: 45d}, got %s", strings.Join(actions, ", "), describe(item))
		return Rule{}, false
	}
	k := deref(item.Content[0])
	r := Rule{Kind: Kind(k.Value)}
	switch r.Kind {
	case Deactivate, Report:
		fs, ok := l.fields(item.Content[1], string(r.Kind), "unused_for", "older_than", "grace_new", "warn")
		if !ok {
			return r, false
		}
		// deactivate: {} means every active key; a report needs a condition to report on.
		ok = l.ageCondition(k, fs, &r, r.Kind == Report)
		ok = l.warn(k, fs, &r) && ok
		return r, l.graceNew(k, fs, &r) && ok
	case Rotate:
		return l.rotateRule(k, item.Content[1], sel)
	case Delete:
		fs, ok := l.fields(item.Content[1], "delete", "inactive_for", "since_unknown", "warn")
		if !ok {
			return r, false
		}
		ok = l.warn(k, fs, &r)
		f, has := fs["inactive_for"]
		if !has {
			l.errf(k, "delete needs inactive_for, like delete: {inactive_for: 30d}: keys are deleted a grace period after keywarden deactivated them")
			ok = false
		} else if r.InactiveFor, has = l.duration(f, ""); !has {
			ok = false
		}
		r.SinceUnknown = SinceUnknownSkip
		if f, has := fs["since_unknown"]; has {
			s, good := l.str(f, "delete or skip")
			switch {
			case !good:
				ok = false
			case s == SinceUnknownSkip || s == SinceUnknownDelete:
				r.SinceUnknown = s
			default:
				l.errf(f.val, "since_unknown: want delete or skip, got %q", s)
				ok = false
			}
		}
		return r, ok
	}
	msg := fmt.Sprintf("unknown action %q", k.Value)
	if s := closest(k.Value, actions); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	l.errf(k, "%s; want %s", msg, strings.Join(actions, ", "))
	return r, false
}

// warn reads warn: how long before the rule acts the key's owner is told. A rule that acts on
// every key at once (deactivate: {warn: 1h}, a curfew) warns that long before each scheduled
// run of its job (see CurfewWarnings), so the job needs a schedule (checked in job).
func (l *loader) warn(k *yaml.Node, fs map[string]field, r *Rule) bool {
	w, has := fs["warn"]
	if !has {
		return true
	}
	d, ok := l.duration(w, "")
	if !ok {
		return false
	}
	if d == 0 {
		l.errf(w.val, "warn: 0d warns of nothing; want how long ahead owners are told, like warn: 7d, or drop warn")
		return false
	}
	if r.Kind == Report {
		l.errf(w.key, "report: warn does not apply: a report changes nothing; warn on the deactivate or delete rule")
		return false
	}
	if r.Kind == Deactivate && r.UnusedFor == 0 && r.OlderThan == 0 && d.Std() >= 24*time.Hour {
		l.errf(w.val, "deactivate: a curfew's warn: is how long before each scheduled run owners are told, and must be under a day, like warn: 1h")
		return false
	}
	r.Warn = d
	return true
}

// graceNew reads grace_new, which only qualifies unused_for: age alone says nothing about use.
func (l *loader) graceNew(k *yaml.Node, fs map[string]field, r *Rule) bool {
	g, has := fs["grace_new"]
	if !has {
		return true
	}
	if _, hasU := fs["unused_for"]; !hasU {
		l.errf(g.key, "%s: grace_new goes with unused_for, like %s: {unused_for: 45d, grace_new: 7d}", k.Value, k.Value)
		return false
	}
	var ok bool
	r.GraceNew, ok = l.duration(g, "") // 0d: no grace, which is harmless
	return ok
}

// ageCondition reads unused_for / older_than: at most one (a rule with both would leave
// open whether both or either must hold; write two rules instead), and for report exactly one.
func (l *loader) ageCondition(k *yaml.Node, fs map[string]field, r *Rule, required bool) bool {
	u, hasU := fs["unused_for"]
	o, hasO := fs["older_than"]
	switch {
	case hasU && hasO:
		l.errf(o.key, "%s: set unused_for or older_than, not both; write two rules", k.Value)
		return false
	case !hasU && !hasO && required:
		l.errf(k, "%s needs older_than or unused_for, like %s: {older_than: 90d}", k.Value, k.Value)
		return false
	}
	ok := true
	if hasU {
		r.UnusedFor, ok = l.duration(u, r.Kind)
	}
	if hasO {
		r.OlderThan, ok = l.duration(o, r.Kind)
	}
	return ok
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
