package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"os/exec"
	"sync"
	"time"
)

// startKeywarden starts bin with env as its whole environment. wait returns its run; kill sends
// SIGKILL (a run that already ended is not touched).
func startKeywarden(bin string, env, args []string) (wait func() run, kill func()) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatalf("start %s: %v", bin, err)
	}
	var mu sync.Mutex
	exited, killed := false, false
	kill = func() {
		mu.Lock()
		defer mu.Unlock()
		if !exited {
			killed = cmd.Process.Kill() == nil
		}
	}
	wait = func() run {
		err := cmd.Wait()
		mu.Lock()
		exited = true
		mu.Unlock()
		r := run{code: cmd.ProcessState.ExitCode(), stderr: stderr.String(), took: time.Since(start)}
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			log.Fatalf("run %s: %v", bin, err)
		}
		r.killed = killed && r.code == -1
		json.Unmarshal(stdout.Bytes(), &r.out) // a killed run may have printed nothing
		return r
	}
	return wait, kill
}
