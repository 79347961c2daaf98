package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shells' completion scripts ask `keywarden __complete …`; each flag whose values live in a
// file completes from that file, and --output from the formats the command takes.
func TestCompletionOfProfileJobAndOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{
		"HOME":                        dir,
		"AWS_CONFIG_FILE":             write("config", "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-east-1\n"),
		"AWS_SHARED_CREDENTIALS_FILE": write("credentials", "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n[ci]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\n"),
		"KEYWARDEN_CONFIG": write("keywarden.yaml", "jobs:\n  curfew:\n    select: {users: [alice]}\n    do: [deactivate: {}]\n"+
			"  nightly:\n    select: {users: [bob]}\n    do: [deactivate: {}]\n"),
	}
	other := write("other.yaml", "jobs:\n  weekly:\n    select: {users: [carol]}\n    do: [deactivate: {}]\n")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"whoami", "--profile", ""}, []string{"default", "dev", "ci"}},
		{[]string{"plan", "--job", ""}, []string{"curfew", "nightly"}},
		{[]string{"apply", "-c", other, "--job", ""}, []string{"weekly"}},
		{[]string{"rotate", "--output", ""}, []string{"table", "json"}},
		{[]string{"audit", "-o", ""}, []string{"table", "json", "csv", "html", "sarif"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			d, out, errb := testDeps()
			d.Getenv = func(k string) string { return env[k] }
			code := Run(context.Background(), d, append([]string{"__complete"}, c.args...))
			got := strings.Split(strings.TrimSpace(out.String()), "\n")
			if code != 0 || len(got) == 0 || !strings.HasPrefix(got[len(got)-1], ":") {
				t.Fatalf("exit %d\n%s%s", code, out, errb)
			}
			if strings.Join(got[:len(got)-1], " ") != strings.Join(c.want, " ") {
				t.Errorf("completes to %q, want %q", got[:len(got)-1], c.want)
			}
		})
	}
}

// Each command's help ends with the formats it takes, from the list its --output is checked
// against.
func TestEachCommandsHelpNamesItsFormats(t *testing.T) {
	for name, fs := range outputFormats {
		code, out, _ := runRoot(t, name, "--help")
		if want := "Output formats (--output): " + strings.Join(fs, ", ") + "."; code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s --help lacks %q", name, want)
		}
	}
}

// "keywarden completion SHELL" writes its script where the command's output goes, as every
// command does, not to the process's stdout.
func TestCompletionScriptGoesToTheCommandsStdout(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		d, out, errb := testDeps()
		if code := Run(context.Background(), d, []string{"completion", shell}); code != 0 || !strings.Contains(out.String(), "keywarden") {
			t.Errorf("completion %s: exit %d, %d bytes out\n%s", shell, code, out.Len(), errb)
		}
	}
}
