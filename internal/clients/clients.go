// Package clients builds the AWS SDK clients the commands use, each from the one aws.Config a
// command loaded (internal/awsconfig), so how a service is reached is said once: S3 on a
// custom endpoint, for one, is addressed by path.
package clients

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// IAM is the IAM client of cfg.
func IAM(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg) }

// STS is the STS client of cfg.
func STS(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) }

// CloudFormation is the CloudFormation client of cfg.
func CloudFormation(cfg aws.Config) *cloudformation.Client { return cloudformation.NewFromConfig(cfg) }

// SecurityHub is the Security Hub client of cfg.
func SecurityHub(cfg aws.Config) *securityhub.Client { return securityhub.NewFromConfig(cfg) }

// S3 is the S3 client of cfg. A custom endpoint (an emulator, a VPC endpoint) rarely serves
// bucket subdomains, so there buckets are addressed by path.
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}
