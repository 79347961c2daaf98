// Command keywarden guards AWS IAM user access keys. See internal/cli for the commands.
package main

import (
	"os"

	"github.com/keywarden/keywarden/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
