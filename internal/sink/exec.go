package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
)

// Exec hands the key to a program of the user's: the JSON on its stdin, nothing secret in its
// argv or environment (keywarden's own AWS credentials are removed from it too). Exit status 0
// means delivered. It is how keys reach what keywarden does not know (CI secrets, Kubernetes,
// Vault). It cannot be read back, so a rerun that lost the secret cannot recover it from here.
type Exec struct {
	Argv []string
	Env  []string  // the environment to pass on, before the AWS credentials are removed
	Out  io.Writer // the program's stdout and stderr (keywarden's stderr: stdout is data)
}

func (d *Exec) String() string                              { return "exec:" + strings.Join(d.Argv, " ") }
func (d *Exec) Stage(context.Context, Secret) (bool, error) { return false, nil }
func (d *Exec) CanRecover() bool                            { return false }
func (d *Exec) Actions() []string                           { return nil }

func (d *Exec) Recover(context.Context, string) (Secret, bool, error) { return Secret{}, false, nil }

// Check refuses a program that cannot be started before a key is made: a delivery that fails
// after the create leaves a rotation to finish by hand.
func (d *Exec) Check(context.Context) error {
	if _, err := exec.LookPath(d.Argv[0]); err != nil {
		return &InvalidError{Msg: fmt.Sprintf("%s: cannot run %s (%v); give a program on PATH or its path", d, d.Argv[0], errors.Unwrap(err))}
	}
	return nil
}

func (d *Exec) Deliver(ctx context.Context, s Secret) error {
	cmd := exec.CommandContext(ctx, d.Argv[0], d.Argv[1:]...)
	cmd.Env = WithoutCredentials(d.Env)
	cmd.Stdin = bytes.NewReader(append(s.JSON(), '\n'))
	// The program's output is held and passed on with the secret blotted out: a program that
	// echoes its input (or logs it on failure) must not put the secret on keywarden's stderr.
	var held limitedBuffer
	cmd.Stdout, cmd.Stderr = &held, &held
	err := cmd.Run()
	if d.Out != nil && held.Len() > 0 {
		d.Out.Write(bytes.ReplaceAll(held.Bytes(), []byte(s.SecretAccessKey), []byte("[secret]")))
	}
	if err != nil {
		return &Error{d.String(), "deliver the new key", fmt.Errorf("%s: %w", d.Argv[0], err)}
	}
	return nil
}

// limitedBuffer keeps the first 64 KiB a program prints and drops the rest.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// WithoutCredentials is env without keywarden's own AWS credentials (and its crash-test
// failpoint), and without the variables named in also: what a program keywarden starts gets.
// An exec: destination gets the new key on stdin only; a probe gets it added back by its caller.
func WithoutCredentials(env []string, also ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
			"AWS_CREDENTIAL_EXPIRATION", "KEYWARDEN_FAILPOINT":
			continue
		}
		if slices.Contains(also, k) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
