package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// policy decides; it must not be able to reach AWS or the network, whatever its dependencies
// pull in later.
func TestImportsNoAWSOrNetwork(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to list dependencies")
		}
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "go.yaml.in/yaml/v3") {
		t.Fatalf("go list -deps gave an implausible list: %v", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/aws/") || d == "net" || strings.HasPrefix(d, "net/") || d == "os/exec" {
			t.Errorf("policy depends on %s", d)
		}
	}
}

// Evaluate and friends take the time as an argument; reading the clock or sleeping in this
// package would make plans depend on when they were computed.
func TestReadsNoClock(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		checked++
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, banned := range []string{"time.Now(", "time.Since(", "time.Until(", "time.Sleep(", "time.After(", "time.Tick("} {
			if strings.Contains(string(src), banned) {
				t.Errorf("%s calls %s", f, banned)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d files", checked)
	}
}
