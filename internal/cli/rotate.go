package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/rotate"
	"github.com/keywarden/keywarden/internal/sink"
)

type rotateOptions struct {
	*Deps
	*globalOptions
	CredentialsFile string
	ConfigFile      string
	Retire          string
	MakeRoom        bool
	Wait            time.Duration
	Probe           string
	Token           string
	service         serviceRotateFlags
}

func newCmdRotate(d *Deps, g *globalOptions, runF func(context.Context, *rotateOptions) error) *cobra.Command {
	o := &rotateOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "rotate [--profile NAME]",
		Long: `Rotate the static access key of one profile of the shared credentials file:

  1. identify the key's IAM user (sts:GetCallerIdentity, signed with the old key)
  2. check the two-key limit (an inactive second key is deleted only with --make-room)
  3. create a new key
  4. wait until STS accepts the new key several times in a row (IAM takes seconds), up to --wait
  5. run --probe with the new key, if given
  6. write it into the profile (atomic, fsync, 0600)
  7. retire the old key, signed with the new one: deactivate it, then with --retire delete, delete it
  8. check the old key is dead
If the new key never works, or the probe fails, it is deleted: the file never held it.

This is the engine service rotation runs, with the profile as its one destination. Each phase
is journalled next to the credentials file (FILE.keywarden-rotate.json, no secrets).
If keywarden is killed, running "keywarden rotate" again finishes or undoes the rotation. A
missing profile, or one with a session token, a role, SSO or credential_process, is bad input
(exit 2): there is no long-term key of its own to rotate. A key of another user, or an active
second key in the way, is refused (exit 4).

Needs the policy printed by "keywarden policy --self-rotate" on the user.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Refused, exitcode.Auth),
		Example: `  keywarden rotate --profile dev
  keywarden rotate --profile ci --retire deactivate --wait 5m --output json
  keywarden rotate --profile dev --probe 'aws s3 ls'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkToken(cmd, o.Token); err != nil {
				return err
			}
			if o.service.active(cmd) {
				return o.runServiceOrF(cmd, runF)
			}
			if o.Retire != string(rotate.RetireDelete) && o.Retire != string(rotate.RetireDeactivate) {
				return usagef("--retire must be delete or deactivate, not %q", o.Retire)
			}
			if o.Wait <= 0 {
				return usagef("--wait %s: want more than zero, like 2m", flagDur(o.Wait))
			}
			if _, err := splitArgs(o.Probe); err != nil {
				return usagef("--probe: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRotate(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.CredentialsFile, "credentials-file", "", "shared credentials file (default $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)")
	f.StringVar(&o.ConfigFile, "config-file", "", "shared config file, read only to tell what kind of profile it is (default $AWS_CONFIG_FILE, else ~/.aws/config)")
	f.StringVar(&o.Retire, "retire", "delete", "what to do with the old key: delete or deactivate")
	f.BoolVar(&o.MakeRoom, "make-room", false, "delete the user's inactive second key if the two-key limit is reached")
	durationFlag(cmd, &o.Wait, "wait", 2*time.Minute, "how long to wait for the new key to work (and the old one to die), like 90s or 5m")
	f.StringVar(&o.Probe, "probe", "", "a command to run with the new key before the old one is retired (no shell: write sh -c '...' for one)")
	f.StringVar(&o.Token, "client-request-token", "", "an idempotency token: a rerun with the same token finishes that rotation or reports it done, never starts another (CI: the job's run id)")
	o.service.addFlags(cmd)
	return cmd
}

// checkToken refuses a token no record could tell apart from none (empty) or that a shell
// mangled (control characters); what is stored is only its digest, so any other text will do.
func checkToken(cmd *cobra.Command, token string) error {
	if !cmd.Flags().Changed("client-request-token") {
		return nil
	}
	if token == "" || len(token) > 256 || strings.ContainsFunc(token, unicode.IsControl) {
		return usagef("--client-request-token: want 1 to 256 characters and no control characters, like the CI job's run id")
	}
	return nil
}

func runRotate(ctx context.Context, o *rotateOptions) error {
	if err := o.check(outputFormats["rotate"]...); err != nil {
		return err
	}
	profile := o.globalOptions.Profile
	if profile == "" {
		profile = o.Getenv("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	credsFile := o.CredentialsFile
	if credsFile == "" {
		credsFile = o.credentialsFile()
	}
	configFile := o.ConfigFile
	if configFile == "" {
		configFile = o.Getenv("AWS_CONFIG_FILE")
	}
	if configFile == "" {
		configFile = filepath.Join(o.home(), ".aws", "config")
	}
	base, err := o.rotateBase(ctx, profile)
	if err != nil {
		return err
	}
	ro := rotate.Options{
		CredentialsFile: credsFile, ConfigFile: configFile, Profile: profile,
		Retire: rotate.Retire(o.Retire), MakeRoom: o.MakeRoom, Wait: o.Wait,
		Connect: func(c rotate.Credentials) rotate.Clients {
			cfg := base.Copy()
			cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")
			return rotate.Clients{IAM: clients.IAM(cfg), STS: clients.STS(cfg)}
		},
		Now:   o.Now,
		Sleep: sleepCtx,
		Progress: func(el time.Duration, msg string) {
			fmt.Fprintf(o.Stderr, "keywarden: [%.1fs] %s\n", el.Seconds(), msg)
		},
		Failpoint: o.failpoint,
		Token:     o.Token,
	}
	if o.Probe != "" {
		argv, _ := splitArgs(o.Probe)
		ro.Probe = func(ctx context.Context, c rotate.Credentials) error { return o.runProbe(ctx, argv, c) }
	}
	res, err := rotate.Run(ctx, ro)
	if err != nil {
		return rotateErr(err)
	}
	if o.Output == "json" {
		return report.JSON(o.Stdout, res)
	}
	if res.AlreadyDone != "" {
		_, err = fmt.Fprintf(o.Stdout, "profile %s: %s\n", res.Profile, res.AlreadyDone)
		return err
	}
	_, err = fmt.Fprintf(o.Stdout, "profile %s: %s -> %s (old key %sd: %s)\n", res.Profile, res.OldKeyID, res.NewKeyID, res.Retire, res.OldKey)
	return err
}

// rotateBase loads region and endpoint as every command does; credentials are replaced by the
// profile's own static keys, so nothing from the environment's chain signs a rotation. A
// profile only the given --credentials-file knows falls back to the default settings.
func (o *rotateOptions) rotateBase(ctx context.Context, profile string) (aws.Config, error) {
	cfg, err := o.load(ctx, o.awsOptions(profile))
	// A file that cannot be read or parsed is bad input whichever profile is asked for, and
	// its sentence names the profile the user meant, not the fallback's "default".
	var fe *awsconfig.FileError
	if errors.As(err, &fe) {
		return aws.Config{}, usageErr(err)
	}
	if err != nil {
		cfg, err = o.load(ctx, o.awsOptions(""))
	}
	if errors.As(err, &fe) {
		return aws.Config{}, usageErr(err)
	}
	if err != nil {
		return aws.Config{}, &codedError{code: exitcode.Auth, msg: err.Error()}
	}
	return cfg, nil
}

// rotateErr words a rotation failure: a failed step as what AWS said about it, a refusal or a
// profile it cannot rotate as themselves (exitcode.Of gives each its code).
func rotateErr(err error) error {
	var se *engine.StepError
	if c := exitcode.Of(err); c != exitcode.Refused && c != exitcode.Usage && errors.As(err, &se) {
		return awsErr(se.What, se.Err)
	}
	return err
}

// runProbe runs the user's check with only the new key in its AWS environment.
func (o *rotateOptions) runProbe(ctx context.Context, argv []string, c rotate.Credentials) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// No profile either: the SDK in the probe must sign with the new key, not pick a profile.
	env := sink.WithoutCredentials(os.Environ())
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey)
	cmd.Stdout, cmd.Stderr = o.Stderr, o.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return nil
}

// splitArgs splits a command line into words with sh's quoting rules for '...', "..." and \,
// and nothing else: no variables, globs or pipes.
func splitArgs(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false
	var quote rune
	esc := false
	for _, c := range s {
		switch {
		case esc:
			cur.WriteRune(c)
			esc = false
		case quote == '\'' && c == '\'', quote == '"' && c == '"':
			quote = 0
		case quote == '\'':
			cur.WriteRune(c)
		case c == '\\':
			esc, in = true, true
		case quote == '"':
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	if quote != 0 || esc {
		return nil, errors.New("unterminated quote or escape")
	}
	if in {
		words = append(words, cur.String())
	}
	if s != "" && len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}
