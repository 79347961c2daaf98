package lambda

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/keywarden/keywarden/internal/policy"
)

// Environment variables the function reads.
const (
	EnvConfig    = "KEYWARDEN_CONFIG"     // keywarden.yaml inline
	EnvConfigSSM = "KEYWARDEN_CONFIG_SSM" // name of an SSM parameter holding keywarden.yaml
	// The seed's variables: with no config, the function deactivates this one key.
	EnvSeedUser = "TARGET_ACCESS_KEY_USER_NAME"
	EnvSeedKey  = "TARGET_ACCESS_KEY_ID"
)

// SSM is the part of the SSM API the function uses.
type SSM interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Source is where an invocation's work comes from: a keywarden.yaml, or the seed's one key.
type Source struct {
	Config *policy.Config
	// From names the config's origin for logs: "KEYWARDEN_CONFIG" or "ssm:/path".
	From string
	Seed *SeedTarget
}

// SeedTarget is the key the seed's handler deactivates.
type SeedTarget struct {
	User        string
	AccessKeyID string
}

// LoadSource reads the function's environment. It is called on every invocation, so a changed
// SSM parameter takes effect at the next run without a redeploy.
func LoadSource(ctx context.Context, getenv func(string) string, c SSM) (Source, error) {
	inline, param := getenv(EnvConfig), getenv(EnvConfigSSM)
	switch {
	case inline != "" && param != "":
		return Source{}, fmt.Errorf("both %s and %s are set; set one", EnvConfig, EnvConfigSSM)
	case inline != "":
		cfg, err := policy.Load(EnvConfig, []byte(inline))
		if err != nil {
			return Source{}, fmt.Errorf("bad config in %s:\n%w", EnvConfig, err)
		}
		return Source{Config: cfg, From: EnvConfig}, nil
	case param != "":
		if c == nil {
			return Source{}, fmt.Errorf("%s is set but no SSM client is configured", EnvConfigSSM)
		}
		o, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(param), WithDecryption: aws.Bool(true)})
		if err != nil {
			return Source{}, fmt.Errorf("read config from SSM parameter %s: %w", param, err)
		}
		if o.Parameter == nil || aws.ToString(o.Parameter.Value) == "" {
			return Source{}, fmt.Errorf("SSM parameter %s is empty", param)
		}
		cfg, err := policy.Load("ssm:"+param, []byte(aws.ToString(o.Parameter.Value)))
		if err != nil {
			return Source{}, fmt.Errorf("bad config in SSM parameter %s:\n%w", param, err)
		}
		return Source{Config: cfg, From: "ssm:" + param}, nil
	}
	user, key := getenv(EnvSeedUser), getenv(EnvSeedKey)
	switch {
	case user != "" && key != "":
		return Source{Seed: &SeedTarget{User: user, AccessKeyID: key}, From: "seed"}, nil
	case user != "":
		return Source{}, fmt.Errorf("%s is set but %s is not; set both to deactivate one key", EnvSeedUser, EnvSeedKey)
	case key != "":
		return Source{}, fmt.Errorf("%s is set but %s is not; set both to deactivate one key", EnvSeedKey, EnvSeedUser)
	}
	return Source{}, fmt.Errorf("no configuration: set %s (keywarden.yaml inline), %s (an SSM parameter name), or %s and %s",
		EnvConfig, EnvConfigSSM, EnvSeedUser, EnvSeedKey)
}
