package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/provenance"
	"github.com/keywarden/keywarden/internal/report"
)

const defaultConfig = "keywarden.yaml"

// jobFlags are how plan, apply and policy name the config file and its jobs.
type jobFlags struct {
	Config string
	Jobs   []string
	At     string
}

func (f *jobFlags) addFlags(cmd *cobra.Command, withAt bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.Config, "config", "c", defaultConfig, "the policy file")
	fl.StringArrayVar(&f.Jobs, "job", nil, "only this job (repeatable); default every job in the file")
	if withAt {
		fl.StringVar(&f.At, "at", "", "evaluate as of this time: 2027-03-01, an RFC 3339 time, or +30d")
	}
}

// loadConfig reads and validates the config and the --job names, before anything is read from
// AWS: a typo in the file must not cost a scan of the account.
func (f *jobFlags) loadConfig() (*policy.Config, error) {
	data, err := os.ReadFile(f.Config)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("config %s not found; pass -c FILE (see the README's keywarden.yaml section)", f.Config)
		}
		return nil, usagef("read config %s: %v", f.Config, errors.Unwrap(err))
	}
	cfg, err := policy.Load(f.Config, data)
	var ve *policy.ValidationError
	if errors.As(err, &ve) {
		n := len(ve.Problems)
		return nil, &codedError{code: exitUsage, msg: fmt.Sprintf("config %s has %d %s", f.Config, n, plural(n, "problem")), detail: ve.Error()}
	}
	if err != nil {
		return nil, usagef("config %s: %v", f.Config, err)
	}
	var unknown []string
	for _, j := range f.Jobs {
		if _, ok := cfg.Job(j); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", j))
		}
	}
	if len(unknown) > 0 {
		return nil, usagef("no job %s in %s; it has %s", strings.Join(unknown, ", "), f.Config, strings.Join(cfg.JobNames(), ", "))
	}
	return cfg, nil
}

// jobEval is one read-and-evaluate of a config's jobs: what plan prints and apply executes.
type jobEval struct {
	s     *session
	self  string // the access key id keywarden is signed with
	inv   keys.Inventory
	plan  policy.Plan
	njobs int
}

// evaluateJobs loads the config, reads the inventory the jobs need once, and evaluates them.
// With settle (apply, not plan: plan changes nothing), records an earlier run left pending are
// settled first from the keys as read, so the plan decides on settled records.
func evaluateJobs(ctx context.Context, d *Deps, g *globalOptions, f *jobFlags, settle bool) (*jobEval, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	now := d.Now()
	at := now
	if f.At != "" {
		var err error
		if at, err = policy.ParseAt(f.At, now); err != nil {
			return nil, usageErr(err)
		}
	}
	cfg, err := f.loadConfig()
	if err != nil {
		return nil, err
	}
	s, err := g.session(ctx)
	if err != nil {
		return nil, err
	}
	selfKey, err := s.selfKeyID(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := apply.ReadFor(ctx, s.iam, cfg, f.Jobs, 0)
	if err != nil {
		return nil, awsErr("read the users the jobs select", err)
	}
	if settle {
		for _, err := range provenance.SettleAll(ctx, s.iam, &inv, now) {
			fmt.Fprintf(d.Stderr, "keywarden: warning: could not %v; the next apply tries again\n", err)
		}
	}
	plan, err := policy.Evaluate(inv, cfg, f.Jobs, at)
	if err != nil {
		return nil, usageErr(err)
	}
	n := len(f.Jobs)
	if n == 0 {
		n = len(cfg.Jobs)
	}
	return &jobEval{s: s, self: selfKey, inv: inv, plan: plan, njobs: n}, nil
}

// changes counts the actions that would change AWS; report actions are findings only.
func (e *jobEval) changes() int {
	n := 0
	for _, a := range e.plan.Actions {
		if a.Kind != policy.Report {
			n++
		}
	}
	return n
}

// summary is the stderr line after a plan: "2 jobs, 3 users, 5 keys: 2 deactivate, 1 report".
func (e *jobEval) summary() string {
	nkeys := len(e.inv.Keys())
	head := fmt.Sprintf("%d %s, %d %s, %d %s", e.njobs, plural(e.njobs, "job"), len(e.inv.Users), plural(len(e.inv.Users), "user"), nkeys, plural(nkeys, "key"))
	if e.changes() == 0 {
		head = "no changes (" + head + ")"
		if f := len(e.plan.Actions); f > 0 {
			head += fmt.Sprintf("; %d %s", f, plural(f, "finding"))
		}
		return head
	}
	counts := map[policy.Kind]int{}
	for _, a := range e.plan.Actions {
		counts[a.Kind]++
	}
	var parts []string
	for _, k := range []policy.Kind{policy.Deactivate, policy.Delete, policy.Report} {
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
	for _, a := range e.plan.Actions {
		if a.AccessKeyID == e.self && (a.Kind == policy.Deactivate || a.Kind == policy.Delete) {
			out = append(out, fmt.Sprintf("job %s would %s %s, the key keywarden is signed with; apply refuses it unless --allow-self", a.Job, a.Kind, a.AccessKeyID))
		}
	}
	return out
}

var planHeaders = []string{"job", "rule", "user", "access_key_id", "action", "reason"}

func planRows(p policy.Plan) [][]string {
	rows := make([][]string, len(p.Actions))
	for i, a := range p.Actions {
		kind := string(a.Kind)
		if a.Kind == policy.Report {
			kind = "finding"
		}
		rows[i] = []string{a.Job, a.Rule, a.User, a.AccessKeyID, kind, a.Reason}
	}
	return rows
}

// writePlan renders the plan in format to w.
func writePlan(w io.Writer, format string, p policy.Plan) error {
	switch format {
	case "json":
		return report.JSON(w, p)
	case "csv":
		return report.CSV(w, planHeaders, planRows(p))
	}
	if len(p.Actions) == 0 {
		return nil
	}
	h := make([]string, len(planHeaders))
	for i, s := range planHeaders {
		h[i] = strings.ToUpper(strings.ReplaceAll(s, "_", " "))
	}
	return report.Table(w, h, planRows(p))
}

func (e *jobEval) asOf(f *jobFlags) string {
	if f.At == "" {
		return ""
	}
	return " as of " + e.plan.At.UTC().Format(time.RFC3339)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
