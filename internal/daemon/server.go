package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

// ServeOptions are what keywarden serve runs with: the command fills them from its flags and
// the session it opened, and calls Serve.
type ServeOptions struct {
	// Path is the config's file, read again on SIGHUP with Load; Config is its first reading.
	Path   string
	Config *policy.Config
	Load   func(path string) (*policy.Config, error)
	// Accounts resolves the accounts a run of cfg covers, each run, so an account that joins
	// the organization is covered from its next run on; its options carry the concurrency and
	// what rotate rules need.
	Accounts func(ctx context.Context, cfg *policy.Config) ([]accounts.Account, jobs.Options, error)
	// Sender builds the notify: block's channels.
	Sender func(*policy.Notify) jobs.Sender
	// DryRun makes every run change nothing; NoNotify tells no owner.
	DryRun, NoNotify bool
	Listen           string
	ShutdownGrace    time.Duration
	Now              func() time.Time
	Clock            Clock
	Log              *slog.Logger
	// Signals replaces the process's SIGHUP (reload), SIGTERM and SIGINT (shut down).
	Signals <-chan os.Signal
	// Listening is called with the bound address once /healthz and /metrics are served.
	Listening func(addr string)
}

// BadInputError is a config or listen address serve cannot start with: bad input, which the
// command reports as such (exit 2), with nothing started.
type BadInputError struct{ Err error }

func (e *BadInputError) Error() string { return e.Err.Error() }
func (e *BadInputError) Unwrap() error { return e.Err }

func badInput(format string, a ...any) error { return &BadInputError{Err: fmt.Errorf(format, a...)} }

// server is what serve's runs share: the options and the config, which a reload replaces
// while runs of the old one may still be going.
type server struct {
	o   ServeOptions
	log *slog.Logger
	d   *Daemon

	mu  sync.Mutex
	cfg *policy.Config
}

// Check refuses a config serve cannot start with (no scheduled job, a schedule that does not
// parse, jobs that clash) as bad input, before the command opens any AWS session.
func Check(path string, cfg *policy.Config) error {
	jobs, _, err := scheduledJobs(path, cfg)
	if err != nil {
		return &BadInputError{Err: err}
	}
	if len(jobs) == 0 {
		return badInput("no job in %s has a schedule, so serve would never run one; run a job with --once JOB", path)
	}
	return nil
}

// Serve runs each scheduled job of the config at its time until ctx is done or a SIGTERM
// comes, serving /healthz and /metrics on o.Listen; it returns once running jobs finished.
func Serve(ctx context.Context, o ServeOptions) error {
	if err := Check(o.Path, o.Config); err != nil {
		return err
	}
	jobs, unscheduled, _ := scheduledJobs(o.Path, o.Config)
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return badInput("listen on %s: %v", o.Listen, err)
	}
	log := o.Log
	s := &server{o: o, log: log, cfg: o.Config}
	s.d = New(Options{Jobs: jobs, Run: s.run, Clock: o.Clock, Logger: log, Metrics: NewMetrics(o.Clock.Now()), ShutdownGrace: o.ShutdownGrace})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := o.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(ch)
		sigs = ch
	}
	go s.handleSignals(ctx, sigs, cancel)

	srv := &http.Server{Handler: s.d.Handler(), ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	served := make(chan struct{})
	go func() {
		_ = s.d.Serve(ctx) // returns once running jobs have finished
		close(served)
	}()
	addr := ln.Addr().String()
	// "started" is never logged (nor a readiness probe pointed at us) while /healthz still
	// answers 503; if the loop ended first it is not logged at all.
	started := false
	select {
	case <-s.d.started:
		started = true
	case <-served:
	}
	if started {
		log.Info("keywarden serve started", "config", o.Path, "listen", addr, "dry_run", o.DryRun)
		s.logSchedule(o.Config, jobs, unscheduled)
		if o.Listening != nil {
			o.Listening(addr)
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

func (s *server) config() *policy.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// problems lists a config error one problem a line, as the log's "problems" array.
func problems(err error) []string {
	var ve *policy.ValidationError
	if errors.As(err, &ve) {
		out := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			out[i] = p.String()
		}
		return out
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []string
		for _, e := range joined.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
