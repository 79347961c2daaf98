package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/schedule"
)

// Job is a named schedule. Names are unique within a job set.
type Job struct {
	Name     string
	Schedule *schedule.Schedule
	// Ahead > 0 fires the job Ahead before each of Schedule's times instead of at them: a
	// warning run (a curfew's warn:), whose runner reads the time it warns of from Due.
	Ahead time.Duration
}

// next is the job's first fire after now.
func (j Job) next(now time.Time) time.Time {
	if j.Ahead <= 0 {
		return j.Schedule.Next(now)
	}
	t := j.Schedule.Next(now.Add(j.Ahead))
	if t.IsZero() {
		return t
	}
	return t.Add(-j.Ahead)
}

// Runner does one run of the named job. ctx carries the scheduled time (see
// ScheduledTime) and is cancelled only when a shutdown's grace runs out.
type Runner func(ctx context.Context, job string) error

// DefaultShutdownGrace is how long running jobs may finish after shutdown
// begins when Options.ShutdownGrace is zero.
const DefaultShutdownGrace = 30 * time.Second

// maxWait bounds one sleep so that a wall-clock jump or a suspended host is
// noticed within a minute rather than at the end of a long timer.
const maxWait = time.Minute

// Options configures a Daemon. Only Run is required.
type Options struct {
	Jobs          []Job
	Run           Runner
	Clock         Clock         // required
	Logger        *slog.Logger  // nil: logs are discarded
	Metrics       *Metrics      // nil: a new, empty Metrics
	ShutdownGrace time.Duration // zero: DefaultShutdownGrace
}

type state int

const (
	stateNew state = iota
	stateServing
	stateStopping
	stateStopped
)

// Daemon runs jobs at their scheduled times. Its methods are safe for
// concurrent use.
type Daemon struct {
	run     Runner
	clock   Clock
	log     *slog.Logger
	metrics *Metrics
	grace   time.Duration
	maxWait time.Duration

	reload chan struct{}
	wg     sync.WaitGroup
	// started is closed once the loop runs (/healthz answers 200 from then on).
	started chan struct{}

	mu      sync.Mutex
	jobs    []Job
	running map[string]time.Time // job name → scheduled time of the run in progress
	state   state

	// Test hooks: waiting is called just before the loop blocks, with the
	// instant its timer fires (zero when it waits only for reload or ctx);
	// ran is called after a run's bookkeeping is done.
	waiting func(until time.Time)
	ran     func(job string)
}

// New returns a daemon that has not started; call Serve.
func New(opts Options) *Daemon {
	d := &Daemon{
		run:     opts.Run,
		clock:   opts.Clock,
		log:     opts.Logger,
		metrics: opts.Metrics,
		grace:   opts.ShutdownGrace,
		maxWait: maxWait,
		reload:  make(chan struct{}, 1),
		started: make(chan struct{}),
		running: map[string]time.Time{},
	}
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.metrics == nil {
		var start time.Time // a Daemon built without a clock reports no start time
		if opts.Clock != nil {
			start = opts.Clock.Now()
		}
		d.metrics = NewMetrics(start)
	}
	if d.grace == 0 {
		d.grace = DefaultShutdownGrace
	}
	d.jobs = d.usable(opts.Jobs)
	return d
}

// Metrics returns the metrics the daemon records into, for SetGauge.
func (d *Daemon) Metrics() *Metrics { return d.metrics }

// ValidateJobs reports the first job that Reload or New would drop: an empty
// or duplicate name, or a nil schedule.
func ValidateJobs(jobs []Job) error {
	seen := map[string]bool{}
	for i, j := range jobs {
		switch {
		case j.Name == "":
			return fmt.Errorf("job %d has no name", i+1)
		case j.Schedule == nil:
			return fmt.Errorf("job %s has no schedule", j.Name)
		case seen[j.Name]:
			return fmt.Errorf("job %s is defined twice", j.Name)
		}
		seen[j.Name] = true
	}
	return nil
}

// usable drops jobs ValidateJobs would reject, so that a caller's mistake
// costs one job rather than the daemon.
func (d *Daemon) usable(jobs []Job) []Job {
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		if err := ValidateJobs(append(slices.Clone(out), j)); err != nil {
			d.log.Error("job dropped", "job", j.Name, "error", err.Error())
			continue
		}
		out = append(out, j)
	}
	names := make([]string, len(out))
	for i, j := range out {
		names[i] = j.Name
	}
	d.metrics.addJobs(names)
	return out
}

// Reload replaces the job set atomically. Runs in progress carry on, and a
// job kept under the same name is still never run twice at once. The caller
// validates the new configuration first.
func (d *Daemon) Reload(jobs []Job) {
	jobs = d.usable(jobs)
	d.mu.Lock()
	d.jobs = jobs
	d.mu.Unlock()
	select {
	case d.reload <- struct{}{}:
	default: // a reload is already pending; it will read the newest jobs
	}
	d.log.Info("jobs reloaded", "jobs", len(jobs))
}

