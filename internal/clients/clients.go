// Package clients builds the AWS SDK clients keywarden uses, each from the one aws.Config a
// command, serve or the Lambda loaded (internal/awsconfig), so how a service is reached is
// said once. It holds only the services a run's path already links (the Lambda's included):
// the clients that only commands build (CloudFormation, S3, Security Hub) are in
// clients/cmdonly, so importing this package never adds them to the function's cold start.
package clients

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// IAM is the IAM client of cfg.
func IAM(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg) }

// STS is the STS client of cfg.
func STS(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) }
