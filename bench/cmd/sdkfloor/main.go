// Command sdkfloor is the start-up floor of any program built on the AWS SDK for Go v2 the way
// keywarden is: it links the SDK's config (the credential chain, with SSO) and the clients of
// the 11 services keywarden calls, and does nothing. Every linked service builds its endpoint
// table and compiles its partitions' regexps at package init, whether a run uses it or not,
// so bench/startup.sh times this beside `keywarden version` to show what keywarden adds.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	// Never true when timed; it keeps the clients (and so their packages) linked.
	if len(os.Args) > 1 && os.Args[1] == "load" {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			os.Exit(1)
		}
		_ = cloudformation.NewFromConfig(cfg)
		_ = cloudtrail.NewFromConfig(cfg)
		_ = iam.NewFromConfig(cfg)
		_ = organizations.NewFromConfig(cfg)
		_ = s3.NewFromConfig(cfg)
		_ = secretsmanager.NewFromConfig(cfg)
		_ = securityhub.NewFromConfig(cfg)
		_ = ses.NewFromConfig(cfg)
		_ = sns.NewFromConfig(cfg)
		_ = ssm.NewFromConfig(cfg)
		_ = sts.NewFromConfig(cfg)
	}
	os.Stdout.WriteString("sdkfloor\n")
}
