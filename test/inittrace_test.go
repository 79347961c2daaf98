package test

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// Package initialisation is paid by every command and every Lambda cold start before main
// runs, so it stays small: what GODEBUG=inittrace=1 reports as allocated by init (a count of
// bytes the Go runtime measures, the same on every run, unlike the clock) stays under a budget
// for the whole binary, and no keywarden package builds anything sizeable at init (policy's
// regexps once took 5.4 MB; they are compiled on first use now).
func TestInitAllocationsStayUnderBudget(t *testing.T) {
	const (
		// The whole binary: 0.52 MB (2026-12-03), down from 1.31 MB when it linked 14 of the
		// SDK's generated clients (each builds its partitions' maps and compiles 8 region
		// regexps at init, 1.14 MB in all); it links IAM's and STS's and the credential chain's
		// sso, ssooidc and signin now, every other service going through internal/awsapi
		// (TestBinaryLinksOnlyIAMAndSTSClients). config v1.33.11 keeps sso, ssooidc and signin
		// on the last releases before the SDK's service/*/schemas packages, which build every
		// shape at init (ssm's alone 1.4 MB); go-sarif (and its JSON schema validator) and
		// aws-lambda-go's RPC are gone. A bump past those releases fails here or below:
		// measure the start-up before raising the budget.
		wholeBudget = 640_000
		// One keywarden package: policy's 1.6 KB is the most today; the audit page's template
		// (66 KB), a bounded-repetition regexp (87 KB) and the regexps of awserr (18 KB),
		// permissions (8 KB) and daemon (5 KB) were built here before they moved to first use.
		ownBudget = 4 << 10
	)
	cmd := exec.Command(emu.Binary(t), "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keywarden version: %v\n%s", err, out)
	}
	var total, pkgs int
	for line := range strings.Lines(string(out)) {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		f := strings.Fields(line)
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		b, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", line, err)
		}
		pkgs++
		total += b
		if strings.HasPrefix(f[1], "github.com/aws/aws-sdk-go-v2/") && strings.HasSuffix(f[1], "/schemas") {
			t.Errorf("%s builds the service's every shape at init (%d bytes): pin the release before it (docs/benchmarks.md)", f[1], b)
		}
		if strings.HasPrefix(f[1], "github.com/keywarden/") && b > ownBudget {
			t.Errorf("%s allocates %d bytes at init (budget %d): build it on first use (sync.OnceValue)", f[1], b, ownBudget)
		}
	}
	if pkgs < 50 {
		t.Fatalf("read %d init lines from GODEBUG=inittrace=1, want the runtime's trace of every package:\n%s", pkgs, out)
	}
	if total > wholeBudget {
		t.Errorf("package initialisation allocates %d bytes over %d packages, budget %d: find the package with GODEBUG=inittrace=1 keywarden version", total, pkgs, wholeBudget)
	}
	t.Logf("init: %d bytes over %d packages", total, pkgs)
}
