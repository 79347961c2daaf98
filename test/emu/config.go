package emu

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Config returns an SDK config signed with the given key and aimed at moto.
// It reads no environment, profile or metadata service.
func (s *Server) Config(keyID, secret string) aws.Config {
	return newConfig(s.URL, s.Region, keyID, secret)
}

// PlainConfig is Config aimed at moto itself, without the front that gives its auth errors
// AWS's shape: what a user pointing keywarden at moto (or a LocalStack-like emulator) sees.
func (s *Server) PlainConfig(keyID, secret string) aws.Config {
	return newConfig(s.MotoURL, s.Region, keyID, secret)
}

// PlainEnv is Env aimed at moto itself (see PlainConfig).
func (s *Server) PlainEnv(keyID, secret string) []string {
	return newEnv(s.dir, s.MotoURL, s.Region, keyID, secret)
}

// Env returns the whole environment of a child process (keywarden, aws)
// talking to moto: endpoint, key, region, and fresh empty AWS config,
// credentials and HOME in a temp dir of their own, so nothing from the
// developer's ~/.aws leaks in and nothing written by the child leaks out.
// Use it as cmd.Env, not appended to os.Environ().
func (s *Server) Env(keyID, secret string) []string {
	return newEnv(s.dir, s.URL, s.Region, keyID, secret)
}

// newConfig retries like production (adaptive mode, 3 attempts) but with
// backoff capped at 20ms. Adaptive mode still slows the client by about 1s
// after a throttle: that is its client-side rate limit working, not the
// backoff; a test injecting many throttles may prefer retry.NewStandard.
func newConfig(url, region, keyID, secret string) aws.Config {
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, Source: "emu"}
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		RetryMaxAttempts: 3,
		RetryMode:        aws.RetryModeAdaptive,
		Retryer: func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = 3
					so.MaxBackoff = 20 * time.Millisecond
					so.RateLimiter = ratelimit.None
				})
			})
		},
	}
}

func newEnv(base, url, region, keyID, secret string) []string {
	dir, err := os.MkdirTemp(base, "env-")
	if err != nil {
		// base is ours and exists while the server runs; failing here means the
		// disk is gone, and a child sharing the developer's HOME would be worse.
		panic("emu: " + err.Error())
	}
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	cfg := filepath.Join(dir, "config")
	cred := filepath.Join(dir, "credentials")
	os.WriteFile(cfg, nil, 0o600)
	os.WriteFile(cred, nil, 0o600)
	env := []string{
		"HOME=" + home,
		"AWS_ENDPOINT_URL=" + url,
		"AWS_ACCESS_KEY_ID=" + keyID,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_REGION=" + region,
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + cred,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	// The aws CLI is a pyenv shim here; it needs PATH and its root.
	for _, k := range []string{"PATH", "PYENV_ROOT", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// ConfigFor is Config aimed at any endpoint: a test's own server that is not AWS at all.
func ConfigFor(url, keyID, secret string) aws.Config {
	return newConfig(url, DefaultRegion, keyID, secret)
}

// OfflineConfig is a config whose every call is refused at once (a closed loopback port), for
// commands that must not need AWS: such a test holds no moto, and a call it did not expect
// fails it loudly instead of passing against an emulator.
func OfflineConfig() aws.Config {
	return newConfig("http://127.0.0.1:1", DefaultRegion, "AKIAOFFLINEOFFLINE00", "offline-secret")
}
