package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	// Embedded zone data: a job's time zone must load in a distroless container too.
	_ "time/tzdata"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/daemon"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// ServeHooks let tests drive keywarden serve without signalling the process or waiting for
// real time. The zero value (or a nil *ServeHooks in Deps) is what the binary uses.
type ServeHooks struct {
	// Signals replaces the process's SIGHUP (reload), SIGTERM and SIGINT (shut down).
	Signals <-chan os.Signal
	// Clock drives the schedule; nil is the system clock.
	Clock daemon.Clock
	// Listening is called with the bound address once /healthz and /metrics are served.
	Listening func(addr string)
}

type serveOptions struct {
	*Deps
	*globalOptions
	Config      string
	Listen      string
	Once        string
	DryRun      bool
	NoNotify    bool
	Grace       time.Duration
	Concurrency int
	accountFlags
}

func newCmdServe(d *Deps, g *globalOptions, runF func(context.Context, *serveOptions) error) *cobra.Command {
	o := &serveOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "serve [-c FILE] [--listen ADDR] [--once JOB]",
		Long: `Run each job of the config that has a schedule at its cron time, in its time zone, until
stopped. Each run reads the keys the job selects, evaluates its rules and applies them, as
"keywarden apply" does: keys are re-read before each change, every change is recorded on the
user, and the key keywarden is signed with is never deactivated or deleted.

Logs are JSON lines on stderr: one per key acted on, one summary per run, never a secret.
/healthz and Prometheus /metrics are served on --listen. SIGHUP reloads the config (a bad
config is logged with its line:col problems and the running jobs carry on); SIGTERM or
SIGINT stops scheduling and lets running jobs finish (up to --shutdown-grace). A job whose
previous run is still going when its time comes again is skipped, not run twice.

--once JOB runs one job now, prints its results like apply and exits: for cron, systemd
timers and Kubernetes CronJobs. Jobs without a schedule run only this way.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden serve -c /etc/keywarden/keywarden.yaml
  keywarden serve -c keywarden.yaml --listen 0.0.0.0:9102 --dry-run
  keywarden serve -c keywarden.yaml --once curfew --output json
  systemctl reload keywarden      # SIGHUP: reload the config`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runServe(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Config, "config", "c", "keywarden.yaml", "the keywarden.yaml with the jobs")
	f.StringVar(&o.Listen, "listen", "127.0.0.1:9102", "address for /healthz and /metrics")
	f.StringVar(&o.Once, "once", "", "run this job now, print its results and exit")
	f.BoolVar(&o.DryRun, "dry-run", false, "make every run a dry run: log what would change, change nothing")
	f.BoolVar(&o.NoNotify, "no-notify", false, "tell no owner (the config's notify: block is not used)")
	durationFlag(cmd, &o.Grace, "shutdown-grace", daemon.DefaultShutdownGrace, "how long running jobs may finish after SIGTERM before they are cancelled, like 30s or 5m")
	f.IntVar(&o.Concurrency, "concurrency", 4, "users acted on at once within a run")
	o.accountFlags.addFlags(cmd)
	return cmd
}

func (o *serveOptions) validate() error {
	switch {
	case o.Config == "":
		return usagef("--config is empty: name the keywarden.yaml to run")
	case o.Once == "" && o.Listen == "":
		return usagef("--listen is empty: want an address like 127.0.0.1:9102")
	case o.Once == "" && !validListen(o.Listen):
		return usagef("--listen %q: want host:port, like 127.0.0.1:9102 (or :9102 for every interface)", o.Listen)
	case o.Grace <= 0:
		return usagef("--shutdown-grace %s: want more than zero, like 30s", flagDur(o.Grace))
	case o.Concurrency < 1:
		return usagef("--concurrency %d: want 1 or more", o.Concurrency)
	}
	return nil
}

