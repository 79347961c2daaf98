package lambda

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/policy"
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
	inline, param := getenv(contract.EnvConfig), getenv(contract.EnvConfigSSM)
	switch {
	case inline != "" && param != "":
		return Source{}, fmt.Errorf("both %s and %s are set; set one", contract.EnvConfig, contract.EnvConfigSSM)
	case inline != "":
		cfg, err := policy.Load(contract.EnvConfig, []byte(inline))
		if err != nil {
			return Source{}, &policy.LoadError{Name: contract.EnvConfig, Err: err}
		}
		return Source{Config: cfg, From: contract.EnvConfig}, nil
	case param != "":
		if c == nil {
			return Source{}, fmt.Errorf("%s is set but no SSM client is configured", contract.EnvConfigSSM)
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
			return Source{}, &policy.LoadError{Name: "ssm:" + param, Err: err}
		}
		return Source{Config: cfg, From: "ssm:" + param}, nil
	}
	user, key := getenv(contract.EnvSeedUser), getenv(contract.EnvSeedKey)
	switch {
	case user != "" && key != "":
		return Source{Seed: &SeedTarget{User: user, AccessKeyID: key}, From: "seed"}, nil
	case user != "":
		return Source{}, fmt.Errorf("%s is set but %s is not; set both to deactivate one key", contract.EnvSeedUser, contract.EnvSeedKey)
	case key != "":
		return Source{}, fmt.Errorf("%s is set but %s is not; set both to deactivate one key", contract.EnvSeedKey, contract.EnvSeedUser)
	}
	return Source{}, fmt.Errorf("no configuration: set %s (keywarden.yaml inline), %s (an SSM parameter name), or %s and %s",
		contract.EnvConfig, contract.EnvConfigSSM, contract.EnvSeedUser, contract.EnvSeedKey)
}
