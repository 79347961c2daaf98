package test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// TestLinkerDropsUnusedMethods guards the linker's dead-method elimination. One reachable
// template execution (text/template, html/template, cobra's Set*Template) or another call of
// reflect's MethodByName with a computed name makes the linker keep every exported method of
// every type: every operation of every SDK client, which made the binary 54 MB where it is 22,
// and `keywarden version` about 15% slower (docs/benchmarks.md).
func TestLinkerDropsUnusedMethods(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", emu.Binary(t)).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	syms := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 3 {
			syms[f[2]] = true
		}
	}
	// Operations keywarden never calls, of clients it links; and one it calls, to show the
	// symbol names are what this test thinks they are.
	const used = "github.com/aws/aws-sdk-go-v2/service/iam.(*Client).ListAccessKeys"
	if !syms[used] {
		t.Fatalf("%s is not in the binary's symbols; has the SDK renamed its clients' methods?", used)
	}
	for _, unused := range []string{
		"github.com/aws/aws-sdk-go-v2/service/iam.(*Client).CreateVirtualMFADevice",
		"github.com/aws/aws-sdk-go-v2/service/iam.(*Client).CreateSAMLProvider",
		"github.com/aws/aws-sdk-go-v2/service/sts.(*Client).AssumeRoleWithSAML",
	} {
		if syms[unused] {
			t.Errorf("%s is linked though nothing calls it: the linker keeps every method, so something reachable executes a template or calls MethodByName (text/template's evalField linked: %v)",
				unused, syms["text/template.(*state).evalField"])
		}
	}
}

// The binary links the SDK's generated clients of IAM and STS and of the credential chain's
// SSO, SSO OIDC and sign-in (config's, for profiles that use them), and no other: each
// generated service package builds its endpoint table and compiles its partitions' regexps at
// init, in every command and cold start, about 0.37 ms a service (docs/benchmarks.md). The
// services keywarden calls a few times are internal/awsapi's.
func TestBinaryLinksOnlyIAMAndSTSClients(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "github.com/keywarden/keywarden/cmd/keywarden").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{"iam": true, "sts": true, "sso": true, "ssooidc": true, "signin": true}
	const prefix = "github.com/aws/aws-sdk-go-v2/service/"
	seen := 0
	for line := range strings.Lines(string(out)) {
		svc, ok := strings.CutPrefix(strings.TrimSpace(line), prefix)
		if !ok || strings.Contains(svc, "/") {
			continue // service/internal/…, service/x/types
		}
		seen++
		if !allowed[svc] {
			t.Errorf("the binary links the SDK's %s client: its init runs in every command and cold start; call it through internal/awsapi", svc)
		}
	}
	if seen < 2 {
		t.Fatalf("only %d SDK service packages found in the binary's dependencies; the pattern is wrong", seen)
	}
}
