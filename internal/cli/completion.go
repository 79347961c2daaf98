package cli

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/policy"
)

// addCompletions makes the flags whose values live in files complete from those files:
// --profile from the shared AWS config and credentials files, --job from the keywarden.yaml
// the command would read, --output from the formats the command takes. A file that cannot be
// read completes to nothing: completion never prints an error into the user's prompt.
func addCompletions(root *cobra.Command, d *Deps) {
	_ = root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return profileNames(d), cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.RegisterFlagCompletionFunc("output", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		fs := formatsOf(cmd)
		if fs == nil {
			fs = allFormats()
		}
		return fs, cobra.ShellCompDirectiveNoFileComp
	})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.LocalNonPersistentFlags().Lookup("job") != nil {
			_ = c.RegisterFlagCompletionFunc("job", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return jobNames(cmd, d), cobra.ShellCompDirectiveNoFileComp
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// profileNames are the profiles of the config file and then the credentials file, once each.
func profileNames(d *Deps) []string {
	cfgFile := d.Getenv("AWS_CONFIG_FILE")
	if cfgFile == "" {
		cfgFile = filepath.Join(d.home(), ".aws", "config")
	}
	var names []string
	for _, f := range []struct {
		path  string
		parse func([]byte) (*credfile.File, error)
	}{{cfgFile, credfile.ParseConfig}, {d.credentialsFile(), credfile.Parse}} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			continue
		}
		pf, err := f.parse(data)
		if err != nil {
			continue
		}
		for _, p := range pf.Profiles() {
			if !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	return names
}

// jobNames are the jobs of the config the command would read: its -c, else the one
// discovery finds (PersistentPreRunE, which discovers it, does not run while completing).
func jobNames(cmd *cobra.Command, d *Deps) []string {
	path := defaultConfig
	if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
		path = f.Value.String()
	} else if p, err := findConfig(d.Getenv, fileExists); err == nil && p != "" {
		path = p
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	cfg, err := policy.Load(path, data)
	if err != nil {
		return nil
	}
	return cfg.JobNames()
}
