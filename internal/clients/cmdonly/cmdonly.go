// Package cmdonly builds the SDK clients that only commands run from a shell or CI need
// (deploy's S3 upload, audit --to securityhub), apart from internal/clients so that serve and
// the Lambda, which import that package, never link these services (their init and size
// would be paid on every cold start; TestLambdaImportsOnlyWhatItNeeds forbids them).
package cmdonly

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// SecurityHub is the Security Hub client of cfg.
func SecurityHub(cfg aws.Config) *securityhub.Client { return securityhub.NewFromConfig(cfg) }

// S3 is the S3 client of cfg. A custom endpoint (an emulator, a VPC endpoint) rarely serves
// bucket subdomains, so there buckets are addressed by path.
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}
