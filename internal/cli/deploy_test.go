package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeployFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want func(*deployOptions) bool
	}{
		{"defaults", nil, func(o *deployOptions) bool {
			return o.StackName == "keywarden" && o.Arch == "arm64" && o.FunctionName == "keywarden" &&
				o.Config == "keywarden.yaml" && o.Bucket == "" && o.Binary == "" && !o.DryRun
		}},
		{"everything", []string{"-c", "k.yaml", "--stack-name", "kw-prod", "--arch", "amd64", "--bucket", "b",
			"--binary", "./bootstrap", "--dry-run", "--function-name", "kw", "--config-ssm", "/kw/config"}, func(o *deployOptions) bool {
			return o.Config == "k.yaml" && o.StackName == "kw-prod" && o.Arch == "amd64" && o.Bucket == "b" &&
				o.Binary == "./bootstrap" && o.DryRun && o.FunctionName == "kw" && o.ConfigSSM == "/kw/config"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, _ := testDeps()
			var got *deployOptions
			cmd := newCmdDeploy(d, &globalOptions{}, func(_ context.Context, o *deployOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got == nil || !c.want(got) {
				t.Fatalf("options = %+v", got)
			}
		})
	}
}

func TestUndeployAndTemplateFlags(t *testing.T) {
	d, _, _ := testDeps()
	var u *undeployOptions
	cmd := newCmdUndeploy(d, &globalOptions{}, func(_ context.Context, o *undeployOptions) error { u = o; return nil })
	cmd.SetArgs([]string{"--stack-name", "kw-prod"})
	if err := cmd.Execute(); err != nil || u == nil || u.StackName != "kw-prod" {
		t.Fatalf("undeploy: %v, %+v", err, u)
	}
	var tp *templateOptions
	cmd = newCmdTemplate(d, &globalOptions{}, func(_ context.Context, o *templateOptions) error { tp = o; return nil })
	cmd.SetArgs([]string{"--code-bucket", "b", "--code-key", "k.zip", "--arch", "amd64"})
	if err := cmd.Execute(); err != nil || tp == nil || tp.CodeBucket != "b" || tp.CodeKey != "k.zip" || tp.Arch != "amd64" {
		t.Fatalf("template: %v, %+v", err, tp)
	}
}

func TestTemplateBadInputExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"half a code location", []string{"template", "--code-key", "k"}, "keywarden: --code-bucket and --code-key go together\n"},
		{"missing config", []string{"template", "-c", "/nonexistent/k.yaml"}, "keywarden: config /nonexistent/k.yaml not found; pass -c FILE, set KEYWARDEN_CONFIG, or put it in ~/.config/keywarden/\n"},
		{"bad arch", []string{"template", "-c", "../policy/testdata/keywarden.yaml", "--arch", "386"}, "keywarden: architecture \"386\": want arm64 or amd64\n"},
		{"deploy bad arch before any AWS call", []string{"deploy", "-c", "../policy/testdata/keywarden.yaml", "--arch", "x"}, "keywarden: architecture \"x\": want arm64 or amd64\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runRoot(t, c.args...)
			if code != 2 || out != "" || errs != c.want {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
		})
	}
}

// template (and deploy, through the same options) refuses a schedule EventBridge cannot say
// and warns of a run EventBridge will skip at a daylight-saving change.
func TestTemplateSchedules(t *testing.T) {
	write := func(cron, zone string) string {
		p := filepath.Join(t.TempDir(), "k.yaml")
		y := fmt.Sprintf("jobs:\n  night:\n    schedule: %q\n    timezone: %s\n    do: [deactivate: {}]\n", cron, zone)
		if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code, out, errs := runRoot(t, "template", "-c", write("0 0 */2 * MON", "UTC"))
	if code != 2 || out != "" || !strings.HasPrefix(errs, `keywarden: job night: schedule "0 0 */2 * MON" fires only on days that match both`) || strings.Count(errs, "\n") != 1 {
		t.Errorf("both day fields: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for _, verb := range []string{"template", "deploy"} {
		code, _, errs = runRoot(t, verb, "-c", write("0 0 31 2 *", "UTC"))
		if code != 2 || !strings.Contains(errs, `schedule "0 0 31 2 *": never fires`) {
			t.Errorf("%s, never fires: exit %d, stderr %q", verb, code, errs)
		}
	}
	// testDeps' clock is 2026-11-23; New York springs forward on 2027-03-14.
	code, out, errs = runRoot(t, "template", "-c", write("30 2 * * *", "America/New_York"))
	want := `keywarden: warning: job night: "30 2 * * *" in America/New_York names 2027-03-14 02:30, which does not exist`
	if code != 0 || !strings.Contains(out, "cron(30 2 * * ? *)") || !strings.HasPrefix(errs, want) {
		t.Errorf("gap: exit %d, stderr %q", code, errs)
	}
}
