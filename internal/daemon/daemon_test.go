package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/daemon/daemontest"
	"github.com/keywarden/keywarden/internal/schedule"
)

// testTimeout only guards against a hung test; no test waits for it to pass.
const testTimeout = 10 * time.Second

type run struct {
	job       string
	scheduled time.Time
	started   time.Time
}

// harness drives a Daemon with a fake clock. Each time the loop is about to
// block, the instant it waits for arrives on waits.
type harness struct {
	t      *testing.T
	d      *Daemon
	clock  *daemontest.Clock
	waits  chan time.Time
	ran    chan string
	cancel context.CancelFunc
	served chan error
	logs   *lockedBuffer

	mu   sync.Mutex
	runs []run
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func job(t *testing.T, name, expr, zone string) Job {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	s, err := schedule.Parse(expr, loc)
	if err != nil {
		t.Fatal(err)
	}
	return Job{Name: name, Schedule: s}
}

// start begins Serve at now. body, if set, is the work of each run after it
// has been recorded.
func start(t *testing.T, now time.Time, jobs []Job, grace time.Duration, body Runner) *harness {
	t.Helper()
	return startCapped(t, now, jobs, grace, body, 1000*time.Hour)
}

// startCapped is start with the loop's longest single wait set to cap.
func startCapped(t *testing.T, now time.Time, jobs []Job, grace time.Duration, body Runner, cap time.Duration) *harness {
	t.Helper()
	h := &harness{
		t:      t,
		clock:  daemontest.NewClock(now),
		waits:  make(chan time.Time, 1000),
		ran:    make(chan string, 1000),
		served: make(chan error, 1),
		logs:   &lockedBuffer{},
	}
	h.d = New(Options{
		Jobs: jobs,
		Run: func(ctx context.Context, name string) error {
			sched, _ := ScheduledTime(ctx)
			h.mu.Lock()
			h.runs = append(h.runs, run{name, sched, h.clock.Now()})
			h.mu.Unlock()
			if body != nil {
				return body(ctx, name)
			}
			return nil
		},
		Clock:         h.clock,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, nil)),
		ShutdownGrace: grace,
	})
	h.d.maxWait = cap
	h.d.waiting = func(until time.Time) { h.waits <- until }
	h.d.ran = func(name string) { h.ran <- name }
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.served <- h.d.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.served:
		case <-time.After(testTimeout):
			t.Error("serve did not return")
		}
	})
	return h
}

func (h *harness) nextWait() time.Time {
	h.t.Helper()
	select {
	case w := <-h.waits:
		return w
	case <-time.After(testTimeout):
		h.t.Fatal("the loop never waited")
		return time.Time{}
	}
}

func (h *harness) awaitRun() string {
	h.t.Helper()
	select {
	case name := <-h.ran:
		return name
	case <-time.After(testTimeout):
		h.t.Fatal("no run finished")
		return ""
	}
}

// stop cancels Serve and returns its error once it has returned.
func (h *harness) stop() error {
	h.t.Helper()
	h.cancel()
	select {
	case err := <-h.served:
		h.served <- err // for Cleanup
		return err
	case <-time.After(testTimeout):
		h.t.Fatal("serve did not return")
		return nil
	}
}

