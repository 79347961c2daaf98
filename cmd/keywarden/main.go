// Command keywarden guards AWS IAM user access keys. See internal/cli for the commands.
package main

import (
	"os"

	"github.com/keywarden/keywarden/internal/cli"
	"github.com/keywarden/keywarden/internal/lambda"
)

func main() {
	// Under AWS Lambda (provided.al2023) the same binary is the function.
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Main(cli.Sleep)
		return
	}
	os.Exit(cli.Main(os.Args[1:]))
}
