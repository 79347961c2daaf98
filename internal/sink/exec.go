package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

var _ = builder(kind.Exec, func(rest string, e Env) (Sink, error) {
	argv, err := e.Split(rest)
	if err != nil {
		return nil, fmt.Errorf("destination %q: %v", kind.Exec.Name+":"+rest, err)
	}
	return &Exec{Argv: argv, Env: e.ExecEnv, Out: e.Out}, nil
})

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
func (d *Exec) Actions() []string                           { return kind.Exec.ActionsFor(false) }

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

// WithoutCredentials is env as a program keywarden starts gets it: nothing through which the
// SDK's or the AWS CLI's default credential chain could find keywarden's own credentials (no key,
// no profile name, no shared file, no web identity or container endpoint, no instance
// metadata), no crash-test failpoint, and none of the variables named in also. The shared files
// point at the null device rather than being unset, since unset means ~/.aws. An exec:
// destination gets the new key on stdin only; a probe gets it added back by its caller.
//
// What a child running as the same OS user can still reach is outside the environment: files
// it can read (~/.aws itself, by its path) and an instance role's metadata endpoint, which a
// program can call without the SDK.
func WithoutCredentials(env []string, also ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if locatesCredentials(k) || k == "KEYWARDEN_FAILPOINT" || slices.Contains(also, k) {
			continue
		}
		out = append(out, kv)
	}
	return append(out,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true")
}

// locatesCredentials reports whether an environment variable holds AWS credentials or tells
// the SDK or the CLI where to find them.
func locatesCredentials(k string) bool {
	switch k {
	case "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
		"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_EC2_METADATA_DISABLED",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE":
		return true
	}
	for _, p := range []string{"AWS_ACCESS_KEY", "AWS_SECRET_", "AWS_CREDENTIAL_", "AWS_CONTAINER_", "AWS_SSO_"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
