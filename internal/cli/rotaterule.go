package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keywarden/keywarden/internal/jobs"
)

// ruleRotation is what the rotate rules of keywarden.yaml need from this process when apply or
// serve runs them: the real sleeper, the credentials file profile: means, exec:'s split and
// environment, and stderr for progress (serve logs it instead). The same as rotate --user's.
func ruleRotation(d *Deps) jobs.RotateOptions {
	credsFile := d.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credsFile == "" {
		home := d.Getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		credsFile = filepath.Join(home, ".aws", "credentials")
	}
	return jobs.RotateOptions{
		Wait: 2 * time.Minute, Sleep: sleepCtx, CredentialsFile: credsFile,
		Split: splitArgs, ExecEnv: os.Environ(), Out: d.Stderr,
		Progress: func(user, msg string) { fmt.Fprintf(d.Stderr, "keywarden: user %s: %s\n", user, msg) },
		Failpoint: func(name string) {
			// Crash tests only: end the process abruptly, as a kill would.
			if d.Getenv("KEYWARDEN_FAILPOINT") == name {
				fmt.Fprintf(d.Stderr, "keywarden: failpoint %s\n", name)
				os.Exit(97)
			}
		},
	}
}