func (h *harness) recorded() []run {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]run(nil), h.runs...)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestFiresAcrossDST steps the clock from one wait to the next across both
// 2026 changes in New York and checks every run's instant.
func TestFiresAcrossDST(t *testing.T) {
	tests := []struct {
		name       string
		from, to   string
		jobs       []Job
		wantByName map[string][]string
	}{
		{
			name: "spring forward",
			from: "2026-03-07T00:00:00Z", to: "2026-03-10T00:00:00Z",
			jobs: []Job{job(t, "gap", "30 2 * * *", "America/New_York"), job(t, "early", "30 1 * * *", "America/New_York"),
				job(t, "curfew", "0 0 * * *", "Asia/Tokyo")},
			wantByName: map[string][]string{
				"gap":    {"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
				"early":  {"2026-03-07T06:30:00Z", "2026-03-08T06:30:00Z", "2026-03-09T05:30:00Z"},
				"curfew": {"2026-03-07T15:00:00Z", "2026-03-08T15:00:00Z", "2026-03-09T15:00:00Z"},
			},
		},
		{
			name: "fall back",
			from: "2026-10-31T00:00:00Z", to: "2026-11-03T00:00:00Z",
			jobs: []Job{job(t, "twice", "30 1 * * *", "America/New_York"), job(t, "after", "30 2 * * *", "America/New_York")},
			wantByName: map[string][]string{
				"twice": {"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
				"after": {"2026-10-31T06:30:00Z", "2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, utc(tc.from), tc.jobs, time.Minute, nil)
			end := utc(tc.to)
			for w := h.nextWait(); !w.After(end); w = h.nextWait() {
				// The loop is blocked and has started every due run; let them
				// read the clock before it moves.
				h.d.wg.Wait()
				h.clock.Set(w)
			}
			if err := h.stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
			got := map[string][]string{}
			for _, r := range h.recorded() {
				if !r.scheduled.Equal(r.started) {
					t.Errorf("%s: scheduled %s but started %s", r.job, r.scheduled, r.started)
				}
				got[r.job] = append(got[r.job], r.started.UTC().Format(time.RFC3339))
			}
			for name, want := range tc.wantByName {
				if fmt.Sprint(got[name]) != fmt.Sprint(want) {
					t.Errorf("%s: ran at %v, want %v", name, got[name], want)
				}
			}
		})
	}
}

// TestOverlapIsSkipped blocks a run while the clock passes the job's next
// time: that time is skipped and counted, and the one after runs normally.
func TestOverlapIsSkipped(t *testing.T) {
	release := make(chan struct{})
	first := true
	var mu sync.Mutex
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "rotate", "*/15 * * * *", "UTC")}, time.Minute,
		func(ctx context.Context, name string) error {
			mu.Lock()
			block := first
			first = false
			mu.Unlock()
			if block {
				<-release
			}
			return nil
		})
	h.clock.Set(h.nextWait()) // 00:15 starts the blocking run
	h.clock.Set(h.nextWait()) // 00:30 finds it still running
	h.nextWait()              // 00:45: the 00:30 tick has been handled
	if got := metricValue(t, h.d, `keywarden_job_runs_total{job="rotate",outcome="skipped"}`); got != "1" {
		t.Errorf("skipped count %s, want 1", got)
	}
	if got := metricValue(t, h.d, `keywarden_job_running{job="rotate"}`); got != "1" {
		t.Errorf("running gauge %s, want 1", got)
	}
	close(release)
	h.awaitRun()
	h.clock.Set(utc("2026-11-23T00:45:00Z"))
	h.awaitRun()
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range h.recorded() {
		got = append(got, r.scheduled.Format("15:04"))
	}
	if fmt.Sprint(got) != "[00:15 00:45]" {
		t.Errorf("runs scheduled at %v, want [00:15 00:45]", got)
	}
	if !strings.Contains(h.logs.String(), `"msg":"job run skipped","job":"rotate","scheduled":"2026-11-23T00:30:00Z"`) {
		t.Errorf("no skip log for 00:30 in:\n%s", h.logs)
	}
	if got := metricValue(t, h.d, `keywarden_job_runs_total{job="rotate",outcome="success"}`); got != "2" {
		t.Errorf("success count %s, want 2", got)
	}
}

// TestLateWakeRunsOnce: missed times collapse into one run.
func TestLateWakeRunsOnce(t *testing.T) {
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "hourly", "0 * * * *", "UTC")}, time.Minute, nil)
	h.nextWait()
	h.clock.Set(utc("2026-11-23T03:30:00Z"))
	h.awaitRun()
	if w := h.nextWait(); !w.Equal(utc("2026-11-23T04:00:00Z")) {
		t.Errorf("next wait until %s, want 04:00", w)
	}
	if runs := h.recorded(); len(runs) != 1 || !runs[0].scheduled.Equal(utc("2026-11-23T01:00:00Z")) {
		t.Errorf("runs %v, want one scheduled at 01:00", runs)
	}
}

// TestWaitIsCapped: with the default cap the loop re-reads the clock at least
// every minute, so a clock jump is noticed.
func TestWaitIsCapped(t *testing.T) {
	h := startCapped(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "daily", "0 0 * * *", "UTC")}, time.Minute, nil, maxWait)
	if w := h.nextWait(); !w.Equal(utc("2026-11-23T00:01:00Z")) {
		t.Fatalf("first wait until %s, want 00:01 (one minute on)", w)
	}
	h.clock.Set(utc("2026-11-23T23:59:30Z")) // the wall clock jumps
	if w := h.nextWait(); !w.Equal(utc("2026-11-24T00:00:00Z")) {
		t.Errorf("wait after the jump until %s, want midnight", w)
	}
}

func TestReloadReplacesSchedules(t *testing.T) {
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "old", "0 * * * *", "UTC")}, time.Minute, nil)
	if w := h.nextWait(); !w.Equal(utc("2026-11-23T01:00:00Z")) {
		t.Fatalf("first wait until %s, want 01:00", w)
	}
	h.d.Reload([]Job{job(t, "new", "30 * * * *", "UTC")})
	w := h.nextWait()
	if !w.Equal(utc("2026-11-23T00:30:00Z")) {
		t.Fatalf("wait after reload until %s, want 00:30", w)
	}
	h.clock.Set(w)
	h.awaitRun()
	h.clock.Set(h.nextWait()) // 01:30; the old 01:00 must not fire
	h.awaitRun()
	var got []string
	for _, r := range h.recorded() {
		got = append(got, r.job+"@"+r.started.Format("15:04"))
	}
	if fmt.Sprint(got) != "[new@00:30 new@01:30]" {
		t.Errorf("runs %v, want [new@00:30 new@01:30]", got)
	}
}

func TestReloadToNoJobsWaitsForever(t *testing.T) {
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "old", "0 * * * *", "UTC")}, time.Minute, nil)
	h.nextWait()
	h.d.Reload(nil)
	if w := h.nextWait(); !w.IsZero() {
		t.Errorf("wait until %s, want no timer", w)
	}
	h.clock.Set(utc("2026-11-24T00:00:00Z"))
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if runs := h.recorded(); len(runs) != 0 {
		t.Errorf("runs %v after reloading to no jobs", runs)
	}
}

