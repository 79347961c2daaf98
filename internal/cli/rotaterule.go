package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/keywarden/keywarden/internal/jobs"
)

// ruleRotation is what the rotate rules of keywarden.yaml need from this process when apply or
// serve runs them: the real sleeper, the credentials file profile: means, exec:'s split and
// environment, and stderr for progress (serve logs it instead). The same as rotate --user's.
func ruleRotation(d *Deps) jobs.RotateOptions {
	return jobs.RotateOptions{
		Wait: 2 * time.Minute, Sleep: sleepCtx, CredentialsFile: d.credentialsFile(),
		Split: splitArgs, ExecEnv: os.Environ(), Out: d.Stderr,
		Progress:  func(user, msg string) { fmt.Fprintf(d.Stderr, "keywarden: user %s: %s\n", user, msg) },
		Failpoint: d.failpoint,
	}
}
