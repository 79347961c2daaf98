package daemon

import (
	"os/exec"
	"strings"
	"testing"
)

// Every command links this package, so what it imports is paid for in every start-up and in
// the Lambda's cold start: /metrics must not bring Prometheus's client and the protobuf runtime
// back (60 packages, 2.4 MB, a sixth of `keywarden version`'s CPU when they were there).
func TestBinaryLinksNoMetricsLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/keywarden/keywarden/cmd/keywarden").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps gave %d packages; want keywarden's graph", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/prometheus/", "google.golang.org/protobuf/"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("cmd/keywarden imports %s", d)
			}
		}
	}
}