func TestShutdownWaitsForRunningJob(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var ctxErr error
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "deactivate", "0 * * * *", "UTC")}, 5*time.Minute,
		func(ctx context.Context, name string) error {
			close(started)
			<-release
			ctxErr = ctx.Err()
			return nil
		})
	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	h.clock.Set(h.nextWait())
	<-started
	h.nextWait()
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz while serving: %d, want 200", code)
	}
	h.cancel()
	if w := h.nextWait(); !w.Equal(utc("2026-11-23T01:05:00Z")) {
		t.Errorf("grace wait until %s, want 01:05", w)
	}
	select {
	case err := <-h.served:
		t.Fatalf("serve returned (%v) while a job was running", err)
	default:
	}
	if code, body := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("healthz during shutdown: %d %q, want 503 shutting down", code, body)
	}
	close(release)
	if err := h.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if ctxErr != nil {
		t.Errorf("job context cancelled within the grace period: %v", ctxErr)
	}
	if got := metricValue(t, h.d, `keywarden_job_runs_total{job="deactivate",outcome="success"}`); got != "1" {
		t.Errorf("success count %s, want 1", got)
	}
}

func TestShutdownCancelsAfterGrace(t *testing.T) {
	started := make(chan struct{})
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "stuck", "0 * * * *", "UTC")}, 5*time.Minute,
		func(ctx context.Context, name string) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
	h.clock.Set(h.nextWait())
	<-started
	h.nextWait()
	h.cancel()
	h.clock.Set(h.nextWait()) // the grace period ends
	if err := h.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if got := metricValue(t, h.d, `keywarden_job_runs_total{job="stuck",outcome="failure"}`); got != "1" {
		t.Errorf("failure count %s, want 1", got)
	}
	if !strings.Contains(h.logs.String(), "shutdown grace over, cancelling running jobs") {
		t.Errorf("no log of the cancellation in:\n%s", h.logs)
	}
}

func TestRunLogAndPanic(t *testing.T) {
	h := start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "boom", "0 * * * *", "UTC")}, time.Minute,
		func(ctx context.Context, name string) error {
			panic("bad key")
		})
	h.clock.Set(h.nextWait())
	h.awaitRun()
	h.clock.Set(h.nextWait()) // the daemon is still scheduling
	h.awaitRun()
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"job run"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for _, k := range []string{"job", "scheduled", "start", "duration", "outcome", "error"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("run log lacks %q: %v", k, rec)
		}
	}
	if rec["outcome"] != OutcomeFailure || !strings.Contains(fmt.Sprint(rec["error"]), "job boom panicked: bad key") {
		t.Errorf("run log %v, want failure with the panic", rec)
	}
}

func TestHealthzBeforeAndAfter(t *testing.T) {
	d := New(Options{Run: func(context.Context, string) error { return nil }, Clock: daemontest.NewClock(utc("2026-11-23T00:00:00Z"))})
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz before serve: %d, want 503", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan struct{}, 1)
	d.waiting = func(time.Time) { waiting <- struct{}{} }
	done := make(chan error)
	go func() { done <- d.Serve(ctx) }()
	<-waiting
	if code, body := get(t, srv.URL+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz while serving: %d %q, want 200 ok", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz after serve: %d, want 503", code)
	}
	if err := d.Serve(context.Background()); err == nil {
		t.Error("second serve: no error")
	}
}

func TestValidateJobs(t *testing.T) {
	j := job(t, "a", "0 0 * * *", "UTC")
	tests := []struct {
		name string
		jobs []Job
		want string
	}{
		{"ok", []Job{j, {Name: "b", Schedule: j.Schedule}}, ""},
		{"duplicate", []Job{j, j}, "job a is defined twice"},
		{"no name", []Job{{Schedule: j.Schedule}}, "job 1 has no name"},
		{"no schedule", []Job{{Name: "x"}}, "job x has no schedule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateJobs(tc.jobs)
			if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// metricValue returns the value of one series in the exposition, or "absent".
func metricValue(t *testing.T, d *Daemon, series string) string {
	t.Helper()
	var b bytes.Buffer
	if err := d.Metrics().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return "absent"
}

// serve's log gives durations as people read them, never slog's nanoseconds.
func TestLoggedDurationsAreReadable(t *testing.T) {
	var h *harness
	h = start(t, utc("2026-11-23T00:00:00Z"), []Job{job(t, "slow", "0 * * * *", "UTC")}, 3*time.Minute,
		func(ctx context.Context, name string) error {
			h.clock.Set(h.clock.Now().Add(1234 * time.Millisecond))
			return nil
		})
	h.clock.Set(h.nextWait())
	h.awaitRun()
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"job run"`, `"duration":"1.2s"`, `"msg":"scheduler stopping"`, `"grace":"3m0s"`} {
		if !strings.Contains(h.logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, h.logs)
		}
	}
}
