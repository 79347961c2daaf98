package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/test/emu"
)

// A killed apply that had changed 199 keys had printed none: each key's line must be on stdout
// once the key is done, before the next key is changed.
func TestApplyPrintsEachKeyAsItIsDone(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "dev", 2)
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	if err := os.WriteFile(cfg, []byte("jobs:\n  curfew:\n    select: {users: [dev]}\n    do:\n      - deactivate: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb lockedBuffer
	var seen []string // stdout as it was when each UpdateAccessKey reached IAM
	p := moto(t).Proxy(t)
	p.FailWhen(func(c emu.Call) bool {
		if c.Action == "UpdateAccessKey" {
			seen = append(seen, out.String())
		}
		return false
	}, emu.ServerError)
	w := witness(t)
	d := &cli.Deps{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now:    func() time.Time { return fixedNow },
		Getenv: func(string) string { return "" },
		LoadAWS: func(context.Context, awsconfig.Options) (aws.Config, error) {
			return p.Config(w[0], w[1]), nil
		},
	}
	if code := cli.Run(context.Background(), d, []string{"apply", "-c", cfg, "--yes"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if len(seen) != 2 || strings.Contains(seen[0], "deactivated") || !strings.Contains(seen[1], ids[0]+" dev deactivated") && !strings.Contains(seen[1], ids[1]+" dev deactivated") {
		t.Fatalf("stdout when each key was changed: %q; want the first key's line before the second change", seen)
	}
}
