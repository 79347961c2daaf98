package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/rotate"
)

// On an endpoint that checks no signatures (moto or LocalStack with auth off, as most people
// run them) the deleted old key would be "accepted" for the whole wait: keywarden notices once,
// with a made-up key, says so in one line, and judges the old key by IAM's list instead.
func TestRotateOnAnEndpointThatChecksNoSignatures(t *testing.T) {
	c := fresh(t) // auth off
	mkUser(t, c, rotUser, 0)
	oldID, oldSecret := mkKey(t, c, rotUser)
	credsPath := filepath.Join(t.TempDir(), "credentials")
	text := strings.NewReplacer("OLDID", oldID, "OLDSECRET", oldSecret).Replace(credsTemplate)
	if err := os.WriteFile(credsPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	r := rotKW(t, credsPath, "--wait", "4s", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var res rotate.Result
	mustJSON(t, r.stdout, &res)
	if res.OldKey != "absent" || strings.Contains(r.stderr, "waiting") || strings.Count(r.stderr, "checks no signatures") != 1 {
		t.Fatalf("old key %q; want it judged absent by IAM's list, one line about the endpoint, no waiting\n%s", res.OldKey, r.stderr)
	}
	if k := userKeys(t, rotUser); len(k) != 1 || k[oldID] != "" {
		t.Fatalf("keys %v", k)
	}
}
