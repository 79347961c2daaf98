package sink

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/keywarden/keywarden/internal/awsapi/secretsmanager"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"
)

// ciToken is a CI destination's token kept by reference (:token=ssm:NAME or
// :token=secretsmanager:ID), read once with the run's AWS credentials when first needed: so
// the Lambda, which has no token in its environment, can deliver there, and the token is never
// in the config, the template or the function's environment.
type ciToken struct {
	ref string
	e   Env
}

// fill reads the token into *token when there is none yet and it is kept by reference (t not nil).
func (t *ciToken) fill(ctx context.Context, token *string, dest string) (err error) {
	if *token == "" && t != nil {
		*token, err = t.read(ctx, dest)
	}
	return err
}

func (t *ciToken) read(ctx context.Context, dest string) (string, error) {
	k, name, _ := strings.Cut(t.ref, ":")
	var v string
	if k == "ssm" {
		c := t.e.SSM
		if c == nil {
			c = ssm.NewFromConfig(t.e.Config)
		}
		out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: &name, WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", &Error{dest, "read the token from " + t.ref + " (ssm:GetParameter)", err}
		}
		v = aws.ToString(out.Parameter.Value)
	} else {
		c := t.e.SecretsManager
		if c == nil {
			c = sm.NewFromConfig(t.e.Config)
		}
		out, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: &name})
		if err != nil {
			return "", &Error{dest, "read the token from " + t.ref + " (secretsmanager:GetSecretValue)", err}
		}
		v = aws.ToString(out.SecretString)
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", &InvalidError{Msg: fmt.Sprintf("%s: %s holds no token; put the token in it", dest, t.ref)}
	}
	return v, nil
}

// APIVars name where a CI system's API is (never a token): the Lambda passes these from its
// environment to github:, github-org: and gitlab:, whose tokens it has only by reference.
var APIVars = []string{"GITHUB_API_URL", "GITLAB_URL", "CI_SERVER_URL"}
