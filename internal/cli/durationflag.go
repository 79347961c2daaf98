package cli

import (
	"regexp"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/policy"
)

// durationValue is a duration flag in keywarden.yaml's syntax (30s 5m 24h 7d 2w), so that
// --grace 1d means what grace: 1d means, and a bad value is worded as a bad field is.
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return policy.Duration(*v.d).String()
}

func (v durationValue) Set(s string) error {
	d, err := policy.ParseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d.Std()
	return nil
}

func (v durationValue) Type() string { return "duration" }

// durationFlag defines a duration flag with keywarden's syntax.
func durationFlag(cmd *cobra.Command, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	cmd.Flags().Var(durationValue{p}, name, usage)
}

// pflag words a value its Set refused as `invalid argument "5" for "--wait" flag: …`; keywarden
// words every bad flag value as keywarden.yaml words a bad field: `--wait "5": …`.
// Compiled on first use, like every regexp here: nothing is built at init that a command may
// not need (start-up, issue 20).
var invalidArgRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^invalid argument ("(?:[^"\\]|\\.)*") for "(?:-\w, )?(--[\w-]+)" flag: `)
})

// flagDur shows a flag's duration in the syntax it takes; zero as 0s, as a flag would say it.
func flagDur(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return policy.Duration(d).String()
}

func flagValueMessage(msg string) string {
	return invalidArgRE().ReplaceAllString(msg, `$2 $1: `)
}
