// Package awsconfig loads the aws.Config every command uses: the standard credential chain
// (env, shared files, SSO, roles), --profile and --region, AWS_ENDPOINT_URL* (honoured by the
// SDK itself), and adaptive retry so throttling backs off instead of failing a long job.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// DefaultRegion is used when nothing names one. IAM is global, but requests are signed for a region.
const DefaultRegion = "us-east-1"

// Options are the AWS CLI-style global flags.
type Options struct {
	Profile string
	Region  string
	// MaxAttempts bounds retries of throttled or failed calls (default 8).
	MaxAttempts int
	// Debug lets the SDK's own warnings through and logs each AWS call (see DebugCalls);
	// otherwise keywarden's one sentence is all the user sees.
	Debug bool
	// Log receives the debug lines (default slog.Default()); Now times the calls (default:
	// durations are not measured, as a core package does not read the clock itself).
	Log *slog.Logger
	Now func() time.Time
	// Throttled, when set, is told each throttled call the SDK is about to retry, with the
	// wait before the retry and AWS's error code; the CLI prints it as progress.
	Throttled func(wait time.Duration, code string)
}

// Load returns the config for opts. A named profile that does not exist is an error here,
// with a sentence that says which files were read.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	attempts := opts.MaxAttempts
	if attempts == 0 {
		attempts = 8
	}
	lo := []func(*config.LoadOptions) error{
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer {
			r := retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = attempts
				})
			})
			if opts.Throttled != nil {
				return throttleTold{r, opts.Throttled}
			}
			return r
		}),
	}
	if opts.Debug {
		log, now := opts.Log, opts.Now
		if log == nil {
			log = slog.Default()
		}
		if now == nil {
			now = func() time.Time { return time.Time{} }
		}
		lo = append(lo, config.WithLogger(logging.NewStandardLogger(os.Stderr)),
			config.WithAPIOptions([]func(*middleware.Stack) error{DebugCalls(log, now)}))
	}
	if o, ok := assumeThroughEndpoint(os.Getenv); ok {
		lo = append(lo, o)
	}
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	// The fallback must be known while loading, not set after: a role_arn profile's AssumeRole
	// client is built during the load, and without a region it fails before it reaches STS.
	lo = append(lo, config.WithDefaultRegion(DefaultRegion))
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			if ferr := diagnoseFiles(pe.Profile); ferr != nil {
				return aws.Config{}, ferr
			}
			return aws.Config{}, fmt.Errorf("profile %q not found in %s or %s; list profiles with 'aws configure list-profiles'", pe.Profile, configFile(), credentialsFile())
		}
		profile := opts.Profile
		if profile == "" {
			profile = "default"
		}
		if ferr := diagnoseFiles(profile); ferr != nil {
			return aws.Config{}, ferr
		}
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	Normalize(&cfg)
	return cfg, nil
}

func configFile() string {
	if f := os.Getenv("AWS_CONFIG_FILE"); f != "" {
		return f
	}
	return "~/.aws/config"
}

func credentialsFile() string {
	if f := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		return f
	}
	return "~/.aws/credentials"
}

// SignedWith is the access key id cfg's requests are signed with: the key the self-lockout
// guard protects (DESIGN.md, invariant 3). It is "" when cfg has no credentials. The SDK
// caches credentials, so asking again (serve does, every run, in case they were refreshed)
// costs no call.
func SignedWith(ctx context.Context, cfg aws.Config) (string, error) {
	if cfg.Credentials == nil {
		return "", nil
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	return c.AccessKeyID, nil
}
