// Command ghserver serves the test harness's GitHub stand-in (test/emu/github.go: Actions
// secrets, real sealed boxes, every request and answer checked against GitHub's OpenAPI
// description) over HTTPS for bench/rotate_github.sh, as a GitHub Enterprise Server host: the API
// under /api/v3, where gh reaches a GHES host. Its certificate is signed by a CA made for this
// run and written to -ca, for SSL_CERT_FILE. It adds -latency to every request and writes
//
//	GH_HOST=127.0.0.1:PORT
//	GH_API_URL=https://127.0.0.1:PORT/api/v3
//	GH_TOKEN_VALUE=…           the token it accepts
//	GH_CONTROL_URL=http://127.0.0.1:PORT
//
// to the -ready file. On GH_CONTROL_URL: GET /calls returns the requests served by kind as JSON
// and POST /reset zeroes them; GET /mismatches is the number of requests or answers that did not
// match GitHub's description (each logged); GET /secret?repo=OWNER/REPO&name=N is the opened
// value of a secret. SIGINT or SIGTERM stops it.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every request, a round trip to a real API")
	ready := flag.String("ready", "", "file to write GH_HOST, GH_API_URL, GH_TOKEN_VALUE and GH_CONTROL_URL to once ready")
	caFile := flag.String("ca", "", "file to write the CA's certificate to (PEM), for SSL_CERT_FILE")
	repos := flag.String("repos", "acme/deploy", "repositories served, comma-separated (OWNER/REPO, OWNER/REPO:ENV, ORG)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("ghserver: ")
	if *caFile == "" {
		log.Fatal("-ca is required")
	}

	var mu sync.Mutex
	calls, mismatches := map[string]int{}, 0
	gh, err := emu.NewGitHub(func(format string, args ...any) {
		mu.Lock()
		mismatches++
		mu.Unlock()
		log.Printf(format, args...)
	}, strings.Split(*repos, ",")...)
	if err != nil {
		log.Fatal(err)
	}
	cert, caPEM, err := emu.LoopbackTLS("ghserver bench")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*caFile, caPEM, 0o644); err != nil {
		log.Fatal(err)
	}

	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(*latency)
		mu.Lock()
		calls[kind(r)]++
		mu.Unlock()
		gh.ServeHTTP(w, r)
	})}
	go srv.ServeTLS(api, "", "")

	control, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(calls)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		clear(calls)
	})
	mux.HandleFunc("GET /mismatches", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, mismatches)
	})
	mux.HandleFunc("GET /secret", func(w http.ResponseWriter, r *http.Request) {
		v, ok := gh.Secret(r.URL.Query().Get("repo"), "", r.URL.Query().Get("name"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, v)
	})
	go http.Serve(control, mux)

	host := api.Addr().String()
	if *ready != "" {
		out := fmt.Sprintf("GH_HOST=%s\nGH_API_URL=https://%s/api/v3\nGH_TOKEN_VALUE=%s\nGH_CONTROL_URL=http://%s\n", host, host, gh.Token, control.Addr())
		if err := os.WriteFile(*ready, []byte(out), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("GitHub stand-in https://%s/api/v3 (latency %s), control http://%s", host, *latency, control.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}

// kind names a request for the call counts: "GET public-key", "PUT secret", "GET secret", or
// its method and path when it is none of those.
func kind(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/api/v3")
	switch {
	case strings.HasSuffix(p, "/secrets/public-key"):
		return r.Method + " public-key"
	case strings.Contains(p, "/secrets/") && (r.Method == http.MethodGet || r.Method == http.MethodPut):
		return r.Method + " secret"
	}
	return r.Method + " " + p
}
