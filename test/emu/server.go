package emu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Defaults of moto: every request lands in this account, and tests use this region.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
)

const (
	startTimeout = 20 * time.Second
	startTries   = 3
)

// Server is a running moto_server on a loopback port.
type Server struct {
	URL       string // http://127.0.0.1:PORT, moto with AWS's error shape (see fixErrorShape)
	MotoURL   string // moto itself
	Region    string
	AccountID string

	cmd       *exec.Cmd
	stopFront func()
	dir       string // holds the isolated files Env hands out
	done      chan struct{}
	once      sync.Once
}

// Option changes how Start and Launch run moto.
type Option func(*options)

type options struct {
	log io.Writer
}

// WithLog sends moto's own output to w (by default it is kept and shown only
// when moto fails to start).
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }

// Start runs a fresh moto for one test and stops it when the test ends.
// A missing moto_server fails the test: a skipped integration test would
// pass silently on a machine that cannot run it.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

// Launch runs moto outside any test, for TestMain, so that one server (about
// 1-2 s to start) serves a whole package; call stop when m.Run returns.
// Tests sharing it should call Reset first and must not run in parallel
// with tests that change its auth state.
func Launch(opts ...Option) (s *Server, stop func(), err error) {
	s, err = start(opts)
	if err != nil {
		return nil, nil, err
	}
	return s, s.stop, nil
}

func start(opts []Option) (s *Server, err error) {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New(`emu: moto_server not found on PATH; install it with: pip install "moto[server]"`)
	}
	for try := 1; ; try++ {
		s, err = launch(bin, o)
		if err == nil || try == startTries || !errors.Is(err, errPortRace) {
			break
		}
	}
	return s, err
}

var errPortRace = errors.New("moto exited before answering (port taken?)")

func launch(bin string, o options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("emu: pick a port: %w", err)
	}
	dir, err := os.MkdirTemp("", "keywarden-emu-")
	if err != nil {
		return nil, fmt.Errorf("emu: %w", err)
	}
	out := &lockedBuffer{}
	var w io.Writer = out
	if o.log != nil {
		w = io.MultiWriter(out, o.log)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// MOTO_PORT is where moto's Step Functions sends the calls of the state machines it
	// executes (Lambda invocations, aws-sdk tasks): to this server itself.
	cmd.Env = append(motoEnv(), "MOTO_PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = w, w
	// A group of its own, so stop can kill the pyenv shim and python together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("emu: start moto_server: %w", err)
	}
	s := &Server{
		MotoURL:   "http://127.0.0.1:" + strconv.Itoa(port),
		Region:    DefaultRegion,
		AccountID: DefaultAccountID,
		cmd:       cmd,
		dir:       dir,
		done:      make(chan struct{}),
	}
	go func() { cmd.Wait(); close(s.done) }()
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, fmt.Errorf("emu: moto_server on port %d: %w\n%s", port, err, out.String())
	}
	if s.URL, s.stopFront, err = front(s.MotoURL); err != nil {
		s.stop()
		return nil, fmt.Errorf("emu: front for moto: %w", err)
	}
	return s, nil
}

// motoEnv keeps the caller's environment (PATH, pyenv) but never an auth
// switch inherited by accident: auth starts off and EnableAuth turns it on.
func motoEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INITIAL_NO_AUTH_ACTION_COUNT=") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c := &http.Client{Timeout: time.Second}
	for {
		// Any HTTP answer means moto is serving; this endpoint answers a GET with 400.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.MotoURL+"/moto-api/reset-auth", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return errPortRace
		case <-ctx.Done():
			return fmt.Errorf("not answering after %s", startTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Server) stop() {
	s.once.Do(func() {
		if s.stopFront != nil {
			s.stopFront()
		}
		pgid := s.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
		}
		// The leader may be a wrapper (faketime forks moto): wait until its whole group is gone.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		os.RemoveAll(s.dir)
	})
}

// Reset turns authentication off and empties every moto backend, so tests
// sharing one server start clean. Faults and counts live in a Proxy, not here.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	if err := s.reset(); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) reset() error {
	if err := s.setAuth("inf"); err != nil {
		return err
	}
	return s.post("/moto-api/reset", "")
}

func (s *Server) post(path, body string) error {
	// moto reads the raw body only when it is not a form (Flask eats forms).
	resp, err := http.Post(s.MotoURL+path, "text/plain", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("emu: post %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emu: post %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
