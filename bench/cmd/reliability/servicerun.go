package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/test/emu"
)

// serviceOptions are the flags of the service-rotation bench.
type serviceOptions struct {
	modes  string
	trials int
	seed   int64
	reruns int
	wait   time.Duration
	bin    string
	json   bool
}

// row is one mode's figures.
type row struct {
	Mode       string         `json:"mode"`
	Trials     int            `json:"trials"`
	Runs       int            `json:"runs"`
	Killed     int            `json:"killed"`
	Exit0      int            `json:"exit0"`
	Exits      map[int]int    `json:"exits"`    // exit code → runs (-1: killed)
	Failures   map[string]int `json:"failures"` // trials that broke each invariant
	Reads      int            `json:"consumer_reads"`
	MaxReruns  int            `json:"max_reruns"`
	SumReruns  int            `json:"-"`
	AvgReruns  float64        `json:"avg_reruns"`
	Converged  int            `json:"converged"`
	Details    []string       `json:"details,omitempty"`
	SecondsAvg float64        `json:"seconds_per_trial"`
}

func runService(o serviceOptions) {
	tb, s := emu.LaunchProgram()
	defer tb.Close()
	a := s.EnableAuth(tb)
	dir := tb.TempDir()
	b := &svcBench{s: s, p: s.Proxy(tb), tb: tb, adm: s.Config(a.AccessKeyID, a.SecretAccessKey), admin: a, bin: o.bin, dir: dir, reruns: o.reruns, wait: o.wait}
	if b.bin == "" {
		b.bin = emu.Binary(tb)
		defer emu.RemoveBinary()
	}
	b.calibrate()

	want := map[string]bool{}
	for _, m := range strings.Split(o.modes, ",") {
		want[m] = true
	}
	var rows []row
	for mi, m := range modes {
		if !want["all"] && !want[m.name] && !(want["faults"] && m.check == "") && !(want["selfcheck"] && m.check != "") {
			continue
		}
		r := row{Mode: m.name, Failures: map[string]int{}, Exits: map[int]int{}}
		start := time.Now()
		for i := range o.trials {
			seed := o.seed*1_000_000 + int64(mi)*1000 + int64(i)
			b.trial(m, i, seed, &r)
		}
		r.SecondsAvg = time.Since(start).Seconds() / float64(o.trials)
		if r.Converged > 0 {
			r.AvgReruns = float64(r.SumReruns) / float64(r.Converged)
		}
		rows = append(rows, r)
		log.Printf("%s: %d trials in %s", m.name, o.trials, time.Since(start).Round(time.Second))
	}
	if o.json {
		e := json.NewEncoder(os.Stdout)
		e.SetIndent("", "  ")
		must(e.Encode(rows))
		return
	}
	printTable(rows)
}

// trial runs one trial of m and adds it to r.
func (b *svcBench) trial(m mode, i int, seed int64, r *row) {
	ctx := context.Background()
	t := b.newTrial(m, i, seed)
	f := failures{}
	stop := t.consume()

	runs := t.once()
	for _, x := range runs {
		if x.code > 0 {
			log.Printf("EXIT %s seed %d user %s (%v): disturbed run exit %d after %s: %s", m.name, seed, t.user, t.dests, x.code, x.took.Round(time.Second), lastLine(x.stderr))
		}
	}
	for _, x := range runs {
		if x.took > t.slowRun() {
			for i, y := range runs {
				t.logRun(y, fmt.Sprintf("disturbed run %d of %d", i+1, len(runs)))
			}
			break
		}
	}
	s := t.always(ctx, f, "after the disturbed run")
	for _, x := range runs {
		t.honest(ctx, f, x, s, "disturbed run")
		r.Runs++
		r.Exits[x.code]++
		if x.killed {
			r.Killed++
		}
		if x.code == 0 {
			r.Exit0++
		}
	}
	reruns, conv := 0, t.converged(s)
	var last run
	for !conv && reruns < b.reruns {
		reruns++
		w, _ := t.start(t.args(false))
		x := w()
		last = x
		if x.took > t.slowRun() {
			t.logRun(x, fmt.Sprintf("rerun %d", reruns))
		}
		r.Runs++
		r.Exits[x.code]++
		if x.code == 0 {
			r.Exit0++
		}
		when := fmt.Sprintf("rerun %d (exit %d)", reruns, x.code)
		s = t.always(ctx, f, when)
		t.honest(ctx, f, x, s, when)
		conv = t.converged(s)
	}
	if t.breakOnPurpose(ctx) {
		time.Sleep(500 * time.Millisecond) // the consumer reads what was broken
	}
	reads, bad := stop()
	r.Reads += reads
	for _, x := range bad {
		f.add(invBadRead, "%s", x)
	}
	s = t.always(ctx, f, "at the end")
	if conv {
		t.final(f, s)
		r.Converged++
		r.SumReruns += reruns
		r.MaxReruns = max(r.MaxReruns, reruns)
	} else {
		f.add(invUnconverge, "not converged after %d reruns: keys %v, record %q", reruns, s.keys, s.tags[keys.RotationTag])
		t.logRun(last, "unconverged trial's last rerun")
	}
	r.Trials++
	for _, inv := range invariants {
		if len(f[inv]) == 0 {
			continue
		}
		r.Failures[inv]++
		d := fmt.Sprintf("%s trial %d seed %d user %s (%v): %s: %s", m.name, i, seed, t.user, t.dests, inv, f[inv][0])
		if len(f[inv]) > 1 {
			d += fmt.Sprintf(" (and %d more)", len(f[inv])-1)
		}
		r.Details = append(r.Details, d)
		if m.check == "" {
			log.Printf("FAIL %s", d)
		}
	}
	if len(f) > 0 && m.check == "" {
		for i, x := range runs {
			t.logRun(x, fmt.Sprintf("failed trial's disturbed run %d of %d", i+1, len(runs)))
		}
	}
}

