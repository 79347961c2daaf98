package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/keywarden/keywarden/test/emu"
)

// mode is one way of disturbing a service rotation.
type mode struct {
	name  string
	rate  float64 // fault rate per call
	act   bool    // faults on the acting calls only
	kill  string  // "delay" or "call": kill -9 after a random delay or at a random call
	two   bool    // two runs at once on the same user
	check string  // self-check: the invariant this mode breaks on purpose
	// hold: two runs, the second started while the first's delivery call (this action) is held
	// at the proxy, and the first let go once the second has ended
	hold string
}

var modes = []mode{
	{name: "faults-all-20", rate: 0.2},
	{name: "faults-all-40", rate: 0.4},
	{name: "faults-act-20", rate: 0.2, act: true},
	{name: "faults-act-40", rate: 0.4, act: true},
	{name: "kill-delay", kill: "delay"},
	{name: "kill-call", kill: "call"},
	{name: "two-at-once", two: true},
	{name: "two-at-once-kill", two: true, kill: "delay"},
	{name: "two-held-delivery", hold: "PutParameter"},
	{name: "two-held-delivery-sm", hold: "UpdateSecretVersionStage"},
	{name: "selfcheck-dead-dest", check: "dead-dest"},
	{name: "selfcheck-extra-key", check: "extra-key"},
	{name: "selfcheck-pending", check: "pending"},
	{name: "selfcheck-dishonest", check: "dishonest"},
}

// acting are the calls that change something: faults there test recovery, not reading.
var acting = map[string]bool{
	"CreateAccessKey": true, "UpdateAccessKey": true, "DeleteAccessKey": true,
	"PutSecretValue": true, "UpdateSecretVersionStage": true, "PutParameter": true,
	"TagUser": true, "UntagUser": true,
}

// svcBench is one moto with auth on, the fault proxy in front, and the keywarden binary.
type svcBench struct {
	s      *emu.Server
	p      *emu.Proxy
	tb     *emu.ProgramTB
	adm    aws.Config // the admin, straight to moto: the bench's own reads bypass the proxy
	admin  emu.Admin
	bin    string
	dir    string
	reruns int
	wait   time.Duration // rotate --wait: how long a run waits for a new key to work
	// a calibration run's figures, for where a kill lands
	calls int
	dur   time.Duration
}

// cred is what every destination holds.
type cred struct {
	Version         int
	AccessKeyId     string
	SecretAccessKey string
}

// run is one keywarden process: its exit (-1 when killed) and its JSON result.
type run struct {
	code   int
	killed bool
	out    []struct {
		State    string `json:"state"`
		NewKeyID string `json:"new_access_key_id"`
	}
	stderr string
	took   time.Duration
}

// trial is one user rotated under one mode, with its destinations.
type trial struct {
	b     *svcBench
	m     mode
	seed  int64
	rng   *rand.Rand
	user  string
	dests []string
	old   cred
}

// destSets are the destinations trials cycle through: each kind alone, and two at once.
var destSets = [][]string{{"secretsmanager"}, {"ssm"}, {"profile"}, {"secretsmanager", "ssm"}}

func (b *svcBench) newTrial(m mode, i int, seed int64) *trial {
	ctx := context.Background()
	t := &trial{b: b, m: m, seed: seed, rng: rand.New(rand.NewSource(seed)), user: fmt.Sprintf("svc-%s-%02d", m.name, i)}
	c := iam.NewFromConfig(b.adm)
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(t.user)})
	must(err)
	o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(t.user)})
	must(err)
	t.old = cred{1, aws.ToString(o.AccessKey.AccessKeyId), aws.ToString(o.AccessKey.SecretAccessKey)}
	// Every destination starts with the old key, as a service being rotated reads it.
	set := destSets[i%len(destSets)]
	switch m.hold { // the destination whose delivery is the held call
	case "PutParameter":
		set = []string{"ssm"}
	case "UpdateSecretVersionStage":
		set = []string{"secretsmanager"}
	}
	for _, kind := range set {
		d := t.dest(kind)
		must(b.write(ctx, d, t.old, true))
		t.dests = append(t.dests, d)
	}
	return t
}

func (t *trial) dest(kind string) string {
	switch kind {
	case "secretsmanager":
		return "secretsmanager:rel/" + t.user
	case "ssm":
		return "ssm:/rel/" + t.user
	}
	return "profile:svc@" + filepath.Join(t.b.dir, t.user+".credentials")
}

