package cli

import (
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/report"
)

// outputFormats are the --output values each command takes: one list for the command's own
// check, its help and the completion of --output, so the three cannot disagree. A command not
// named here renders nothing that --output chooses.
var outputFormats = map[string][]string{
	"activate":   report.Formats,
	"apply":      report.Formats,
	"audit":      {"table", "json", "csv", "html", "sarif"},
	"deactivate": report.Formats,
	"deploy":     {"table", "json"},
	"plan":       report.Formats,
	"rotate":     {"table", "json"},
	"serve":      report.Formats,
	"version":    {"table", "json"},
	"whoami":     report.Formats,
}

// formatsOf is the formats cmd takes (nil for a command --output does not concern).
func formatsOf(cmd *cobra.Command) []string { return outputFormats[cmd.Name()] }

// allFormats is every format some command takes, the common ones first.
func allFormats() []string {
	all := slices.Clone(report.Formats)
	for _, name := range slices.Sorted(maps.Keys(outputFormats)) {
		for _, f := range outputFormats[name] {
			if !slices.Contains(all, f) {
				all = append(all, f)
			}
		}
	}
	return all
}

// outputHelp is the root --output flag's help: every format some command takes, and which
// commands take the ones not all of them do.
func outputHelp() string {
	var all []string
	only := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(outputFormats)) {
		for _, f := range outputFormats[name] {
			if !slices.Contains(report.Formats, f) {
				if len(only[f]) == 0 {
					all = append(all, f)
				}
				only[f] = append(only[f], name)
			}
		}
	}
	parts := []string{strings.Join(report.Formats, ", ")}
	for _, f := range all {
		parts = append(parts, f+" ("+strings.Join(only[f], ", ")+")")
	}
	return "output format: " + strings.Join(parts, ", ") + "; each command's help says which it takes"
}

// addFormatHelp ends a command's help with the formats it takes.
func addFormatHelp(c *cobra.Command) {
	if fs := formatsOf(c); fs != nil {
		c.Long = strings.TrimRight(c.Long, "\n") + "\n\nOutput formats (--output): " + strings.Join(fs, ", ") + "."
	}
}
