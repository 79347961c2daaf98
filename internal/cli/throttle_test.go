package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsconfig"
)

// A throttle retry is a plain progress line in the CLI and a JSON log line in serve, whose
// stderr is its log. The loader stands in for AWS: it tells one throttle, then fails.
func TestThrottleIsToldAsTheFrontWrites(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	if err := os.WriteFile(cfg, []byte("jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    select: {users: [alice]}\n    do: [deactivate: {}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"whoami"}, "keywarden: throttled by AWS (Throttling), retrying in 4.0s…\n"},
		{[]string{"serve", "-c", cfg}, `"msg":"aws throttled, retrying","code":"Throttling","retry_in":"4s"`},
	} {
		t.Run(c.args[0], func(t *testing.T) {
			d, _, errb := testDeps()
			d.LoadAWS = func(_ context.Context, o awsconfig.Options) (aws.Config, error) {
				if o.Throttled == nil {
					return aws.Config{}, errors.New("no throttle hook")
				}
				o.Throttled(4*time.Second, "Throttling")
				return aws.Config{}, errors.New("stop here")
			}
			Run(context.Background(), d, c.args)
			if !strings.Contains(errb.String(), c.want) {
				t.Fatalf("stderr %q, want …%s…", errb.String(), c.want)
			}
		})
	}
}
