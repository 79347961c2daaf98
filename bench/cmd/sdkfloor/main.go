// Command sdkfloor is the start-up floor of any program built on the AWS SDK for Go v2 the way
// keywarden is: it links the SDK's config (the credential chain, with SSO and sign-in) and the
// generated clients of IAM and STS, and does nothing. Every linked generated client builds its
// endpoint table and compiles its partitions' regexps at package init, whether a run uses it
// or not; keywarden's other services go through internal/awsapi and add none. bench/startup.sh
// times this beside `keywarden version` to show what keywarden adds.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	// Never true when timed; it keeps the clients (and so their packages) linked.
	if len(os.Args) > 1 && os.Args[1] == "load" {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			os.Exit(1)
		}
		_ = iam.NewFromConfig(cfg)
		_ = sts.NewFromConfig(cfg)
	}
	os.Stdout.WriteString("sdkfloor\n")
}
