package cli

import (
	"os"

	"github.com/spf13/cobra"
)

// Tree is the command tree exactly as the binary parses it, for what is generated from it
// at release time (shell completions, man pages) and for the docs' tests.
func Tree() *cobra.Command {
	root := newRootCmd(&Deps{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}
