package emu

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
)

//go:embed witness.py
var witnessPy string

// Witness is an independent check of what keywarden did: botocore, the library the AWS CLI is
// built on, in one long-lived Python process, so a test may ask many questions without paying a
// CLI start-up for each. The AWS CLI itself stays the witness of a few end-to-end scenarios.
type Witness struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	err  error
	once sync.Once
}

// WitnessError is an error the AWS answered the witness with.
type WitnessError struct{ Code, Message string }

func (e *WitnessError) Error() string { return e.Code + ": " + e.Message }

func (w *Witness) start() {
	cmd := exec.Command("python3", "-u", "-c", witnessPy)
	in, err := cmd.StdinPipe()
	if err != nil {
		w.err = err
		return
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		w.err = err
		return
	}
	if err := cmd.Start(); err != nil {
		w.err = fmt.Errorf("emu: start the botocore witness: %w", err)
		return
	}
	w.cmd, w.in, w.out = cmd, in, bufio.NewReader(out)
}

// Call asks op (botocore's snake_case name, e.g. "list_access_keys") of service, with the
// endpoint and credentials that env (from Server.Env or Proxy.Env) names, and decodes the
// answer into result.
func (w *Witness) Call(env []string, service, op string, params map[string]any, result any) error {
	w.once.Do(w.start)
	if w.err != nil {
		return w.err
	}
	e := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AWS_") {
			e[k] = v
		}
	}
	if params == nil {
		params = map[string]any{}
	}
	req, err := json.Marshal(map[string]any{"env": e, "service": service, "op": op, "params": params})
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.in.Write(append(req, '\n')); err != nil {
		return fmt.Errorf("emu: witness: %w", err)
	}
	line, err := w.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("emu: witness died: %w", err)
	}
	var resp struct {
		OK    json.RawMessage `json:"ok"`
		Error *WitnessError   `json:"error"`
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return fmt.Errorf("emu: witness answer %q: %w", line, err)
	}
	if resp.Error != nil {
		return resp.Error
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(resp.OK, result)
}

// Close ends the witness process.
func (w *Witness) Close() {
	if w.cmd != nil {
		w.in.Close()
		w.cmd.Wait()
	}
}
