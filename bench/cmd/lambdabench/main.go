// Command lambdabench plays the Lambda Runtime API (2018-06-01) for a function process and
// times it: cold start (process start to the first invocation's response), warm invocations,
// and the process's peak RSS (getrusage, what /usr/bin/time -v reports).
//
//	lambdabench -runs 5 -warm 5 -event '{}' -before 'aws iam update-access-key ...' -- CMD ARGS...
//	lambdabench -zip FILE     prints the size of the function package keywarden deploy makes of FILE
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keywarden/keywarden/internal/deploy"
)

type run struct {
	ColdMS  float64   `json:"cold_ms"`
	WarmMS  []float64 `json:"warm_ms"`
	MaxRSS  int64     `json:"max_rss_kb"`
	Replies []string  `json:"replies"`
}

func main() {
	runs := flag.Int("runs", 5, "cold starts to measure")
	warm := flag.Int("warm", 5, "warm invocations after each cold one")
	event := flag.String("event", "{}", "event payload")
	before := flag.String("before", "", "shell command run before each cold start, outside the timing")
	zipFile := flag.String("zip", "", "print the package size of this binary and exit")
	flag.Parse()
	if *zipFile != "" {
		b, err := os.ReadFile(*zipFile)
		check(err)
		z, err := deploy.Zip(b)
		check(err)
		fmt.Println(len(z))
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "lambdabench: give the function's command after --")
		os.Exit(2)
	}
	var all []run
	for range *runs {
		if *before != "" {
			out, err := exec.Command("sh", "-c", *before).CombinedOutput()
			if err != nil {
				fmt.Fprintf(os.Stderr, "lambdabench: -before: %v\n%s", err, out)
				os.Exit(1)
			}
		}
		r, err := once(flag.Args(), *event, *warm)
		check(err)
		all = append(all, r)
	}
	var cold, warmAll []float64
	var rss []int64
	for _, r := range all {
		cold = append(cold, r.ColdMS)
		warmAll = append(warmAll, r.WarmMS...)
		rss = append(rss, r.MaxRSS)
	}
	out, _ := json.Marshal(map[string]any{
		"cold_ms_median": median(cold), "warm_ms_median": median(warmAll), "max_rss_kb_median": median(rss),
		"runs": all,
	})
	fmt.Println(string(out))
}

// once starts the function, serves it 1+warm events, and kills it.
func once(argv []string, event string, warm int) (run, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return run{}, err
	}
	events := make(chan string, 1+warm)
	for i := range 1 + warm {
		events <- strconv.Itoa(i)
	}
	close(events)
	replies := make(chan string, 1+warm)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		id, ok := <-events
		if !ok {
			<-r.Context().Done() // no more work: hold the poll until the process is killed
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "bench-"+id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
		io.WriteString(w, event)
	})
	reply := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusAccepted)
			replies <- kind + " " + string(bytes.TrimSpace(b))
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", reply("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", reply("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", reply("init-error"))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	var r run
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{}, err
	}
	last := start
	for i := range 1 + warm {
		select {
		case rep := <-replies:
			now := time.Now()
			ms := float64(now.Sub(last).Microseconds()) / 1000
			if i == 0 {
				r.ColdMS = ms
			} else {
				r.WarmMS = append(r.WarmMS, ms)
			}
			last = now
			if len(rep) > 200 {
				rep = rep[:200]
			}
			r.Replies = append(r.Replies, rep)
			if strings.HasPrefix(rep, "init-error") {
				cmd.Process.Kill()
				cmd.Wait()
				return r, fmt.Errorf("init error: %s", rep)
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			return r, fmt.Errorf("no reply to invocation %d", i)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss // KiB on Linux
	}
	return r, nil
}

func median[T int64 | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambdabench:", err)
		os.Exit(1)
	}
}
