package notify

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/keywarden/keywarden/internal/awsapi/secretsmanager"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/policy"
)

// SSMAPI and SecretsManagerAPI are the calls that read a webhook URL kept by reference.
type SSMAPI interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

type SecretsManagerAPI interface {
	GetSecretValue(context.Context, *sm.GetSecretValueInput, ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
}

// urlRef reads a webhook URL from where notify.webhook.url says it is kept, once per sender:
// the URL stays out of the config, the template and the function's environment, and is read
// with the runner's own credentials when there is something to send.
type urlRef struct {
	ref string
	ssm SSMAPI
	sm  SecretsManagerAPI

	mu  sync.Mutex
	url string
}

func newURLRef(cfg aws.Config, ref string) *urlRef {
	r := &urlRef{ref: ref}
	if kind, _ := policy.WebhookRef(ref); kind == "ssm" {
		r.ssm = ssm.NewFromConfig(cfg)
	} else {
		r.sm = sm.NewFromConfig(cfg)
	}
	return r
}

func (r *urlRef) get(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.url != "" {
		return r.url, nil
	}
	_, name, _ := strings.Cut(r.ref, ":")
	var v string
	if r.ssm != nil {
		o, err := r.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", awserr.Wrap("read the webhook URL from "+r.ref+" (ssm:GetParameter)", err)
		}
		if o.Parameter != nil {
			v = aws.ToString(o.Parameter.Value)
		}
	} else {
		// The stage is named: moto's unstaged read lags behind a moved AWSCURRENT (DESIGN.md).
		o, err := r.sm.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			return "", awserr.Wrap("read the webhook URL from "+r.ref+" (secretsmanager:GetSecretValue)", err)
		}
		v = aws.ToString(o.SecretString)
	}
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
		// Never echo the value: it is the secret, or something put there by mistake.
		return "", fmt.Errorf("the webhook URL in %s is not an http(s) URL; store the whole URL there", r.ref)
	}
	r.url = v
	return v, nil
}
