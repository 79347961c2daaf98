// Package test holds keywarden's integration tests: the real commands against moto_server,
// started on a free loopback port by test/emu, with the AWS CLI as an independent witness.
package test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/test/emu"
)

// pool is the package's moto servers. Each test leases one for itself (its backends and auth
// switch are the test's alone) and runs in parallel with the others; see lease.
var pool *emu.Pool

// witnessProc is the botocore process that answers statusByCLI and tagsByCLI.
var witnessProc = &emu.Witness{}

func TestMain(m *testing.M) {
	if at := os.Getenv(childNowEnv); at != "" {
		os.Exit(runChild(at, os.Args[1:]))
	}
	flag.Parse()
	n := 4
	if v, err := strconv.Atoi(os.Getenv("KEYWARDEN_TEST_MOTOS")); err == nil && v > 0 {
		n = v
	}
	// The tests wait on moto and on child processes, not on the CPU: more of them at once than
	// cores pays. An explicit -parallel wins.
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", strconv.Itoa(2*n))
	}
	pool = emu.NewPool(n)
	emu.Prebuild()
	code := m.Run()
	pool.Close()
	witnessProc.Close()
	emu.RemoveBinary()
	os.Exit(code)
}

// childNowEnv, set, makes the test binary a keywarden process whose clock reads that time
// (RFC 3339): a separate process that a failpoint can end, as kwAt's clock is for one in the
// test's own process. keywarden's binary has no clock to set, and the tests derive their times
// from moto's stamps, so a kill at a failpoint of a run whose decision depends on a key's age
// needs this.
const childNowEnv = "KEYWARDEN_TEST_CHILD_NOW"

func runChild(at string, args []string) int {
	now, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 100
	}
	d := &cli.Deps{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Now: func() time.Time { return now }, Getenv: os.Getenv, LoadAWS: awsconfig.Load,
	}
	return cli.Run(context.Background(), d, args)
}

// runAt runs keywarden in a process of its own whose clock reads now, with env as its whole
// environment (see childNowEnv).
func runAt(t *testing.T, now time.Time, env []string, args ...string) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return runProgram(t, exe, "", append(slices.Clone(env), childNowEnv+"="+now.UTC().Format(time.RFC3339Nano)), args...)
}

// A lease is one top-level test's moto and the identity its witnesses sign with.
type lease struct {
	s       *emu.Server
	witness [2]string
}

var (
	leasesMu sync.Mutex
	leases   = map[string]*lease{} // by top-level test name, so subtests share their parent's
)

var defaultWitness = [2]string{"AKIAADMINADMINADMIN0", "admin-secret"}

// leaseOf returns the lease of the running test or of its nearest ancestor that holds one,
// taking one on first use. A top-level test that takes one runs in parallel with the others
// from then on; its subtests share it (see ownMoto for subtests that want their own).
func leaseOf(t testing.TB) *lease {
	t.Helper()
	leasesMu.Lock()
	for n := t.Name(); ; {
		if l := leases[n]; l != nil {
			leasesMu.Unlock()
			return l
		}
		i := strings.LastIndex(n, "/")
		if i < 0 {
			break
		}
		n = n[:i]
	}
	leasesMu.Unlock()
	if pt, ok := t.(*testing.T); ok && !strings.Contains(t.Name(), "/") {
		parallel(pt)
	}
	return takeLease(t)
}

var parallelTests sync.Map // names of the tests that called t.Parallel through parallel

// parallel is t.Parallel, once: testing panics on a second call, and leaseOf makes the test
// that takes a lease parallel itself. Tests call this, never t.Parallel.
func parallel(t *testing.T) {
	if _, done := parallelTests.LoadOrStore(t.Name(), true); !done {
		t.Parallel()
	}
}

// ownMoto makes a subtest parallel with its siblings, on a moto of its own.
func ownMoto(t *testing.T) {
	t.Helper()
	parallel(t)
	takeLease(t)
}

func takeLease(t testing.TB) *lease {
	var s *emu.Server
	if heldAbove(t) {
		s = pool.Spare(t)
	} else {
		s = pool.Lease(t)
	}
	l := &lease{s: s, witness: defaultWitness}
	leasesMu.Lock()
	leases[t.Name()] = l
	leasesMu.Unlock()
	// Registered after Lease's cleanup, so it runs first: the name is free before the server is.
	t.Cleanup(func() {
		leasesMu.Lock()
		delete(leases, t.Name())
		leasesMu.Unlock()
	})
	return l
}

// heldAbove reports whether an ancestor of t holds a lease (see Pool.Spare).
func heldAbove(t testing.TB) bool {
	leasesMu.Lock()
	defer leasesMu.Unlock()
	n := t.Name()
	for i := strings.LastIndex(n, "/"); i >= 0; i = strings.LastIndex(n, "/") {
		n = n[:i]
		if leases[n] != nil {
			return true
		}
	}
	return false
}

