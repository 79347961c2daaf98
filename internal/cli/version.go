package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X github.com/keywarden/keywarden/internal/cli.version=…".
var (
	version = "dev"
	commit  = ""
)

type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

func currentVersion() versionInfo {
	v := versionInfo{Version: version, Commit: commit, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v.Commit == "" {
				v.Commit = s.Value
			}
		}
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	return v
}

func newCmdVersion(d *Deps, runF func(versionInfo) error) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print keywarden's version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			if runF != nil {
				return runF(v)
			}
			_, err := fmt.Fprintln(d.Stdout, versionLine(v))
			return err
		},
	}
}

func versionLine(v versionInfo) string {
	return fmt.Sprintf("keywarden %s (commit %s, %s)", v.Version, v.Commit, v.Go)
}