// breakOnPurpose breaks the invariant a self-check mode names, after the rotation converged,
// so the table shows the checker catching it. It says whether it broke something.
func (t *trial) breakOnPurpose(ctx context.Context) bool {
	c := iam.NewFromConfig(t.b.adm)
	switch t.m.check {
	case "dead-dest":
		// A key that never existed, as a wrong write or a deleted key would leave.
		dead := cred{1, fmt.Sprintf("AKIADEAD%012d", rand.Int63n(1e12)), "dead-secret"}
		must(t.b.write(ctx, t.dests[0], dead, false))
	case "extra-key":
		ks, err := t.b.keys(ctx, t.user)
		must(err)
		for id, st := range ks {
			if st != keys.Active {
				_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(t.user), AccessKeyId: aws.String(id)})
				must(err)
			}
		}
		_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(t.user)})
		must(err)
		// A third key would break "at most two"; IAM (and moto) refuse it, so that check can
		// only ever see keywarden's own calls fail, never pass a third key.
		_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(t.user)})
		var le *iamtypes.LimitExceededException
		if err == nil || !errors.As(err, &le) {
			log.Printf("self-check: a third key on %s: %v (want LimitExceeded)", t.user, err)
		}
	case "pending":
		_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(t.user), Tags: []iamtypes.Tag{{Key: aws.String(keys.RotationTag), Value: aws.String("left-by-the-bench")}}})
		must(err)
	default:
		return false
	}
	return true
}

func printTable(rows []row) {
	fmt.Print("| mode | trials | runs | killed | exit 0 |")
	for _, inv := range invariants {
		fmt.Printf(" %s |", inv)
	}
	fmt.Println(" consumer reads | converged | reruns max | reruns avg | exit codes (runs) | s/trial |")
	fmt.Println("|---|---|---|---|---|" + strings.Repeat("---|", len(invariants)) + "---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %d | %d | %d |", r.Mode, r.Trials, r.Runs, r.Killed, r.Exit0)
		for _, inv := range invariants {
			fmt.Printf(" %d |", r.Failures[inv])
		}
		fmt.Printf(" %d | %d | %d | %.2f | %s | %.1f |\n", r.Reads, r.Converged, r.MaxReruns, r.AvgReruns, exits(r.Exits), r.SecondsAvg)
	}
	for _, r := range rows {
		for _, d := range r.Details {
			fmt.Println("- " + d)
		}
	}
}

// exits writes exit code → runs as "0:18 1:2 killed:3".
func exits(m map[int]int) string {
	var codes []int
	for c := range m {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var out []string
	for _, c := range codes {
		name := strconv.Itoa(c)
		if c == -1 {
			name = "killed"
		}
		out = append(out, fmt.Sprintf("%s:%d", name, m[c]))
	}
	return strings.Join(out, " ")
}

// slowRun is the time a run that waited out its whole --wait takes: a clean run takes 2 s, and
// the SDK's backoff under the faults here adds seconds, not the wait.
func (t *trial) slowRun() time.Duration { return t.b.wait }

// logRun logs a run with what it printed. The bench logs every run slower than slowRun (and the
// run beside it): a run that waits that long is a finding even when every invariant holds.
func (t *trial) logRun(x run, what string) {
	log.Printf("RUN %s seed %d user %s (%v): %s took %s, exit %d:\n%s", t.m.name, t.seed, t.user, t.dests, what, x.took.Round(time.Second), x.code, strings.TrimSpace(x.stderr))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
