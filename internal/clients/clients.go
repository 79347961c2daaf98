// Package clients builds the AWS SDK clients keywarden uses, each from the one aws.Config a
// command, serve or the Lambda loaded (internal/awsconfig), so how a service is reached is
// said once. Only IAM and STS are here: the SDK's configuration links STS for its
// credential chain anyway, and IAM is every run's; the services keywarden calls a few times
// are internal/awsapi's, built where they are used, so that no generated client's init is
// paid by a run that does not call it.
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
