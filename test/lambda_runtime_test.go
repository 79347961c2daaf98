package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keywarden/keywarden/test/emu"
)

// runtimeAPI plays the Lambda Runtime API (2018-06-01) for one function process: it hands out
// queued events on GET .../invocation/next and collects what the function posts back.
type runtimeAPI struct {
	srv     *httptest.Server
	events  chan invocation
	mu      sync.Mutex
	replies map[string]reply
	done    chan string
}

type invocation struct{ id, payload string }

type reply struct {
	kind string // "response" or "error"
	body []byte
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	rt := &runtimeAPI{events: make(chan invocation, 16), replies: map[string]reply{}, done: make(chan string, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ev := <-rt.events:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", ev.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:keywarden")
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			w.Write([]byte(ev.payload))
		case <-r.Context().Done():
		}
	})
	post := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			b.ReadFrom(r.Body)
			id := r.PathValue("id")
			rt.mu.Lock()
			rt.replies[id] = reply{kind, b.Bytes()}
			rt.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
			rt.done <- id
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", post("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", post("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		w.WriteHeader(http.StatusAccepted)
		t.Errorf("function reported an init error: %s", b.String())
	})
	rt.srv = httptest.NewServer(mux)
	t.Cleanup(rt.srv.Close)
	return rt
}

// addr is what AWS_LAMBDA_RUNTIME_API holds: host:port, no scheme.
func (rt *runtimeAPI) addr() string { return strings.TrimPrefix(rt.srv.URL, "http://") }

// invoke queues an event and waits for the function's answer.
func (rt *runtimeAPI) invoke(t *testing.T, payload string) reply {
	t.Helper()
	id := fmt.Sprintf("req-%d", time.Now().UnixNano())
	rt.events <- invocation{id, payload}
	for {
		select {
		case got := <-rt.done:
			if got != id {
				continue
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			return rt.replies[id]
		case <-time.After(30 * time.Second):
			t.Fatalf("no answer to invocation %s", id)
		}
	}
}

// startFunction runs the built keywarden binary as Lambda runs bootstrap, signed as the
// test's witness (moto's admin, or the admin enableAuth made).
func startFunction(t *testing.T, rt *runtimeAPI, env ...string) *lockedBuffer {
	t.Helper()
	cmd := exec.Command(emu.Binary(t))
	cmd.Env = append(witnessEnv(t),
		append([]string{"AWS_LAMBDA_RUNTIME_API=" + rt.addr(), "AWS_LAMBDA_FUNCTION_NAME=keywarden"}, env...)...)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &stderr
}

func TestLambdaBinaryServesRuntimeAPI(t *testing.T) {
	c := fresh(t)
	id, _ := mkKey(t, c, mustUser(t, c, "access-key-user"))
	rt := newRuntimeAPI(t)
	stderr := startFunction(t, rt, "KEYWARDEN_CONFIG="+lambdaYAML)

	bad := rt.invoke(t, `{"job":"nope"}`)
	if bad.kind != "error" || !strings.Contains(string(bad.body), `unknown job \"nope\"`) {
		t.Fatalf("unknown job: %s %s", bad.kind, bad.body)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Active" {
		t.Fatalf("key is %s after a refused invocation", s)
	}

	ok := rt.invoke(t, `{"job":"curfew"}`)
	var res struct {
		Job  string
		Keys []struct {
			User        string `json:"user"`
			AccessKeyID string `json:"access_key_id"`
			Action      string `json:"action"`
			Outcome     string `json:"outcome"`
		}
	}
	if ok.kind != "response" {
		t.Fatalf("curfew: %s %s\nstderr:\n%s", ok.kind, ok.body, stderr)
	}
	if err := json.Unmarshal(ok.body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Keys) != 1 || res.Keys[0].AccessKeyID != id || res.Keys[0].Outcome != "deactivated" || res.Keys[0].Action != "deactivate" {
		t.Fatalf("response = %s", ok.body)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Inactive" {
		t.Fatalf("aws CLI sees %s, want Inactive", s)
	}
	if !strings.Contains(stderr.String(), `"request_id":"req-`) || !strings.Contains(stderr.String(), `"msg":"run"`) {
		t.Fatalf("stderr lacks the JSON run line with the request id:\n%s", stderr)
	}
}

func TestLambdaBinarySeedMode(t *testing.T) {
	c := fresh(t)
	id, _ := mkKey(t, c, mustUser(t, c, "access-key-user"))
	rt := newRuntimeAPI(t)
	startFunction(t, rt, "TARGET_ACCESS_KEY_USER_NAME=access-key-user", "TARGET_ACCESS_KEY_ID="+id)
	r := rt.invoke(t, `{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`)
	if r.kind != "response" || !strings.Contains(string(r.body), `"mode":"seed"`) {
		t.Fatalf("%s %s", r.kind, r.body)
	}
	if s := statusByCLI(t, "access-key-user", id); s != "Inactive" {
		t.Fatalf("aws CLI sees %s, want Inactive", s)
	}
}
