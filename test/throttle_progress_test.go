package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// While AWS throttles, the CLI says so on stderr once per retry, with the wait, instead of
// falling silent; stdout keeps only the data.
func TestThrottleRetriesShowAsProgress(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "alice", 1)
	p := moto(t).Proxy(t)
	p.FailNext("ListUsers", 2, emu.Throttle)
	w := witness(t)
	r := runBinary(t, p.Env(w[0], w[1]), "audit", "--source", "api", "-o", "json")
	var rows []map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil || len(rows) != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, "throttl") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 || p.Count("ListUsers") != 3 {
		t.Fatalf("%d ListUsers calls; want a line per retry on stderr, got:\n%s", p.Count("ListUsers"), r.stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "keywarden: throttled by AWS (Throttling), retrying in ") || !strings.HasSuffix(l, "s…") {
			t.Errorf("stderr line %q", l)
		}
	}
}
