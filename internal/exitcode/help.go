package exitcode

import (
	"fmt"
	"slices"
	"strings"
)

// meaning is each code's line in a command's help.
var meaning = map[int]string{
	OK:       "success (unchanged keys count as success)",
	Error:    "AWS or network failure, or some keys failed",
	Usage:    "bad input: flags, config, unknown user or key, a profile with no key to rotate",
	Findings: "findings reported (audit --fail-on-findings)",
	Refused:  "refused: an unsafe act needs an explicit flag",
	Auth:     "no credentials, rejected credentials, or access denied",
}

// Help is the "Exit codes:" block of a command's help: the codes that command can return,
// and only those, in order.
func Help(codes ...int) string {
	codes = slices.Clone(codes)
	slices.Sort(codes)
	lines := []string{"Exit codes:"}
	for _, c := range slices.Compact(codes) {
		lines = append(lines, strings.TrimRight(fmt.Sprintf("  %d  %s", c, meaning[c]), " "))
	}
	return strings.Join(lines, "\n")
}
