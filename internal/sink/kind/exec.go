package kind

import "strings"

// Exec is exec:COMMAND, a program of the user's given the key on its stdin (internal/sink's
// Exec delivers). It cannot be read back: a rerun that lost the secret needs a readable
// destination beside it.
var Exec = add(&Kind{
	Name:    "exec",
	Syntax:  "exec:COMMAND",
	Help:    "exec:COMMAND (the JSON on stdin, exit 0 = delivered)",
	Example: "exec:./push-to-ci {user}",
	Problem: func(rest string) string {
		if strings.TrimSpace(rest) == "" {
			return "want exec:COMMAND [ARG]..."
		}
		return ""
	},
	WithUser: func(rest string) string { return rest + " {user}" },
	Local:    "runs a local program",
})
