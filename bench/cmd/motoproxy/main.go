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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/bench/internal/benchproxy"
	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every request, a round trip to a real region")
	users := flag.Int("users", 1000, "users to seed, one access key each")
	ready := flag.String("ready", "", "file to write PROXY_URL and CONTROL_URL to once ready")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("motoproxy: ")

	tb, s := emu.LaunchProgram()
	defer tb.Close()

	start := time.Now()
	if err := seed(iam.NewFromConfig(s.Config("AKIAADMINADMINADMIN0", "admin-secret")), *users); err != nil {
		tb.Close()
		log.Fatalf("seed: %v", err)
	}
	log.Printf("seeded %d users in %s", *users, time.Since(start).Round(time.Millisecond))

	p := s.Proxy(tb)
	p.SetLatency(*latency)
	log.Printf("latency %s", *latency)
	if err := benchproxy.Serve(p, *ready, nil); err != nil {
		tb.Close()
		log.Fatal(err)
	}
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
