package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/schedule"
)

// scheduledJobs turns the config's jobs that have a schedule into daemon jobs, and returns
// the others apart so serve can say it will not run them.
func scheduledJobs(path string, cfg *policy.Config) ([]Job, []policy.Job, error) {
	var jobs []Job
	var unscheduled []policy.Job
	var errs []error
	for _, j := range cfg.Jobs {
		if j.Schedule == "" {
			unscheduled = append(unscheduled, j)
			continue
		}
		// policy.Load parsed it with internal/schedule; a config built by hand may not have.
		s := j.Cron
		if s == nil {
			var err error
			if s, err = schedule.Parse(j.Schedule, j.Location); err != nil {
				errs = append(errs, fmt.Errorf("%s: job %q: schedule %q: %w", path, j.Name, j.Schedule, err))
				continue
			}
		}
		jobs = append(jobs, Job{Name: j.Name, Schedule: s})
		if w := j.CurfewWarn(); w > 0 {
			jobs = append(jobs, Job{Name: j.Name + warnSuffix, Schedule: s, Ahead: w})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if err := ValidateJobs(jobs); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return jobs, unscheduled, nil
}

// reload reads the config again. A config that would not start serve is rejected whole and
// the jobs already scheduled carry on, so a typo in production costs a log line, not the curfew.
func (s *server) reload() {
	path := s.o.Path
	cfg, err := s.o.Load(path)
	var jobs []Job
	var unscheduled []policy.Job
	if err == nil {
		jobs, unscheduled, err = scheduledJobs(path, cfg)
	}
	if err == nil && len(jobs) == 0 {
		err = fmt.Errorf("%s: no job has a schedule", path)
	}
	if err != nil {
		s.log.Error("config reload rejected, the previous jobs keep running", "config", path, "problems", problems(err))
		return
	}
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
	s.d.Reload(jobs)
	s.log.Info("config reloaded", "config", path, "jobs", cfg.JobNames())
	s.logSchedule(cfg, jobs, unscheduled)
}

// logSchedule says when each job fires next, in its own zone and in UTC, so a curfew set for
// the wrong zone is caught when the service starts rather than the morning after.
func (s *server) logSchedule(cfg *policy.Config, jobs []Job, unscheduled []policy.Job) {
	now := s.o.Clock.Now()
	for _, j := range jobs {
		if j.Ahead > 0 {
			continue // said with its job
		}
		pj, _ := cfg.Job(j.Name)
		next := j.Schedule.Next(now)
		attrs := []any{"job", j.Name, "schedule", j.Schedule.String(), "timezone", pj.TZName,
			"next", next.In(j.Schedule.Location()).Format(time.RFC3339), "next_utc", next.UTC().Format(time.RFC3339)}
		if w := pj.CurfewWarn(); w > 0 {
			attrs = append(attrs, "warn", policy.Duration(w).String())
		}
		s.log.Info("job scheduled", attrs...)
	}
	for _, j := range unscheduled {
		s.log.Info("job not scheduled", "job", j.Name, "reason", "it has no schedule; run it with serve --once")
	}
}

// run is one scheduled run of a job in every account the config covers: read, evaluate,
// apply (jobs.RunJobs), then log and record what it saw. The accounts are resolved each run,
// so an account that joins the organization is covered from its next run on.
func (s *server) run(ctx context.Context, name string) error {
	if due, ok := Due(ctx); ok {
		return s.warnRun(ctx, strings.TrimSuffix(name, warnSuffix), due)
	}
	cfg := s.config()
	job, ok := cfg.Job(name)
	if !ok {
		return fmt.Errorf("job %s was removed from the config by a reload", name)
	}
	accts, opts, err := s.o.Accounts(ctx, cfg)
	if err != nil {
		return err
	}
	now := s.o.Now()
	opts.Apply = apply.Options{Origin: keys.JobOrigin(name), DryRun: s.o.DryRun, Now: s.o.Now, Concurrency: opts.Concurrency}
	opts.OnResult = func(r jobs.Result) { jobs.LogKey(s.log, r) }
	opts.Rotate.Progress = func(user, msg string) { s.log.Info("rotation", "job", name, "user", user, "step", msg) }
	opts.Rotate = fired(ctx, opts.Rotate)
	runs := jobs.RunJobs(ctx, accts, cfg, []string{name}, now, opts)
	end := jobs.Finish(name, runs)
	end.Log(s.log)
	active, inactive := 0, 0
	for _, run := range runs {
		labels := map[string]string{"job": name, "account": run.Account.ID}
		if run.Err != nil {
			s.d.Metrics().SetGauge(failedMetric, failedHelp, labels, 1)
			continue
		}
		if run.Account.ID != "" {
			s.d.Metrics().SetGauge(failedMetric, failedHelp, labels, 0)
		}
		a, i := s.recordKeys(job, run, now)
		active, inactive = active+a, inactive+i
	}
	if !accounts.Multi(accts) && len(end.Failed) > 0 {
		return &jobs.StepError{What: "run job " + name, Err: runs[0].Err}
	}
	scheduled, _ := ScheduledTime(ctx)
	attrs := []any{"job", name, "scheduled", scheduled, "dry_run", s.o.DryRun,
		"active_keys", active, "inactive_keys", inactive, "actions", len(end.Results), "outcomes", end.Outcomes}
	if accounts.Multi(accts) {
		attrs = append(attrs, "accounts", len(accts), "failed_accounts", len(end.Failed))
	}
	s.log.Info("job summary", attrs...)
	nerr := s.tell(ctx, cfg, name, runs)
	err = end.KeysErr()
	if len(end.Failed) > 0 && err == nil {
		err = fmt.Errorf("%d of %d accounts failed", len(end.Failed), len(accts))
	}
	if err == nil {
		err = nerr
	}
	return err
}

// fired gives a rule's rotations the cron time the run was started for as their firing (their
// token is job:NAME@FIRETIME), not the moment the loop woke: a run of the same firing is the
// same request.
func fired(ctx context.Context, o jobs.RotateOptions) jobs.RotateOptions {
	if t, ok := ScheduledTime(ctx); ok {
		o.FireTime = t
	}
	return o
}

// tell sends the run's notices and logs one line per channel; a failed channel fails the run
// (its metric says so) but the key changes stand.
func (s *server) tell(ctx context.Context, cfg *policy.Config, job string, runs []jobs.Run) error {
	if cfg.Notify == nil || s.o.NoNotify || s.o.DryRun {
		return nil
	}
	return jobs.TellLogged(ctx, s.log, runs, cfg.Notify, s.o.Sender(cfg.Notify), job)
}

const (
	keysMetric   = "keywarden_access_keys"
	keysHelp     = "Access keys of the users a job selects, by status, as of the job's last run (after its changes)."
	oldestMetric = "keywarden_oldest_active_key_age_seconds"
	oldestHelp   = "Age of the oldest active key of the users a job selects, as of the job's last run; 0 when none is active."
	failedMetric = "keywarden_account_failed"
	failedHelp   = "1 when a job's last run could not read or act in the account (role not assumed, calls denied or throttled), else 0."
)

// recordKeys sets the key gauges of job from its run. The inventory is read before the run
// acts, so the run's own changes are applied to it: after a curfew the gauges say the keys
// are inactive. The gauges are per job because each job reads only the users it selects, and
// per account ("" in a run of the caller's account only, which Prometheus reads as no label).
func (s *server) recordKeys(job policy.Job, run jobs.Run, now time.Time) (active, inactive int) {
	type state struct {
		status  string
		created time.Time
	}
	byID := map[string]state{}
	for _, u := range run.Inventory.Users {
		if !job.Select.Match(u) {
			continue
		}
		for _, k := range u.Keys {
			byID[k.AccessKeyID] = state{k.Status, k.Created}
		}
	}
	if !s.o.DryRun {
		for _, r := range run.Results {
			st, ok := byID[r.AccessKeyID]
			if !ok {
				continue
			}
			switch r.Outcome {
			case apply.Deactivated:
				st.status = keys.Inactive
			case apply.Activated:
				st.status = keys.Active
			case apply.Deleted:
				delete(byID, r.AccessKeyID)
				continue
			}
			byID[r.AccessKeyID] = st
		}
	}
	var oldest time.Time
	for _, st := range byID {
		switch st.status {
		case keys.Active:
			active++
			if oldest.IsZero() || st.created.Before(oldest) {
				oldest = st.created
			}
		case keys.Inactive:
			inactive++
		}
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(now.Sub(oldest).Seconds(), 0)
	}
	m := s.d.Metrics()
	acct := run.Account.ID
	m.SetGauge(keysMetric, keysHelp, map[string]string{"job": job.Name, "account": acct, "status": keys.Active}, float64(active))
	m.SetGauge(keysMetric, keysHelp, map[string]string{"job": job.Name, "account": acct, "status": keys.Inactive}, float64(inactive))
	m.SetGauge(oldestMetric, oldestHelp, map[string]string{"job": job.Name, "account": acct}, age)
	return active, inactive
}
