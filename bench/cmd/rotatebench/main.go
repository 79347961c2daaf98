// Command rotatebench runs moto, with signature and policy checks on, behind the test harness's
// proxy (a fixed latency per request, call counts) for bench/rotate.sh, and writes
//
//	PROXY_URL=http://127.0.0.1:PORT
//	CONTROL_URL=http://127.0.0.1:PORT
//
// to the -ready file. On CONTROL_URL: POST /user?name=N creates user N holding the
// self-rotation actions (plus s3:ListAllMyBuckets, as in the seed) and one key, answering
// "KEYID SECRET"; GET /admin answers the admin's "KEYID SECRET"; GET /calls returns the proxy's call counts as JSON; POST /reset zeroes them.
// SIGINT or SIGTERM stops moto. (bench/cmd/motoproxy on branch credreport seeds users for the
// audit bench instead; this one needs auth on, so that a deleted key is really refused.)
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/bench/internal/benchproxy"
	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every request, a round trip to a real region")
	ready := flag.String("ready", "", "file to write PROXY_URL and CONTROL_URL to once ready")
	window := flag.Duration("window", 0, "refuse every new key for this long after it is created (IAM's propagation)")
	flap := flag.Duration("flap", 0, "then refuse half of its calls, at random, for this long")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("rotatebench: ")

	tb, s := emu.LaunchProgram()
	defer tb.Close()
	admin := s.EnableAuth(tb)
	adminIAM := iam.NewFromConfig(s.Config(admin.AccessKeyID, admin.SecretAccessKey))

	p := s.Proxy(tb)
	p.SetLatency(*latency)
	p.SetPropagation(emu.Window{For: *window, Flap: *flap})
	log.Printf("latency %s, propagation window %s then flapping %s", *latency, *window, *flap)
	err := benchproxy.Serve(p, *ready, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /user", func(w http.ResponseWriter, r *http.Request) {
			out, err := newUser(r.Context(), adminIAM, r.URL.Query().Get("name"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintln(w, out)
		})
		// The admin's key, for bench/rotate_service.sh (a service rotation is signed as an admin).
		mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, admin.AccessKeyID, admin.SecretAccessKey)
		})
	})
	if err != nil {
		tb.Close()
		log.Fatal(err)
	}
}

// policy is permissions.SelfRotate with Resource "*" (moto checks IAM actions against "*"
// only) plus the seed's s3:ListAllMyBuckets for `aws s3 ls`.
func policy() string {
	d := permissions.SelfRotate()
	for i := range d.Statement {
		d.Statement[i].Resource = []string{"*"}
	}
	d.Statement = append(d.Statement, permissions.Statement{Effect: "Allow", Action: []string{"s3:ListAllMyBuckets"}, Resource: []string{"*"}})
	return d.JSON()
}

func newUser(ctx context.Context, c *iam.Client, name string) (string, error) {
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: &name}); err != nil {
		return "", err
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &name, PolicyName: aws.String("self-rotate"), PolicyDocument: aws.String(policy())}); err != nil {
		return "", err
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &name})
	if err != nil {
		return "", err
	}
	return *k.AccessKey.AccessKeyId + " " + *k.AccessKey.SecretAccessKey, nil
}
