package awsconfig

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// assumeThroughEndpoint makes a role_arn profile's AssumeRole go where the AWS CLI sends it.
// The SDK builds that STS client before it reads AWS_ENDPOINT_URL (it resolves the base
// endpoint after the credentials), so the call went to the real sts.amazonaws.com although
// every other call went to the endpoint. AWS_ENDPOINT_URL_STS already reaches that client
// and wins, as it does in the CLI.
func assumeThroughEndpoint(getenv func(string) string) (config.LoadOptionsFunc, bool) {
	url := getenv("AWS_ENDPOINT_URL")
	if url == "" || strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return nil, false
	}
	return config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
		// The SDK also runs these options once without a client, to validate them.
		if o.Client != nil {
			o.Client = endpointClient{o.Client, url}
		}
	}), true
}

type endpointClient struct {
	stscreds.AssumeRoleAPIClient
	url string
}

func (c endpointClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, fns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return c.AssumeRoleAPIClient.AssumeRole(ctx, in, append(fns, func(o *sts.Options) {
		if o.BaseEndpoint == nil {
			o.BaseEndpoint = aws.String(c.url)
		}
	})...)
}
