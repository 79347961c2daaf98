package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/daemon"
	"github.com/keywarden/keywarden/internal/exitcode"
)

func TestNewCmdServe(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    func(*serveOptions) bool
		wantErr string
	}{
		{"defaults", nil, func(o *serveOptions) bool {
			return o.Config == "keywarden.yaml" && o.Listen == "127.0.0.1:9102" && o.Once == "" && !o.DryRun &&
				o.Grace == daemon.DefaultShutdownGrace && o.Concurrency == 4
		}, ""},
		{"short config, listen, dry run", []string{"-c", "/etc/kw.yaml", "--listen", "127.0.0.1:0", "--dry-run"}, func(o *serveOptions) bool {
			return o.Config == "/etc/kw.yaml" && o.Listen == "127.0.0.1:0" && o.DryRun
		}, ""},
		{"once", []string{"--config", "kw.yaml", "--once", "curfew"}, func(o *serveOptions) bool { return o.Once == "curfew" }, ""},
		{"grace and concurrency", []string{"--shutdown-grace", "2m", "--concurrency", "8"}, func(o *serveOptions) bool {
			return o.Grace == 2*time.Minute && o.Concurrency == 8
		}, ""},
		{"empty config", []string{"-c", ""}, nil, "--config is empty"},
		{"empty listen", []string{"--listen", ""}, nil, "--listen is empty"},
		{"zero grace", []string{"--shutdown-grace", "0s"}, nil, "--shutdown-grace 0s: want more than zero"},
		{"grace in days", []string{"--shutdown-grace", "1d"}, func(o *serveOptions) bool { return o.Grace == 24*time.Hour }, ""},
		{"zero concurrency", []string{"--concurrency", "0"}, nil, "--concurrency 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, _ := testDeps()
			var got *serveOptions
			cmd := newCmdServe(d, &globalOptions{}, func(_ context.Context, o *serveOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || got != nil {
					t.Fatalf("err = %v (ran: %v), want %q", err, got != nil, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !c.want(got) {
				t.Fatalf("options = %+v", got)
			}
		})
	}
}

// TestServeRefusesBadConfigBeforeAWS: each of these fails before any credential is needed,
// so testDeps (which has no AWS loader that works) is enough.
func TestServeRefusesBadConfigBeforeAWS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.yaml", "jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    timezone: Mars/Olympus\n    do: [deactivate: {}]\n")
	unscheduled := write("manual.yaml", "jobs:\n  manual:\n    do: [deactivate: {}]\n")
	good := write("good.yaml", "jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    do: [deactivate: {}]\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"line and column of a bad zone", []string{"serve", "-c", bad}, "keywarden: " + bad + ":4:15: "},
		{"missing file, in plan's words", []string{"serve", "-c", filepath.Join(dir, "none.yaml")}, "keywarden: config " + filepath.Join(dir, "none.yaml") + " not found; pass -c FILE, set KEYWARDEN_CONFIG, or put it in ~/.config/keywarden/\n"},
		{"nothing scheduled", []string{"serve", "-c", unscheduled}, "no job in " + unscheduled + " has a schedule"},
		{"unknown once job", []string{"serve", "-c", good, "--once", "curfw"}, `--once "curfw": ` + good + " has no such job; it has curfew"},
		{"bad output", []string{"serve", "-c", good, "--once", "curfew", "-o", "yaml"}, `--output "yaml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runRoot(t, c.args...)
			if code != exitcode.Usage || out != "" || !strings.HasPrefix(errs, "keywarden: ") || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and …%s…", code, out, errs, c.want)
			}
		})
	}
}

func TestServeHelp(t *testing.T) {
	code, out, _ := runRoot(t, "serve", "--help")
	for _, want := range []string{"Exit codes:", "Examples:", "--once", "SIGHUP", "/metrics"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("serve --help (exit %d) lacks %q", code, want)
		}
	}
}
