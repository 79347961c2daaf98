package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

// jobEval is one read-and-evaluate of a config's jobs in every account it covers: what plan
// prints and apply executes.
type jobEval struct {
	cfg   *policy.Config
	s     *session
	plans []jobs.Plan
	at    time.Time
	opts  jobs.Options
	multi bool // the run covers accounts, so output names them
	njobs int
}

// accountAction is one action and the account it is in ("" for a run of the caller's account
// only, whose JSON is then what it was before accounts).
type accountAction struct {
	Account string `json:"account,omitempty"`
	policy.Action
}

// planDoc is the plan as --output json writes it.
type planDoc struct {
	At             time.Time        `json:"at"`
	Actions        []accountAction  `json:"actions"`
	Warnings       []accountWarning `json:"warnings,omitempty"`
	FailedAccounts []jobs.Failure   `json:"failed_accounts,omitempty"`
}

// accountWarning is a change to come (a rule's warn:), apart from the changes of the plan.
type accountWarning struct {
	Account string `json:"account,omitempty"`
	policy.Warning
}

func (e *jobEval) doc() planDoc {
	d := planDoc{At: e.at, Actions: []accountAction{}, FailedAccounts: jobs.Failures(e.plans)}
	for _, p := range e.plans {
		if p.Err != nil {
			continue
		}
		d.At = p.Plan.At
		for _, a := range p.Plan.Actions {
			d.Actions = append(d.Actions, accountAction{Account: p.Account.ID, Action: a})
		}
		for _, w := range p.Plan.Warnings {
			d.Warnings = append(d.Warnings, accountWarning{Account: p.Account.ID, Warning: w})
		}
	}
	return d
}

// warningLines are the plan's warnings as stderr lines for people.
func (e *jobEval) warningLines() []string {
	var out []string
	for _, w := range e.doc().Warnings {
		where := w.User
		if w.Account != "" {
			where += " in account " + w.Account
		}
		told := "its owner is told now"
		if e.cfg.Notify == nil {
			told = "nobody is told: the config has no notify: section"
		}
		if w.Due.IsZero() {
			out = append(out, fmt.Sprintf("still in use: job %s keeps %s of %s active (%s); %s", w.Job, w.AccessKeyID, where, w.Reason, told))
			continue
		}
		out = append(out, fmt.Sprintf("ahead: job %s will %s %s of %s on %s (%s); %s",
			w.Job, w.Kind, w.AccessKeyID, where, w.Due.UTC().Format("2006-01-02 15:04Z"), w.Reason, told))
	}
	return out
}

// changes counts the actions that would change AWS; report actions are findings only, and a
// rotation's wait keeps everything as it is.
func (e *jobEval) changes() int {
	n := 0
	for _, a := range e.doc().Actions {
		if a.Kind.Changes() {
			n++
		}
	}
	return n
}

// summary is the stderr line after a plan: "2 jobs, 3 users, 5 keys: 2 deactivate, 1 report";
// over accounts it starts with how many were planned.
func (e *jobEval) summary() string {
	nusers, nkeys, ok := 0, 0, 0
	for _, p := range e.plans {
		if p.Err == nil {
			ok++
			nusers += len(p.Inventory.Users)
			nkeys += len(p.Inventory.Keys())
		}
	}
	head := fmt.Sprintf("%d %s, %d %s, %d %s", e.njobs, plural(e.njobs, "job"), nusers, plural(nusers, "user"), nkeys, plural(nkeys, "key"))
	if e.multi {
		head = count(ok, "account") + ", " + head
	}
	acts := e.doc().Actions
	if e.changes() == 0 {
		head = "no changes (" + head + ")"
		if f := len(acts); f > 0 {
			head += fmt.Sprintf("; %d %s", f, plural(f, "finding"))
		}
		return head
	}
	counts := map[policy.Kind]int{}
	for _, a := range acts {
		counts[a.Kind]++
	}
	var parts []string
	for _, k := range []policy.Kind{policy.Deactivate, policy.Delete, policy.Rotate, policy.FinishRotation, policy.WaitRotation, policy.Report} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	return head + ": " + strings.Join(parts, ", ")
}

// selfWarnings name the plan's actions on the key keywarden is signed with, which apply will
// refuse unless --allow-self.
func (e *jobEval) selfWarnings() []string {
	var out []string
	for _, p := range e.plans {
		for _, a := range p.Plan.Actions {
			if a.AccessKeyID == p.Session.SelfKeyID && (a.Kind == policy.Deactivate || a.Kind == policy.Delete) {
				out = append(out, fmt.Sprintf("job %s would %s %s, the key keywarden is signed with; apply refuses it unless --allow-self", a.Job, a.Kind, a.AccessKeyID))
			}
			if a.AccessKeyID == p.Session.SelfKeyID && a.Kind == policy.Rotate {
				out = append(out, fmt.Sprintf("job %s would rotate %s, the key keywarden is signed with; apply refuses it: rotate it with keywarden rotate --profile", a.Job, a.AccessKeyID))
			}
		}
	}
	return out
}

var planHeaders = []string{"job", "rule", "user", "access_key_id", "action", "reason"}

func planRows(acts []accountAction, withAccount bool) [][]string {
	rows := make([][]string, len(acts))
	for i, a := range acts {
		kind := string(a.Kind)
		if a.Kind == policy.Report {
			kind = "finding"
		}
		rows[i] = []string{a.Job, a.Rule, a.User, a.AccessKeyID, kind, a.Reason}
		if withAccount {
			rows[i] = append([]string{a.Account}, rows[i]...)
		}
	}
	return rows
}

// writePlan renders the plan in format to w.
func (e *jobEval) writePlan(w io.Writer, format string) error {
	d := e.doc()
	headers := planHeaders
	if e.multi {
		headers = append([]string{"account"}, planHeaders...)
	}
	switch format {
	case "json":
		return report.JSON(w, d)
	case "csv":
		return report.CSV(w, headers, planRows(d.Actions, e.multi))
	}
	if len(d.Actions) == 0 {
		return nil
	}
	h := make([]string, len(headers))
	for i, s := range headers {
		h[i] = strings.ToUpper(strings.ReplaceAll(s, "_", " "))
	}
	return report.Table(w, h, planRows(d.Actions, e.multi))
}

func (e *jobEval) asOf(f *jobFlags) string {
	if f.At == "" {
		return ""
	}
	return " as of " + e.at.UTC().Format(time.RFC3339)
}
