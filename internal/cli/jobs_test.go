package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/exitcode"
)

func TestPlanApplyPolicyFlags(t *testing.T) {
	cases := []struct {
		name string
		cmd  string
		args []string
		want string // the options as "config jobs at yes dry allowself selfrotate account"
	}{
		{"plan defaults", "plan", nil, "keywarden.yaml [] "},
		{"plan all flags", "plan", []string{"-c", "k.yaml", "--job", "a", "--job", "b", "--at", "+30d"}, "k.yaml [a b] +30d"},
		{"apply defaults", "apply", nil, "keywarden.yaml [] false false false"},
		{"apply all flags", "apply", []string{"--config", "k.yaml", "--job", "curfew", "-y", "--dry-run", "--allow-self"}, "k.yaml [curfew] true true true"},
		{"policy defaults", "policy", nil, "keywarden.yaml [] false *"},
		{"policy for a job and account", "policy", []string{"-c", "k.yaml", "--job", "a", "--account", "123456789012"}, "k.yaml [a] false 123456789012"},
		{"policy self-rotate", "policy", []string{"--self-rotate"}, "keywarden.yaml [] true *"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, _ := testDeps()
			g := &globalOptions{}
			var got string
			var cmd interface {
				SetArgs([]string)
				Execute() error
			}
			switch c.cmd {
			case "plan":
				cmd = newCmdPlan(d, g, func(_ context.Context, o *planOptions) error {
					got = strings.Join([]string{o.Config, fmtList(o.Jobs), o.At}, " ")
					return nil
				})
			case "apply":
				cmd = newCmdApply(d, g, func(_ context.Context, o *applyOptions) error {
					got = strings.Join([]string{o.Config, fmtList(o.Jobs), fmtBool(o.Yes), fmtBool(o.DryRun), fmtBool(o.AllowSelf)}, " ")
					return nil
				})
			case "policy":
				cmd = newCmdPolicy(d, g, func(_ context.Context, o *policyOptions) error {
					got = strings.Join([]string{o.Config, fmtList(o.Jobs), fmtBool(o.SelfRotate), o.Account}, " ")
					return nil
				})
			}
			cmd.SetArgs(c.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("options %q, want %q", got, c.want)
			}
		})
	}
}

func TestJobCommandsBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"self-rotate with a config", []string{"policy", "--self-rotate", "-c", "k.yaml"}, "--self-rotate takes no -c, --job or --account"},
		{"apply has no --at", []string{"apply", "--at", "+1d"}, "unknown flag: --at"},
		{"missing default config", []string{"plan"}, "config keywarden.yaml not found"},
		{"bad output", []string{"plan", "-o", "yaml"}, `--output "yaml"`},
		{"bad account", []string{"policy", "-c", "../policy/testdata/keywarden.yaml", "--account", "12"}, `account "12": want a 12-digit account id or *`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(strings.Join(c.args, " "), "testdata") {
				t.Chdir(t.TempDir()) // no keywarden.yaml here
			}
			code, out, errs := runRoot(t, c.args...)
			if code != exitcode.Usage || out != "" || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, c.want)
			}
		})
	}
}

func fmtList(s []string) string { return "[" + strings.Join(s, " ") + "]" }

func fmtBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestJobCommandsHelpListsExitCodesAndExamples(t *testing.T) {
	for _, cmd := range []string{"plan", "apply", "policy"} {
		code, out, _ := runRoot(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help lacks exit codes or examples (exit %d):\n%s", cmd, code, out)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("jobs:\n  curfew:\n    schedule: \"0 0 * * 7\"\n    do: [deactivate: {}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("jobs:\n  curfew:\n    schedule: \"0 0 31 2 *\"\n    do: [deactivate: {}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runRoot(t, "validate", "-c", good)
	if code != 0 || out != "" || errs != "keywarden: config "+good+" is valid: 1 job (curfew)\n" {
		t.Errorf("good: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = runRoot(t, "validate", "-c", bad)
	if code != exitcode.Usage || !strings.HasPrefix(errs, "keywarden: "+bad+":3:15: schedule \"0 0 31 2 *\": never fires") {
		t.Errorf("bad: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runRoot(t, "validate", "-c", filepath.Join(dir, "none.yaml"))
	if code != exitcode.Usage || !strings.Contains(errs, "not found; pass -c FILE") {
		t.Errorf("missing: exit %d, stderr %q", code, errs)
	}
}
