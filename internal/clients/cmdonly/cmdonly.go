// Package cmdonly builds the SDK clients that only commands run from a shell or CI need
// (deploy's S3 upload, audit --to securityhub), apart from internal/clients so that serve and
// the Lambda, which import that package, never link these services (their init and size
// would be paid on every cold start; TestLambdaImportsOnlyWhatItNeeds forbids them).
package cmdonly

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// SecurityHub is the Security Hub client of cfg.
func SecurityHub(cfg aws.Config) *securityhub.Client { return securityhub.NewFromConfig(cfg) }
