package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/report"
)

// Set at build time by goreleaser and make build, from the git tag:
//
//	-X github.com/keywarden/keywarden/internal/cli.version=0.4.0
//	-X github.com/keywarden/keywarden/internal/cli.commit=…  -X …cli.built=2026-12-02T16:00:00Z
var (
	version = "dev"
	commit  = ""
	built   = ""
)

type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Built   string `json:"built"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

type versionOptions struct {
	*Deps
	*globalOptions
}

// currentVersion is what this binary knows about itself: the stamped values, else what the
// Go toolchain recorded (a `go install …@v0.4.0` has a module version; a checkout build has
// the commit and its time).
func currentVersion() versionInfo {
	return versionFrom(version, commit, built, readBuildInfo())
}

func readBuildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

func versionFrom(version, commit, built string, bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Version: version, Commit: commit, Built: built, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi != nil {
		if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && v.Commit == "":
				v.Commit = s.Value
			case s.Key == "vcs.time" && v.Built == "":
				v.Built = s.Value
			}
		}
	}
	// A tag is v0.4.0; the version it names is 0.4.0, as the release's file names spell it.
	if len(v.Version) > 1 && v.Version[0] == 'v' && v.Version[1] >= '0' && v.Version[1] <= '9' {
		v.Version = v.Version[1:]
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.Built == "" {
		v.Built = "unknown"
	}
	return v
}

func newCmdVersion(d *Deps, g *globalOptions, runF func(*versionOptions) error) *cobra.Command {
	o := &versionOptions{Deps: d, globalOptions: g}
	return &cobra.Command{
		Use: "version",
		Long: `Print keywarden's version (from the release's git tag), the commit it was built from,
when it was built and the Go version. --output json gives the same as one object, for
scripts and bug reports.`,
		Example: `  keywarden version
  keywarden version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runVersion(o)
		},
	}
}

func runVersion(o *versionOptions) error {
	if err := o.check(outputFormats["version"]...); err != nil {
		return err
	}
	v := currentVersion()
	if o.Output == "json" {
		return report.JSON(o.Stdout, v)
	}
	_, err := fmt.Fprintln(o.Stdout, versionLine(v))
	return err
}

func versionLine(v versionInfo) string {
	c := v.Commit
	if len(c) > 12 { // a full hash in the line people paste; JSON keeps all of it
		c = c[:12]
	}
	return fmt.Sprintf("keywarden %s (commit %s, built %s, %s)", v.Version, c, v.Built, v.Go)
}
