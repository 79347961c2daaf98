package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// envConfig names the config file for the CLI, as it carries the config to the Lambda.
const envConfig = "KEYWARDEN_CONFIG"

// discoverConfig points a command's -c at the file it should read when -c was not given:
// $KEYWARDEN_CONFIG, else ./keywarden.yaml, else $XDG_CONFIG_HOME/keywarden/keywarden.yaml
// (~/.config when XDG_CONFIG_HOME is unset). An explicit -c always wins. When no file is
// found the default stays, so the error names what was looked for.
func discoverConfig(cmd *cobra.Command, d *Deps) error {
	f := cmd.Flags().Lookup("config")
	if f == nil || f.Changed {
		return nil
	}
	path, err := findConfig(d.Getenv, fileExists)
	if err != nil || path == "" {
		return err
	}
	return f.Value.Set(path)
}

// findConfig is discoverConfig's choice, apart from the file system so it can be tested.
func findConfig(getenv func(string) string, exists func(string) bool) (string, error) {
	if v := getenv(envConfig); v != "" {
		if strings.Contains(v, "\n") {
			// The Lambda takes the file's text in this variable; the CLI takes its path.
			return "", usagef("%s holds YAML text, which only the Lambda reads; for the CLI set it to the file's path", envConfig)
		}
		return v, nil
	}
	if exists(defaultConfig) {
		return defaultConfig, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		// The XDG spec ignores a relative XDG_CONFIG_HOME.
		home := getenv("HOME")
		if home == "" {
			return "", nil
		}
		dir = filepath.Join(home, ".config")
	}
	if p := filepath.Join(dir, "keywarden", defaultConfig); exists(p) {
		return p, nil
	}
	return "", nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