// moto is the running test's own moto server.
func moto(t testing.TB) *emu.Server { return leaseOf(t).s }

// fresh empties the test's moto and returns an admin IAM client (auth is off after a reset).
func fresh(t *testing.T) *iam.Client {
	t.Helper()
	l := leaseOf(t)
	l.s.Reset(t)
	l.witness = defaultWitness
	return iam.NewFromConfig(admin(t))
}

// witness is the identity the AWS CLI and botocore use to check what keywarden did.
func witness(t testing.TB) [2]string { return leaseOf(t).witness }

// enableAuth turns on moto's signature and policy checks and returns an admin IAM client;
// the witness switches to that admin too.
func enableAuth(t *testing.T) *iam.Client {
	t.Helper()
	l := leaseOf(t)
	a := l.s.EnableAuth(t)
	l.witness = [2]string{a.AccessKeyID, a.SecretAccessKey}
	return iam.NewFromConfig(admin(t))
}

// fixedNow is the tests' clock for what keywarden itself stamps (provenance, schedules). It
// never meets a time moto stamped: a key's age is measured from moto's own CreateDate.
var fixedNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs the built keywarden binary with env as its whole environment: for what only
// a separate process shows (a kill at a failpoint, configuration by environment alone).
func runBinary(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runProgram(t, emu.Binary(t), "", env, args...)
}

// runProgram runs bin in dir (the test's own when empty) with env as its whole environment and
// returns its exit code and output; a program that cannot start fails the test.
func runProgram(t *testing.T, bin, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// kw runs one keywarden command line in-process, signed with cfg, at fixedNow.
func kw(t *testing.T, cfg aws.Config, args ...string) result {
	t.Helper()
	return kwAt(t, fixedNow, cfg, args...)
}

// kwAt runs keywarden with its clock at now: for tests that relate keywarden's "now" to a time
// moto stamped (a key's age), pass moto's own stamp, never a fixed date or the wall clock.
func kwAt(t *testing.T, now time.Time, cfg aws.Config, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	d := &cli.Deps{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now:    func() time.Time { return now },
		Getenv: func(string) string { return "" },
		LoadAWS: func(context.Context, awsconfig.Options) (aws.Config, error) {
			return cfg, nil
		},
	}
	code := cli.Run(context.Background(), d, args)
	r := result{code, out.String(), errb.String()}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Fatalf("keywarden panicked:\n%s", r.stderr)
	}
	return r
}

func admin(t testing.TB) aws.Config { w := witness(t); return moto(t).Config(w[0], w[1]) }

// witnessEnv is the environment of a child process signed as the test's witness.
func witnessEnv(t testing.TB) []string { w := witness(t); return moto(t).Env(w[0], w[1]) }

func mkUser(t *testing.T, c *iam.Client, name string, nkeys int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range nkeys {
		o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(o.AccessKey.AccessKeyId))
	}
	return ids
}

func mkKey(t *testing.T, c *iam.Client, user string) (id, secret string) {
	t.Helper()
	o, err := c.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(o.AccessKey.AccessKeyId), aws.ToString(o.AccessKey.SecretAccessKey)
}

// awsCLI runs the AWS CLI against moto, as an independent witness of what keywarden did.
func awsCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	return awsCLIEnv(t, witnessEnv(t), args...)
}

func awsCLIEnv(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--output", "json"}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// statusByCLI asks botocore (the AWS CLI's library) for the status of a user's key.
func statusByCLI(t *testing.T, user, keyID string) string {
	t.Helper()
	return keyStatusByCLI(t, witnessEnv(t), user, keyID)
}

func keyStatusByCLI(t *testing.T, env []string, user, keyID string) string {
	t.Helper()
	var o struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string }
	}
	if err := witnessProc.Call(env, "iam", "list_access_keys", map[string]any{"UserName": user}, &o); err != nil {
		t.Fatalf("witness: list-access-keys of %s: %v", user, err)
	}
	for _, k := range o.AccessKeyMetadata {
		if k.AccessKeyId == keyID {
			return k.Status
		}
	}
	return "absent"
}

// tagsByCLI returns a user's tags as botocore reports them.
func tagsByCLI(t *testing.T, user string) map[string]string {
	t.Helper()
	var o struct{ Tags []struct{ Key, Value string } }
	if err := witnessProc.Call(witnessEnv(t), "iam", "list_user_tags", map[string]any{"UserName": user}, &o); err != nil {
		t.Fatalf("witness: list-user-tags of %s: %v", user, err)
	}
	m := map[string]string{}
	for _, tg := range o.Tags {
		m[tg.Key] = tg.Value
	}
	return m
}
