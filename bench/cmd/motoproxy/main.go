// Command motoproxy runs moto behind the test harness's IAM-like proxy for bench/audit.sh: it
// starts moto_server, seeds users with one access key each, puts the proxy (IAM's ListUsers
// paging, a fixed latency per request, call counts) in front, and writes
//
//	PROXY_URL=http://127.0.0.1:PORT
//	CONTROL_URL=http://127.0.0.1:PORT
//
// to the -ready file. GET CONTROL_URL/calls returns the call counts as JSON; POST
// CONTROL_URL/reset sets them to zero. SIGINT or SIGTERM prints the counts and stops moto.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every request, a round trip to a real region")
	users := flag.Int("users", 1000, "users to seed, one access key each")
	ready := flag.String("ready", "", "file to write PROXY_URL and CONTROL_URL to once ready")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("motoproxy: ")

	tb := &emu.ProgramTB{}
	defer tb.Close()
	s, stop, err := emu.Launch()
	if err != nil {
		log.Fatal(err)
	}
	tb.Cleanup(stop)

	start := time.Now()
	if err := seed(iam.NewFromConfig(s.Config("AKIAADMINADMINADMIN0", "admin-secret")), *users); err != nil {
		tb.Close()
		log.Fatalf("seed: %v", err)
	}
	log.Printf("seeded %d users in %s", *users, time.Since(start).Round(time.Millisecond))

	p := s.Proxy(tb)
	p.SetLatency(*latency)
	control, err := serveControl(p)
	if err != nil {
		tb.Close()
		log.Fatal(err)
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, fmt.Appendf(nil, "PROXY_URL=%s\nCONTROL_URL=%s\n", p.URL, control), 0o600); err != nil {
			tb.Close()
			log.Fatal(err)
		}
	}
	log.Printf("proxy %s (latency %s), control %s", p.URL, *latency, control)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	b, _ := json.Marshal(p.Calls())
	log.Printf("calls %s", b)
}

// seed creates u-0000… with one key each, 8 at a time (moto serves requests concurrently).
func seed(c *iam.Client, n int) error {
	ctx := context.Background()
	return emu.Parallel(n, 8, func(i int) error {
		name := aws.String(fmt.Sprintf("u-%04d", i))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
		return err
	})
}

func serveControl(p *emu.Proxy) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.Calls())
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) { p.ResetCounts() })
	go http.Serve(l, mux)
	return "http://" + l.Addr().String(), nil
}
