package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/daemon/daemontest"
	"github.com/keywarden/keywarden/test/emu"
)

// serveWait bounds every wait for the daemon; no test passes by waiting it out.
const serveWait = 20 * time.Second

// curfewAt is the sample curfew: midnight in Tokyo is 15:00 UTC, so it first fires at
// 2026-11-23T15:00:00Z when the clock starts a minute before.
const curfewYAML = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select:
      users: [access-key-user]
    do:
      - deactivate: {}
  manual:
    select:
      users: [nobody]
    do:
      - deactivate: {}
`

var beforeCurfew = time.Date(2026, 11, 23, 14, 59, 0, 0, time.UTC)

func writeConfig(t *testing.T, path, text string) string {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "keywarden.yaml")
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServeOnceCurfew(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "access-key-user", 2)
	other := mkUser(t, c, "other", 1)
	cfg := writeConfig(t, "", curfewYAML)

	r := kw(t, admin(t), "serve", "-c", cfg, "--once", "curfew")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, id := range ids {
		if !strings.Contains(r.stdout, id+" access-key-user deactivated\n") {
			t.Errorf("stdout lacks %s deactivated:\n%s", id, r.stdout)
		}
		if st := statusByCLI(t, "access-key-user", id); st != "Inactive" {
			t.Errorf("%s is %s after --once curfew", id, st)
		}
	}
	if st := statusByCLI(t, "other", other[0]); st != "Active" {
		t.Errorf("a user the job does not select was touched: %s", st)
	}
	tags := tagsByCLI(t, "access-key-user")
	if !strings.Contains(tags["keywarden:"+ids[0]], "job:curfew") {
		t.Errorf("provenance does not name the job: %v", tags)
	}

	again := kw(t, admin(t), "serve", "-c", cfg, "--once", "curfew", "--output", "json")
	if again.code != 0 || strings.TrimSpace(again.stdout) != "[]" || !strings.Contains(again.stderr, "job curfew: no key to act on, nothing changed") {
		t.Fatalf("second run: exit %d, stdout %q, stderr %q", again.code, again.stdout, again.stderr)
	}
	if after := tagsByCLI(t, "access-key-user"); after["keywarden:"+ids[0]] != tags["keywarden:"+ids[0]] {
		t.Errorf("second run rewrote provenance: %q then %q", tags["keywarden:"+ids[0]], after["keywarden:"+ids[0]])
	}
}

func TestServeOnceFailureSetsExitCode(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "access-key-user", 1)
	cfg := writeConfig(t, "", curfewYAML)
	p := moto(t).Proxy(t)
	p.FailWhen(func(call emu.Call) bool { return call.Action == "UpdateAccessKey" }, emu.ServerError)
	r := kw(t, p.Config(witness(t)[0], witness(t)[1]), "serve", "-c", cfg, "--once", "curfew")
	if r.code != 1 || !strings.Contains(r.stderr, "1 of 1 key failed") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming the failed key", r.code, r.stderr)
	}
}

// lockedBuffer is a bytes.Buffer a test may read while a goroutine or child process still
// writes to it.
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

// served is keywarden serve running in-process on a fake clock.
type served struct {
	t      *testing.T
	clock  *daemontest.Clock
	sigs   chan os.Signal
	cancel context.CancelFunc
	stderr *lockedBuffer
	url    string
	done   chan int
}

// startServe runs "keywarden serve" with args in-process against cfg, its clock at now.
func startServe(t *testing.T, cfg aws.Config, now time.Time, args ...string) *served {
	t.Helper()
	s := &served{
		t: t, clock: newServeClock(now), sigs: make(chan os.Signal, 1),
		stderr: &lockedBuffer{}, done: make(chan int, 1),
	}
	addr := make(chan string, 1)
	d := &cli.Deps{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: s.stderr,
		Now: s.clock.Now, Getenv: func(string) string { return "" },
		LoadAWS: func(context.Context, awsconfig.Options) (aws.Config, error) { return cfg, nil },
		ServeHooks: &cli.ServeHooks{
			Signals: s.sigs, Clock: s.clock,
			Listening: func(a string) { addr <- a },
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- cli.Run(ctx, d, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)) }()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case code := <-s.done:
		t.Fatalf("serve exited %d before listening:\n%s", code, s.stderr)
	case <-time.After(serveWait):
		t.Fatalf("serve never listened:\n%s", s.stderr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(serveWait):
			t.Error("serve did not return")
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", s.stderr)
		}
	})
	return s
}

// fire waits until the scheduler is waiting, then moves the clock to at.
func (s *served) fire(at time.Time) {
	s.t.Helper()
	s.clock.NextWait(s.t, serveWait)
	s.clock.Set(at)
}

// logLines parses the JSON log lines so far; a line that is not JSON fails the test.
func (s *served) logLines() []map[string]any {
	s.t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			s.t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// awaitLog waits for a log line with msg whose fields include want, and returns it.
func (s *served) awaitLog(msg string, want map[string]any) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(serveWait)
	for time.Now().Before(deadline) {
		if l := findLog(s.logLines(), msg, want); l != nil {
			return l
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("no log line %q with %v in:\n%s", msg, want, s.stderr)
	return nil
}

func findLog(lines []map[string]any, msg string, want map[string]any) map[string]any {
	for _, l := range lines {
		if l["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range want {
			if l[k] != v {
				ok = false
			}
		}
		if ok {
			return l
		}
	}
	return nil
}

func (s *served) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *served) wantMetrics(lines ...string) {
	s.t.Helper()
	_, text := s.get("/metrics")
	// Values compare as numbers: the Prometheus library writes 1795446000 as 1.795446e+09.
	for _, l := range lines {
		i := strings.LastIndex(l, " ")
		series, want := l[:i+1], l[i+1:]
		found := false
		for _, line := range strings.Split(text, "\n") {
			if v, ok := strings.CutPrefix(line, series); ok {
				got, err1 := strconv.ParseFloat(v, 64)
				w, err2 := strconv.ParseFloat(want, 64)
				found = err1 == nil && err2 == nil && got == w
				break
			}
		}
		if !found {
			s.t.Errorf("metrics lack %s:\n%s", l, text)
		}
	}
}

func TestServeRunsCurfewAtItsTimeAndServesMetrics(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "access-key-user", 0)
	id1, secret1 := mkKey(t, c, "access-key-user")
	id2, secret2 := mkKey(t, c, "access-key-user")
	cfg := writeConfig(t, "", curfewYAML)
	s := startServe(t, admin(t), beforeCurfew, "-c", cfg)

	if code, body := s.get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	s.awaitLog("job scheduled", map[string]any{"job": "curfew", "timezone": "Asia/Tokyo",
		"next": "2026-11-24T00:00:00+09:00", "next_utc": "2026-11-23T15:00:00Z"})
	s.awaitLog("job not scheduled", map[string]any{"job": "manual"})

	s.fire(beforeCurfew.Add(time.Minute))
	s.awaitLog("job run", map[string]any{"job": "curfew", "outcome": "success"})
	for _, id := range []string{id1, id2} {
		if st := statusByCLI(t, "access-key-user", id); st != "Inactive" {
			t.Errorf("%s is %s after the curfew fired", id, st)
		}
		s.awaitLog("key", map[string]any{"job": "curfew", "access_key_id": id, "outcome": "deactivated"})
	}
	s.awaitLog("job summary", map[string]any{"job": "curfew", "active_keys": 0.0, "inactive_keys": 2.0, "actions": 2.0})
	s.wantMetrics(
		`keywarden_access_keys{account="",job="curfew",status="Active"} 0`,
		`keywarden_access_keys{account="",job="curfew",status="Inactive"} 2`,
		`keywarden_oldest_active_key_age_seconds{account="",job="curfew"} 0`,
		`keywarden_job_runs_total{job="curfew",outcome="success"} 1`,
		`keywarden_job_last_success_timestamp_seconds{job="curfew"} 1795446000`, // 2026-11-23T15:00:00Z
	)
	for _, secret := range []string{secret1, secret2} {
		if strings.Contains(s.stderr.String(), secret) {
			t.Fatal("a secret access key is in the log")
		}
	}
}

func TestServeReloadKeepsOldJobsOnBadConfigAndSwitchesOnGood(t *testing.T) {
	c := fresh(t)
	a := mkUser(t, c, "access-key-user", 1)
	b := mkUser(t, c, "night-owl", 1)
	cfg := writeConfig(t, "", curfewYAML)
	s := startServe(t, admin(t), beforeCurfew, "-c", cfg)
	s.awaitLog("job scheduled", map[string]any{"job": "curfew"})

	writeConfig(t, cfg, "jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    timezone: Asia/Tokio\n    do: [deactivate: {}]\n")
	s.sigs <- syscall.SIGHUP
	l := s.awaitLog("config reload rejected, the previous jobs keep running", nil)
	if p, _ := l["problems"].([]any); len(p) != 1 || !strings.HasPrefix(p[0].(string), cfg+":4:15: ") {
		t.Errorf("problems = %v, want one at %s:4:15", l["problems"], cfg)
	}
	s.fire(beforeCurfew.Add(time.Minute))
	s.awaitLog("job run", map[string]any{"job": "curfew", "outcome": "success"})
	if st := statusByCLI(t, "access-key-user", a[0]); st != "Inactive" {
		t.Errorf("the old curfew did not run after a rejected reload: %s", st)
	}
	if st := statusByCLI(t, "night-owl", b[0]); st != "Active" {
		t.Errorf("the rejected config acted: night-owl's key is %s", st)
	}

	// The good config selects another user at 01:00 Tokyo (16:00 UTC).
	writeConfig(t, cfg, "jobs:\n  owl:\n    schedule: \"0 1 * * *\"\n    timezone: Asia/Tokyo\n    select: {users: [night-owl]}\n    do: [deactivate: {}]\n")
	s.clock.DrainWaits()
	s.sigs <- syscall.SIGHUP
	s.awaitLog("config reloaded", nil)
	s.awaitLog("job scheduled", map[string]any{"job": "owl", "next_utc": "2026-11-23T16:00:00Z"})
	s.fire(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC))
	s.awaitLog("job run", map[string]any{"job": "owl", "outcome": "success"})
	if st := statusByCLI(t, "night-owl", b[0]); st != "Inactive" {
		t.Errorf("the reloaded job did not run: night-owl's key is %s", st)
	}
	s.wantMetrics(`keywarden_access_keys{account="",job="owl",status="Inactive"} 1`)
}

// gate holds every UpdateAccessKey call until released, to catch a run in the middle.
func gate(cfg aws.Config) (aws.Config, <-chan struct{}, func()) {
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("gate",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if awsmiddleware.GetOperationName(ctx) == "UpdateAccessKey" {
					entered <- struct{}{}
					<-release
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
	return cfg, entered, sync.OnceFunc(func() { close(release) })
}

func TestServeShutdownWaitsForRunningJob(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "access-key-user", 1)
	cfg := writeConfig(t, "", curfewYAML)
	gated, entered, release := gate(admin(t))
	defer release()
	s := startServe(t, gated, beforeCurfew, "-c", cfg)

	s.fire(beforeCurfew.Add(time.Minute))
	select {
	case <-entered:
	case <-time.After(serveWait):
		t.Fatal("the run never reached UpdateAccessKey")
	}
	s.sigs <- syscall.SIGTERM
	s.awaitLog("scheduler stopping", nil)
	select {
	case code := <-s.done:
		t.Fatalf("serve exited %d with a run in the middle", code)
	case <-time.After(300 * time.Millisecond):
	}
	if code, _ := s.get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz during shutdown: %d, want 503", code)
	}
	release()
	select {
	case code := <-s.done:
		s.done <- code // for Cleanup
		if code != 0 {
			t.Errorf("serve exited %d after a clean shutdown", code)
		}
	case <-time.After(serveWait):
		t.Fatal("serve did not return after the run finished")
	}
	if st := statusByCLI(t, "access-key-user", ids[0]); st != "Inactive" {
		t.Errorf("the run was cut short: key is %s", st)
	}
	lines := s.logLines()
	run, stopped := -1, -1
	for i, l := range lines {
		switch {
		case l["msg"] == "job run" && l["outcome"] == "success":
			run = i
		case l["msg"] == "scheduler stopped":
			stopped = i
		}
	}
	if run < 0 || stopped < run {
		t.Errorf("want the run's success logged before the scheduler stopped (run %d, stopped %d)", run, stopped)
	}
}

func TestServeBinarySIGHUPAndSIGTERM(t *testing.T) {
	fresh(t)
	cfg := writeConfig(t, "", strings.Replace(curfewYAML, `"0 0 * * *"`, `"0 0 1 1 *"`, 1))
	cmd := exec.Command(emu.Binary(t), "serve", "-c", cfg, "--listen", "127.0.0.1:0")
	cmd.Env = moto(t).Env(witness(t)[0], witness(t)[1])
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				m = map[string]any{"msg": "NOT JSON: " + sc.Text()}
			}
			lines <- m
		}
		close(lines)
	}()
	await := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(serveWait)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stderr closed before %q", msg)
				}
				if l["msg"] == msg {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q logged", msg)
			}
		}
	}
	addr, _ := await("keywarden serve started")["listen"].(string)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz on %q: %v %v", addr, err, resp)
	}
	resp.Body.Close()

	writeConfig(t, cfg, "jobs: [")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	await("config reload rejected, the previous jobs keep running")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	await("scheduler stopped")
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(serveWait):
		t.Fatal("keywarden serve did not exit after SIGTERM")
	}
}

// newServeClock is a stopped clock that reports every wait, so a test knows serve is scheduling.
func newServeClock(now time.Time) *daemontest.Clock {
	c := daemontest.NewClock(now)
	c.Waits()
	return c
}