// Serve runs the loop until ctx is cancelled, then shuts down as described in
// the package documentation and returns nil. It may be called once.
func (d *Daemon) Serve(ctx context.Context) error {
	if d.run == nil {
		return errors.New("daemon: no runner")
	}
	if d.clock == nil {
		return errors.New("daemon: no clock")
	}
	d.mu.Lock()
	if d.state != stateNew {
		d.mu.Unlock()
		return errors.New("daemon: serve called twice")
	}
	d.state = stateServing
	jobs := d.jobs
	d.mu.Unlock()
	close(d.started)

	// Runs outlive ctx for the grace period, but keep its values.
	jobsCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()

	now := d.clock.Now()
	next := d.plan(jobs, now)
	d.log.Info("scheduler started", "jobs", len(jobs))
	for {
		wake := d.wait(next, now)
		select {
		case <-ctx.Done():
			return d.shutdown(cancelJobs)
		case <-d.reload:
			d.mu.Lock()
			jobs = d.jobs
			d.mu.Unlock()
			now = d.clock.Now()
			next = d.plan(jobs, now)
		case <-wake:
			if ctx.Err() != nil {
				return d.shutdown(cancelJobs)
			}
			now = d.clock.Now()
			for i, j := range jobs {
				if !next[i].IsZero() && !next[i].After(now) {
					d.start(jobsCtx, j, next[i])
					next[i] = j.next(now)
				}
			}
		}
	}
}

// plan returns each job's next fire after now; zero means never.
func (d *Daemon) plan(jobs []Job, now time.Time) []time.Time {
	next := make([]time.Time, len(jobs))
	for i, j := range jobs {
		next[i] = j.next(now)
		d.log.Debug("job scheduled", "job", j.Name, "next", next[i])
	}
	return next
}

// wait returns a channel that fires at the earliest next time, or nil (wait
// forever) when no job will fire.
func (d *Daemon) wait(next []time.Time, now time.Time) <-chan time.Time {
	var earliest time.Time
	for _, t := range next {
		if !t.IsZero() && (earliest.IsZero() || t.Before(earliest)) {
			earliest = t
		}
	}
	if earliest.IsZero() {
		d.hookWaiting(time.Time{})
		return nil
	}
	dur := min(max(earliest.Sub(now), 0), d.maxWait)
	ch := d.clock.After(dur)
	d.hookWaiting(now.Add(dur))
	return ch
}

func (d *Daemon) hookWaiting(until time.Time) {
	if d.waiting != nil {
		d.waiting(until)
	}
}

// start runs job in its own goroutine unless its previous run is still going.
func (d *Daemon) start(ctx context.Context, job Job, scheduled time.Time) {
	d.mu.Lock()
	prev, busy := d.running[job.Name]
	if !busy {
		d.running[job.Name] = scheduled
		d.wg.Add(1)
	}
	d.mu.Unlock()
	if busy {
		d.metrics.countRun(job.Name, OutcomeSkipped)
		d.log.Warn("job run skipped", "job", job.Name, "scheduled", scheduled,
			"outcome", OutcomeSkipped, "reason", "previous run still running", "previous_scheduled", prev)
		return
	}
	d.metrics.setRunning(job.Name, true)
	if job.Ahead > 0 {
		ctx = context.WithValue(ctx, dueKey{}, scheduled.Add(job.Ahead))
	}
	go d.execute(ctx, job.Name, scheduled)
}

func (d *Daemon) execute(ctx context.Context, name string, scheduled time.Time) {
	defer d.wg.Done()
	start := d.clock.Now()
	err := d.call(withScheduled(ctx, scheduled), name)
	end := d.clock.Now()

	outcome := OutcomeSuccess
	if err != nil {
		outcome = OutcomeFailure
	}
	// Metrics before the running mark is cleared, so a next run's running=1
	// cannot be overwritten by this run's running=0.
	d.metrics.finishRun(name, outcome, end)
	d.mu.Lock()
	delete(d.running, name)
	d.mu.Unlock()
	attrs := []any{"job", name, "scheduled", scheduled, "start", start, "duration", readable(end.Sub(start)), "outcome", outcome}
	if err != nil {
		d.log.Error("job run", append(attrs, "error", err.Error())...)
	} else {
		d.log.Info("job run", attrs...)
	}
	if d.ran != nil {
		d.ran(name)
	}
}

// call runs the job, turning a panic into an error so one bad run does not
// end the daemon.
func (d *Daemon) call(ctx context.Context, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %s panicked: %v", name, r)
		}
	}()
	return d.run(ctx, name)
}

func (d *Daemon) shutdown(cancelJobs context.CancelFunc) error {
	d.mu.Lock()
	d.state = stateStopping
	names := d.runningNames()
	d.mu.Unlock()
	d.log.Info("scheduler stopping", "running", names, "grace", readable(d.grace))

	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	default:
		timer := d.clock.After(d.grace)
		d.hookWaiting(d.clock.Now().Add(d.grace))
		select {
		case <-done:
		case <-timer:
			d.mu.Lock()
			names = d.runningNames()
			d.mu.Unlock()
			d.log.Warn("shutdown grace over, cancelling running jobs", "running", names, "grace", readable(d.grace))
			cancelJobs()
			<-done
		}
	}
	d.mu.Lock()
	d.state = stateStopped
	d.mu.Unlock()
	d.log.Info("scheduler stopped")
	return nil
}

// runningNames lists jobs in progress, sorted; d.mu must be held.
func (d *Daemon) runningNames() []string {
	names := make([]string, 0, len(d.running))
	for n := range d.running {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

type scheduledKey struct{}

func withScheduled(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, scheduledKey{}, t)
}

// ScheduledTime returns the cron time a run was started for, which can be
// earlier than the clock when the loop woke late.
func ScheduledTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(scheduledKey{}).(time.Time)
	return t, ok
}

type dueKey struct{}

// Due returns the run time a warning run (a Job with Ahead) warns of; ok is false in any other
// run.
func Due(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(dueKey{}).(time.Time)
	return t, ok
}

// readable is a duration as people read it ("1.2s", "3m0s"): slog's JSON handler writes a
// time.Duration as nanoseconds, which nobody reading serve's log can take in at a glance.
func readable(d time.Duration) string {
	if d > time.Second {
		d = d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond).String()
}
