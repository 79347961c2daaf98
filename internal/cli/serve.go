package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	// Embedded zone data: a job's time zone must load in a distroless container too.
	_ "time/tzdata"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/daemon"
	"github.com/keywarden/keywarden/internal/jobs"
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
		Use:   "serve [-c FILE] [--listen ADDR] [--once JOB]",
		Short: "Run the jobs of a keywarden.yaml at their cron times, or one job now",
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

` + exitCodesHelp,
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
	jobs, unscheduled, err := scheduledJobs(o.Config, cfg)
	if err != nil {
		return usageErr(err)
	}
	if len(jobs) == 0 {
		return usagef("no job in %s has a schedule, so serve would never run one; run a job with --once JOB", o.Config)
	}
	sess, err := o.session(ctx)
	if err != nil {
		return err
	}
	var hooks ServeHooks
	if o.Deps.ServeHooks != nil {
		hooks = *o.Deps.ServeHooks
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return usagef("listen on %s: %v", o.Listen, err)
	}

	log := slog.New(slog.NewJSONHandler(o.Stderr, nil))
	s := &server{o: o, sess: sess, log: log, cfg: cfg}
	clock := hooks.Clock
	if clock == nil {
		clock = systemClock{}
	}
	d := daemon.New(daemon.Options{
		Jobs: jobs, Run: s.run, Clock: clock, Logger: log,
		Metrics: daemon.NewMetrics(), ShutdownGrace: o.Grace,
	})
	s.d = d
	s.clock = clock

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := hooks.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(ch)
		sigs = ch
	}
	go s.handleSignals(ctx, sigs, cancel)

	srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	served := make(chan struct{})
	go func() {
		_ = d.Serve(ctx) // returns once running jobs have finished
		close(served)
	}()
	addr := ln.Addr().String()
	if awaitServing(d.Handler(), served) {
		log.Info("keywarden serve started", "config", o.Config, "listen", addr, "dry_run", o.DryRun)
		s.logSchedule(cfg, jobs, unscheduled)
		if hooks.Listening != nil {
			hooks.Listening(addr)
		}
	}

	var httpErr error
	select {
	case <-served:
	case httpErr = <-httpDone:
		// /metrics and /healthz are part of the service: if they die, stop rather than run blind.
		log.Error("http server failed", "listen", addr, "error", httpErr.Error())
		cancel()
		<-served
	}
	shut, cancelShut := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancelShut()
	_ = srv.Shutdown(shut)
	if httpErr != nil {
		return fmt.Errorf("serve /metrics on %s: %w", addr, httpErr)
	}
	return nil
}

// awaitServing waits until the daemon's own /healthz says its loop runs, so that "started"
// is never logged (nor a readiness probe pointed at us) while /healthz still answers 503. It
// reports false if Serve returned first.
func awaitServing(h http.Handler, served <-chan struct{}) bool {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		var rec statusRecorder
		req, _ := http.NewRequest(http.MethodGet, "/healthz", nil)
		h.ServeHTTP(&rec, req)
		if rec.code == http.StatusOK {
			return true
		}
		select {
		case <-served:
			return false
		case <-tick.C:
		}
	}
}

// statusRecorder keeps only the status of a response (httptest is for tests).
type statusRecorder struct {
	code int
	h    http.Header
}

func (r *statusRecorder) Header() http.Header {
	if r.h == nil {
		r.h = http.Header{}
	}
	return r.h
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(p), nil
}

func (s *server) handleSignals(ctx context.Context, sigs <-chan os.Signal, stop context.CancelFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				s.reload()
				continue
			}
			s.log.Info("shutting down", "signal", sig.String())
			stop()
		}
	}
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
	opts.Apply = o.applyOptions(o.Once)
	p := newResultPrinter(o.globalOptions, o.Deps, multi(accts))
	opts.OnResult = p.add
	runs := jobs.RunJobs(ctx, accts, cfg, []string{o.Once}, o.Now(), opts)
	if !multi(accts) && runs[0].Err != nil {
		return awsErr("run job "+o.Once, runs[0].Err)
	}
	warnUnsettled(o.Stderr, jobs.PlansOf(runs), "run")
	results := jobs.Results(runs)
	if len(results) == 0 {
		fmt.Fprintf(o.Stderr, "keywarden: job %s: no key to act on, nothing changed\n", o.Once)
	}
	err = p.finish(results)
	if ferr := accountFailures(o.Stderr, jobs.Failures(jobs.PlansOf(runs)), len(runs)); ferr != nil && err == nil {
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

func (o *serveOptions) applyOptions(job string) apply.Options {
	return apply.Options{Origin: jobs.Origin(job), DryRun: o.DryRun, Now: o.Now, Concurrency: o.Concurrency}
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