func runServe(ctx context.Context, o *serveOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	cfg, err := readConfig(o.Config)
	if err != nil {
		return err
	}
	if _, err := o.accountFlags.spec(cfg.Accounts); err != nil {
		return err
	}
	if o.Once != "" {
		return runOnce(ctx, o, cfg)
	}
	if err := daemon.Check(o.Config, cfg); err != nil {
		return usageErr(err)
	}
	log := slog.New(slog.NewJSONHandler(o.Stderr, nil))
	// serve's stderr is its JSON log: a throttle is one more log line there, not a bare one.
	o.throttled = func(wait time.Duration, code string) {
		log.Warn("aws throttled, retrying", "code", code, "retry_in", wait.Round(time.Millisecond).String())
	}
	sess, err := o.session(ctx)
	if err != nil {
		return err
	}
	var hooks ServeHooks
	if o.Deps.ServeHooks != nil {
		hooks = *o.Deps.ServeHooks
	}
	clock := hooks.Clock
	if clock == nil {
		clock = systemClock{}
	}
	err = daemon.Serve(ctx, daemon.ServeOptions{
		Path: o.Config, Config: cfg, Load: readConfig,
		Accounts: func(ctx context.Context, cfg *policy.Config) ([]accounts.Account, jobs.Options, error) {
			return o.accountsFor(ctx, sess, cfg)
		},
		Sender: func(n *policy.Notify) jobs.Sender { return newSender(sess.cfg, n) },
		DryRun: o.DryRun, NoNotify: o.NoNotify, Listen: o.Listen, ShutdownGrace: o.Grace,
		Now: o.Now, Clock: clock, Log: log,
		Signals: hooks.Signals, Listening: hooks.Listening,
	})
	if bad := (*daemon.BadInputError)(nil); errors.As(err, &bad) {
		return usageErr(bad)
	}
	return err
}

// runOnce runs one job now and reports like apply: results on stdout, the exit code from them.
func runOnce(ctx context.Context, o *serveOptions, cfg *policy.Config) error {
	if _, ok := cfg.Job(o.Once); !ok {
		return usagef("--once %q: %s has no such job; it has %s", o.Once, o.Config, strings.Join(cfg.JobNames(), ", "))
	}
	sess, err := o.session(ctx)
	if err != nil {
		return err
	}
	accts, opts, err := o.accountsFor(ctx, sess, cfg)
	if err != nil {
		return err
	}
	if o.DryRun {
		fmt.Fprintln(o.Stderr, "keywarden: dry run: nothing will change")
	}
	opts.Apply = apply.Options{Origin: keys.JobOrigin(o.Once), DryRun: o.DryRun, Now: o.Now, Concurrency: o.Concurrency}
	p := newResultPrinter(o.globalOptions, o.Deps, accounts.Multi(accts))
	opts.OnResult = p.add
	runs := jobs.RunJobs(ctx, accts, cfg, []string{o.Once}, o.Now(), opts)
	if !accounts.Multi(accts) && runs[0].Err != nil {
		return awsErr("run job "+o.Once, runs[0].Err)
	}
	end := jobs.Finish(o.Once, runs)
	warnUnsettled(o.Stderr, end.Unsettled, "run")
	results := end.Results
	if len(results) == 0 {
		fmt.Fprintf(o.Stderr, "keywarden: job %s: no key to act on, nothing changed\n", o.Once)
	}
	err = p.finish(results)
	if ferr := accountFailures(o.Stderr, end.Failed, end.Accounts); ferr != nil && err == nil {
		err = ferr
	}
	// A dry run tells nobody: its warnings would be remembered as sent.
	summary := fmt.Sprintf("job %s: %s", o.Once, count(len(results), "key"))
	if nerr := tellOwners(ctx, o.Stderr, cfg, sess.cfg, runs, summary, o.NoNotify || o.DryRun); nerr != nil && err == nil {
		err = nerr
	}
	return err
}

// accountsFor resolves the accounts a run of cfg covers (the file's accounts: under the flags).
func (o *serveOptions) accountsFor(ctx context.Context, sess *session, cfg *policy.Config) ([]accounts.Account, jobs.Options, error) {
	opts := jobs.Options{Concurrency: o.Concurrency, Rotate: ruleRotation(o.Deps)}
	spec, err := o.accountFlags.spec(cfg.Accounts)
	if err != nil {
		return nil, opts, err
	}
	if spec != nil {
		opts.Accounts = spec.Concurrency
	}
	accts, err := sess.accounts(ctx, spec)
	return accts, opts, err
}

// validListen checks --listen's shape before anything starts, so that net.Listen's sentence
// ("listen tcp: address x: missing port in address") is never the user's.
func validListen(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}
