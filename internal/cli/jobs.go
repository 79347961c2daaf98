package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

const defaultConfig = "keywarden.yaml"

// jobFlags are how plan, apply and policy name the config file and its jobs.
type jobFlags struct {
	Config string
	Jobs   []string
	At     string
	accountFlags
}

func (f *jobFlags) addFlags(cmd *cobra.Command, withAt bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.Config, "config", "c", defaultConfig, "the policy file")
	fl.StringArrayVar(&f.Jobs, "job", nil, "only this job (repeatable); default every job in the file")
	if withAt {
		fl.StringVar(&f.At, "at", "", "evaluate as of this time: 2027-03-01, an RFC 3339 time, or +30d")
	}
	f.accountFlags.addFlags(cmd)
}

// loadConfig reads and validates the config and the --job names, before anything is read from
// AWS: a typo in the file must not cost a scan of the account.
func (f *jobFlags) loadConfig() (*policy.Config, error) {
	cfg, err := readConfig(f.Config)
	if err != nil {
		return nil, err
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

// evaluateJobs loads the config, resolves the accounts it covers, and in each reads the
// inventory the jobs need once and evaluates them (jobs.Decide). An account that fails is in
// e.failures; the others are planned all the same. With settle (apply, not plan: plan changes
// nothing), records an earlier run left pending are settled first from the keys as read, so
// the plan decides on settled records.
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
	spec, err := f.accountFlags.spec(cfg.Accounts)
	if err != nil {
		return nil, err
	}
	s, err := g.session(ctx)
	if err != nil {
		return nil, err
	}
	accts, err := s.accounts(ctx, spec)
	if err != nil {
		return nil, err
	}
	opts := jobs.Options{Settle: settle}
	if spec != nil {
		opts.Accounts = spec.Concurrency
	}
	plans := jobs.Decide(ctx, accts, cfg, f.Jobs, at, opts)
	if !accounts.Multi(accts) && plans[0].Err != nil {
		// One account: its failure is the command's, worded and coded as before.
		var se *jobs.StepError
		if errors.As(plans[0].Err, &se) {
			return nil, awsErr(se.What, se.Err)
		}
		return nil, usageErr(plans[0].Err)
	}
	warnUnsettled(d.Stderr, jobs.Finish("", jobs.RunsOf(plans)).Unsettled, "apply")
	for _, p := range plans {
		if len(p.Absent) > 0 {
			fmt.Fprintf(d.Stderr, "keywarden: account %s: no user %s here\n", p.Account.ID, strings.Join(p.Absent, ", "))
		}
	}
	n := len(f.Jobs)
	if n == 0 {
		n = len(cfg.Jobs)
	}
	return &jobEval{cfg: cfg, s: s, plans: plans, at: at, opts: opts, multi: accounts.Multi(accts), njobs: n}, nil
}

// warnUnsettled names each pending record the run could not settle (the next run of what tries
// again); the keys themselves are as IAM shows them.
func warnUnsettled(w io.Writer, us []jobs.Unsettled, what string) {
	for _, u := range us {
		fmt.Fprintf(w, "keywarden: warning: could not %v; the next %s tries again\n", u.Err, what)
	}
}

// readConfig is the one loader of keywarden.yaml: plan, apply, policy, template, deploy and
// serve (at start and on SIGHUP) read it here, so each says a missing or broken file in the
// same words. Its errors are bad input (exit 2); a broken file's problems follow, one a line.
func readConfig(path string) (*policy.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("config %s not found; pass -c FILE, set KEYWARDEN_CONFIG, or put it in ~/.config/keywarden/", path)
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, usagef("config %s is not readable by this user; fix its permissions or pass -c FILE", path)
		}
		return nil, usagef("read config %s: %v", path, errors.Unwrap(err))
	}
	cfg, err := policy.Load(path, data)
	if err != nil {
		le := &policy.LoadError{Name: path, Err: err}
		return nil, &codedError{code: exitcode.Usage, msg: le.Head(), detail: le.Detail(), cause: err}
	}
	return cfg, nil
}

// count writes n things: "1 user", "3 users".
func count(n int, s string) string { return fmt.Sprintf("%d %s", n, plural(n, s)) }

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
