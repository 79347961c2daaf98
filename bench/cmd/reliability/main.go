// Command reliability checks keywarden's records against IAM under faults, and counts the
// calls per key an apply makes. It starts moto_server, puts the test harness's fault proxy in
// front, and for each fault rate and seed: seeds fresh users (1–2 keys each), deactivates
// every key with faults (500, 503, throttling, resets before and after the call reached
// moto) on the acting calls only (UpdateAccessKey, DeleteAccessKey, TagUser, UntagUser),
// re-enables them with activate under the same faults, and checks every key with a client
// that bypasses the proxy:
//
//	false claims   a settled record of a change IAM does not show
//	unrecorded     a key IAM shows changed with no record of it (settled or pending)
//
// Run: go run ./bench/cmd/reliability -users 150 -rates 0.2,0.4 -seeds 1,2,3
//
// With -service it rotates service users' keys instead (rotate --user U --to …, the real
// binary, moto with auth on, destinations secretsmanager:, ssm:, profile: and two at once)
// under faults (20% and 40%, on every call or on the acting calls only), kill -9 (after a
// random delay, or while a random call is held at the proxy), two runs at once, and one run's
// delivery held while a second runs; it reruns each trial without faults until it converges
// (at most -reruns times) and checks with its own reads, never keywarden's:
//
//	dest not working  a destination's current value is a key STS refuses or IAM has inactive
//	> 2 keys          more than two keys on the user
//	key in no dest    after convergence, an active key that is not what every destination holds
//	pending left      after convergence, the rotation record or a pending key record
//	dishonest exit    exit 0 while the destinations do not all hold one new, working key
//	unconverged       still not converged after the reruns
//	bad reads         a consumer reading the destinations during the trial got a dead key
//
// The selfcheck-* modes break one invariant on purpose after a clean rotation, so each zero
// above is one the checker could have seen fail:
//
//	go run ./bench/cmd/reliability -service -trials 20 -modes all
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/apply"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	users := flag.Int("users", 150, "users per run, 1-2 keys each")
	rates := flag.String("rates", "0.2,0.4", "fault rates on the acting calls")
	seeds := flag.String("seeds", "1,2,3", "random seeds")
	service := flag.Bool("service", false, "bench service rotation (rotate --user) instead of the record protocol")
	var so serviceOptions
	flag.StringVar(&so.modes, "modes", "all", "with -service: modes to run, comma-separated: all, faults (every mode but the self-checks), selfcheck, or names")
	flag.IntVar(&so.trials, "trials", 20, "with -service: trials per mode")
	flag.Int64Var(&so.seed, "seed", 1, "with -service: base seed (a trial's seed is printed with its failures)")
	flag.IntVar(&so.reruns, "reruns", 5, "with -service: reruns without faults allowed to converge")
	flag.DurationVar(&so.wait, "wait", 20*time.Second, "with -service: rotate --wait, how long a run waits for its new key to work (a clean run needs 1 s)")
	flag.StringVar(&so.bin, "bin", "", "with -service: a built keywarden binary (default: build one)")
	flag.BoolVar(&so.json, "json", false, "with -service: print the figures as JSON")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("reliability: ")
	if *service {
		runService(so)
		return
	}

	tb, s := emu.LaunchProgram()
	defer tb.Close()
	adm := iam.NewFromConfig(s.Config("AKIAADMINADMINADMIN0", "admin-secret"))
	p := s.Proxy(tb)
	viaProxy := iam.NewFromConfig(p.Config("AKIAADMINADMINADMIN0", "admin-secret"))

	calls(adm, viaProxy, p)

	fmt.Println("| rate | seed | keys | phase | changed | failed | false claims | unrecorded | pending left | unconfirmed |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, rs := range strings.Split(*rates, ",") {
		rate, _ := strconv.ParseFloat(rs, 64)
		for _, ss := range strings.Split(*seeds, ",") {
			seed, _ := strconv.ParseInt(ss, 10, 64)
			prefix := fmt.Sprintf("r%02.0f-s%d-", rate*100, seed)
			ids := seedUsers(adm, prefix, *users)
			rng := rand.New(rand.NewSource(seed))
			kinds := []emu.Fault{emu.ServerError, emu.Unavailable, emu.Throttle, emu.ResetBefore, emu.ResetAfter}
			for phase, kind := range []policy.Kind{policy.Deactivate, policy.Activate} {
				f := kinds[(int(seed)+phase)%len(kinds)]
				remove := p.FailWhen(func(c emu.Call) bool {
					switch c.Action {
					case "UpdateAccessKey", "DeleteAccessKey", "TagUser", "UntagUser":
						return rng.Float64() < rate
					}
					return false
				}, f)
				var acts []policy.Action
				for id, u := range ids {
					acts = append(acts, policy.Action{Kind: kind, User: u, AccessKeyID: id, Reason: "bench"})
				}
				rs := apply.Apply(context.Background(), viaProxy, acts, apply.Options{Origin: string(kind), Now: func() time.Time { return time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) }})
				remove()
				changed, failed := 0, 0
				for _, r := range rs {
					if r.Changed() {
						changed++
					}
					if r.Outcome == apply.Failed {
						failed++
					}
				}
				fc, un, pend, unc := check(adm, ids, kind)
				fmt.Printf("| %.0f%% | %d | %d | %s (%s) | %d | %d | %d | %d | %d | %d |\n", rate*100, seed, len(ids), kind, f, changed, failed, fc, un, pend, unc)
			}
		}
	}
}

