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
		"github.com/aws/aws-sdk-go-v2/service/ssm.(*Client).SendCommand",
		"github.com/aws/aws-sdk-go-v2/service/s3.(*Client).GetObjectAcl",
	} {
		if syms[unused] {
			t.Errorf("%s is linked though nothing calls it: the linker keeps every method, so something reachable executes a template or calls MethodByName (text/template's evalField linked: %v)",
				unused, syms["text/template.(*state).evalField"])
		}
	}
}