// write puts c as dest's current value, creating the secret or parameter when first.
func (b *svcBench) write(ctx context.Context, dest string, c cred, first bool) error {
	v, _ := json.Marshal(c)
	kind, name, _ := strings.Cut(dest, ":")
	switch kind {
	case "secretsmanager":
		sm := secretsmanager.NewFromConfig(b.adm)
		if first {
			_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(string(v))})
			return err
		}
		// As a rotation would: a new version, then AWSCURRENT moved to it from the current one
		// (moto leaves AWSCURRENT where it was on a plain PutSecretValue).
		cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			return err
		}
		o, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(string(v)), VersionStages: []string{"BENCH"}})
		if err != nil {
			return err
		}
		_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: o.VersionId, RemoveFromVersionId: cur.VersionId})
		return err
	case "ssm":
		_, err := ssm.NewFromConfig(b.adm).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(string(v)),
			Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(!first)})
		return err
	}
	prof, file, _ := strings.Cut(name, "@")
	return os.WriteFile(file, []byte(fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", prof, c.AccessKeyId, c.SecretAccessKey)), 0o600)
}

// args is the rotation's command; the dishonest self-check's disturbed run is one that exits 0
// and rotates nothing.
func (t *trial) args(disturbed bool) []string {
	a := []string{"rotate", "--user", t.user, "--grace", "0", "--output", "json", "--wait", t.b.wait.String()}
	for _, d := range t.dests {
		a = append(a, "--to", d)
	}
	if disturbed && t.m.check == "dishonest" {
		return []string{"version"}
	}
	return a
}

// start runs keywarden through the proxy, signed as the admin.
func (t *trial) start(args []string) (wait func() run, kill func()) {
	return startKeywarden(t.b.bin, t.b.p.Env(t.b.admin.AccessKeyID, t.b.admin.SecretAccessKey), args)
}

// faults makes the proxy fail calls at the mode's rate with a random fault of each kind, and
// returns what removes them.
func (t *trial) faults() func() {
	if t.m.rate == 0 {
		return func() {}
	}
	kinds := []emu.Fault{emu.ServerError, emu.Unavailable, emu.Throttle, emu.ResetBefore, emu.ResetAfter}
	// One call takes at most one fault: each kind's chance q makes the rate 1-(1-q)^len(kinds).
	q := 1 - math.Pow(1-t.m.rate, 1/float64(len(kinds)))
	var mu sync.Mutex
	rng := rand.New(rand.NewSource(t.seed ^ 0x5eed))
	var removes []func()
	for _, k := range kinds {
		removes = append(removes, t.b.p.FailWhen(func(c emu.Call) bool {
			if t.m.act && !acting[c.Action] {
				return false
			}
			mu.Lock()
			defer mu.Unlock()
			return rng.Float64() < q
		}, k))
	}
	return func() {
		for _, r := range removes {
			r()
		}
	}
}

// once runs the trial's disturbed run(s) and returns them.
func (t *trial) once() []run {
	if t.m.hold != "" {
		return t.held()
	}
	stop := t.faults()
	defer stop()
	n := 1
	if t.m.two {
		n = 2
	}
	waits := make([]func() run, n)
	kills := make([]func(), n)
	for i := range n {
		waits[i], kills[i] = t.start(t.args(true))
	}
	var disarm func()
	switch t.m.kill {
	case "delay":
		d := time.Duration(t.rng.Int63n(int64(t.b.dur)))
		timer := time.AfterFunc(d, kills[0])
		disarm = func() { timer.Stop() }
	case "call":
		disarm = t.killAtCall(1+t.rng.Intn(t.b.calls), kills[0])
	}
	// Waited for at once, so each run's time is its own.
	runs := make([]run, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { runs[i] = waits[i]() })
	}
	wg.Wait()
	if disarm != nil {
		disarm()
	}
	return runs
}

// killAtCall holds the run's nth call at the proxy, kills the run while the call is held, then
// lets the call go on (moto may or may not get it: the client is gone).
func (t *trial) killAtCall(nth int, kill func()) (disarm func()) {
	var seen atomic.Int64
	var armed atomic.Bool
	armed.Store(true)
	held, release := t.b.p.HoldWhen(t.b.tb, func(emu.Call) bool {
		return armed.Load() && seen.Add(1) == int64(nth)
	})
	done := make(chan struct{})
	go func() {
		select {
		case <-held:
			kill()
			time.Sleep(20 * time.Millisecond)
			release()
		case <-done:
		}
	}()
	return func() {
		armed.Store(false)
		close(done)
		release()
	}
}

// calibrate rotates one user cleanly to learn how many calls and how long a rotation takes.
func (b *svcBench) calibrate() {
	t := b.newTrial(mode{name: "calibrate"}, 3, 1) // two destinations: the longest run
	b.p.ResetCounts()
	start := time.Now()
	w, _ := t.start(t.args(false))
	r := w()
	b.dur = time.Since(start)
	b.calls = total(b.p)
	if r.code != 0 {
		log.Fatalf("calibration run: exit %d\n%s", r.code, r.stderr)
	}
	log.Printf("a clean rotation to %v: %d calls through the proxy, %s", t.dests, b.calls, b.dur.Round(time.Millisecond))
}

// held runs a first rotation up to its delivery call, holds that call at the proxy, runs a
// second rotation of the same user to its end, then lets the first one's delivery through: the
// interleaving of two runs at once that random timing rarely hits.
func (t *trial) held() []run {
	var armed atomic.Bool
	armed.Store(true)
	heldc, release := t.b.p.HoldWhen(t.b.tb, func(c emu.Call) bool {
		return c.Action == t.m.hold && armed.Load()
	})
	waitA, _ := t.start(t.args(true))
	var a run
	doneA := make(chan struct{})
	go func() { a = waitA(); close(doneA) }()
	select {
	case <-heldc:
	case <-doneA:
	}
	armed.Store(false)
	waitB, _ := t.start(t.args(true))
	b := waitB()
	release()
	<-doneA
	return []run{a, b}
}
