package emu

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartStopLeavesNothing(t *testing.T) {
	var pid int
	var addrs []string
	t.Run("running", func(t *testing.T) {
		s := Start(t)
		pid = s.cmd.Process.Pid
		addrs = []string{strings.TrimPrefix(s.URL, "http://"), strings.TrimPrefix(s.MotoURL, "http://")}
		if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || s.Region != "us-east-1" || s.AccountID != "123456789012" {
			t.Fatalf("server = %+v", s)
		}
		mustCreateUser(t, s.Config("k", "s"), "alice")
		if got := userNames(t, s.Config("k", "s")); len(got) != 1 || got[0] != "alice" {
			t.Fatalf("users = %v", got)
		}
	})
	// The subtest's cleanup stopped moto: no process of its group may remain.
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("process group %d still there after cleanup (kill 0: %v)", pid, err)
	}
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after cleanup", addr)
		}
	}
}

func TestLaunchWithoutMotoSaysHowToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := Launch()
	if err == nil || !strings.Contains(err.Error(), `pip install "moto[server]"`) {
		t.Fatalf("err = %v, want a hint to pip install moto[server]", err)
	}
}

func TestResetEmptiesMoto(t *testing.T) {
	s := fresh(t)
	cfg := s.Config("k", "s")
	mustCreateUser(t, cfg, "bob")
	s.Reset(t)
	if got := userNames(t, cfg); len(got) != 0 {
		t.Fatalf("after reset users = %v, want none", got)
	}
}

func TestEnvIsolatesChild(t *testing.T) {
	s := fresh(t)
	env := s.Env("AKIDEXAMPLE", "secret")
	get := func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		t.Fatalf("%s missing from env", k)
		return ""
	}
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	home := get("HOME")
	if home == os.Getenv("HOME") || !strings.HasPrefix(home, s.dir) {
		t.Errorf("HOME = %q, want a fresh dir under %s", home, s.dir)
	}
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		b, err := os.ReadFile(get(k))
		if err != nil || len(b) != 0 {
			t.Errorf("%s: want an empty file, got %q, %v", k, b, err)
		}
	}
	if other := s.Env("a", "b"); other[0] == env[0] {
		t.Errorf("two Env calls share HOME %s", env[0])
	}
}

func TestBinaryBuildsAndRuns(t *testing.T) {
	path := Binary(t)
	if Binary(t) != path {
		t.Fatal("second call built again")
	}
	wd, _ := os.Getwd() // test/emu of the repository
	if strings.HasPrefix(path, filepath.Dir(filepath.Dir(wd))) {
		t.Fatalf("binary %s built inside the repository", path)
	}
	if out, err := exec.Command(path).CombinedOutput(); err != nil {
		t.Fatalf("run %s: %v\n%s", path, err, out)
	}
}