// check compares every key's record with its status after a phase that wanted kind.
func check(c *iam.Client, ids map[string]string, kind policy.Kind) (falseClaims, unrecorded, pending, unconfirmed int) {
	ctx := context.Background()
	byUser := map[string][]string{}
	for id, u := range ids {
		byUser[u] = append(byUser[u], id)
	}
	for u, kids := range byUser {
		ks, err := inventory.ListKeys(ctx, c, u)
		must(err)
		tags, err := inventory.ListTags(ctx, c, u)
		must(err)
		status := map[string]string{}
		for _, k := range ks {
			status[k.AccessKeyID] = k.Status
		}
		for _, id := range kids {
			rec, ok := keys.User{Tags: tags}.Provenance(id)
			if ok && rec.State == keys.Settled {
				want := map[string]string{keys.ActionDeactivated: keys.Inactive, keys.ActionActivated: keys.Active}[rec.Action]
				if status[id] != want {
					falseClaims++
				}
			}
			if ok && rec.State == keys.Pending {
				pending++
			}
			if ok && rec.State == keys.Unconfirmed {
				unconfirmed++
			}
			// Every key starts active; after deactivate, an inactive key needs a record of it;
			// after activate, an inactive key still needs its deactivation's, an active key
			// that was deactivated needs the activation's.
			// A pending record keeps the one it replaced (was=), which a later run puts back.
			was := ok && rec.State == keys.Pending && rec.Was != nil && rec.Was.Action == keys.ActionDeactivated
			switch {
			case status[id] == keys.Inactive && (!ok || rec.Action != keys.ActionDeactivated) && !was:
				unrecorded++
			case status[id] == keys.Active && ok && rec.State == keys.Settled && rec.Action == keys.ActionDeactivated:
				// counted above as a false claim
			case kind == policy.Activate && status[id] == keys.Active && ok && rec.Action != keys.ActionActivated:
				unrecorded++
			}
		}
	}
	return
}

// calls prints the calls per key of a read and an apply, reading everything (as apply.ReadFor
// did before it read only what the rules need) and reading what the rules need.
func calls(adm, c *iam.Client, p *emu.Proxy) {
	ctx := context.Background()
	ids := seedUsers(adm, "calls-", 100)
	n := float64(len(ids))
	for _, tc := range []struct{ name, yaml string }{
		{"curfew (deactivate: {})", "jobs:\n  j:\n    select: {users: [\"calls-*\"]}\n    do:\n      - deactivate: {}\n"},
		{"hygiene (unused_for, delete, report)", "jobs:\n  j:\n    select: {users: [\"calls-*\"]}\n    do:\n      - deactivate: {unused_for: 45d}\n      - delete: {inactive_for: 30d}\n      - report: {older_than: 90d}\n"},
	} {
		cfg, err := policy.Load("bench.yaml", []byte(tc.yaml))
		must(err)
		p.ResetCounts()
		_, err = inventory.Read(ctx, c, inventory.Options{Users: []string{"calls-*"}})
		must(err)
		before := total(p)
		p.ResetCounts()
		_, err = jobs.ReadFor(ctx, c, cfg, nil, 0)
		must(err)
		after := total(p)
		fmt.Printf("read for %s, %d keys: %.2f calls/key reading everything, %.2f reading what the rules need\n", tc.name, len(ids), float64(before)/n, float64(after)/n)
	}
	var acts []policy.Action
	for id, u := range ids {
		acts = append(acts, policy.Action{Kind: policy.Deactivate, User: u, AccessKeyID: id})
	}
	p.ResetCounts()
	apply.Apply(ctx, c, acts, apply.Options{Origin: "bench", Now: func() time.Time { return time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) }})
	fmt.Printf("acting (deactivate), %d keys: %.2f calls/key %v\n\n", len(ids), float64(total(p))/n, p.Calls())
}

func total(p *emu.Proxy) int {
	t := 0
	for _, v := range p.Calls() {
		t += v
	}
	return t
}

// seedUsers creates n users named prefix+NNNN, every third with two keys; it returns key → user.
func seedUsers(c *iam.Client, prefix string, n int) map[string]string {
	ctx := context.Background()
	out := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("%s%04d", prefix, i)
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		must(err)
		for range 1 + btoi(i%3 == 0) {
			o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
			must(err)
			out[aws.ToString(o.AccessKey.AccessKeyId)] = name
		}
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
