package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/exitcode"
)

func testDeps() (*Deps, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Deps{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now:    func() time.Time { return time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" },
	}, &out, &errb
}

// runRoot runs a command line through the real root command and returns code, stdout, stderr.
func runRoot(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	d, out, errb := testDeps()
	code := Run(context.Background(), d, args)
	return code, out.String(), errb.String()
}

func TestDeactivateFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want func(*deactivateOptions) bool
	}{
		{"bare key", []string{"--key", "AKIAIOSFODNN7EXAMPLE"}, func(o *deactivateOptions) bool {
			return len(o.Keys) == 1 && o.Keys[0] == "AKIAIOSFODNN7EXAMPLE" && !o.All && !o.AllowSelf
		}},
		{"user and all, dry run", []string{"--user", "alice", "-u", "bob*", "--all", "--dry-run"}, func(o *deactivateOptions) bool {
			return strings.Join(o.Users, ",") == "alice,bob*" && o.All && o.DryRun
		}},
		{"allow self", []string{"--key", "AKIAIOSFODNN7EXAMPLE", "--allow-self"}, func(o *deactivateOptions) bool { return o.AllowSelf }},
		{"across accounts", []string{"--accounts", "111122223333,444455556666", "--role", "R", "--external-id", "x", "--key", "AKIAIOSFODNN7EXAMPLE"}, func(o *deactivateOptions) bool {
			return strings.Join(o.IDs, ",") == "111122223333,444455556666" && o.Role == "R" && o.ExternalID == "x"
		}},
		{"org", []string{"--org", "--user", "dev", "--all"}, func(o *deactivateOptions) bool { return o.Org && o.All }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, _ := testDeps()
			var got *deactivateOptions
			cmd := newCmdDeactivate(d, &globalOptions{}, func(_ context.Context, o *deactivateOptions) error { got = o; return nil })
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

func TestBadInputIsOneSentenceAndExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no selector", []string{"deactivate"}, "say which keys: --key ID, or --user NAME with --all"},
		{"key and all", []string{"deactivate", "--key", "AKIAIOSFODNN7EXAMPLE", "--user", "a", "--all"}, "--key and --all do not go together"},
		{"all without user", []string{"activate", "--all"}, "--all needs --user"},
		{"not a key id", []string{"deactivate", "--key", "hello"}, `--key "hello" is not an access key id`},
		{"temporary key", []string{"deactivate", "--key", "ASIAIOSFODNN7EXAMPLE"}, "is a temporary (STS) key"},
		{"bad glob", []string{"deactivate", "--user", "[a", "--all"}, `--user "[a" is not a valid glob`},
		{"org and accounts", []string{"deactivate", "--org", "--accounts", "111122223333", "--key", "AKIAIOSFODNN7EXAMPLE"}, "--org and --accounts both name the accounts"},
		{"role without accounts", []string{"activate", "--role", "R", "--user", "dev", "--all"}, "--role and --external-id need accounts to assume them in"},
		{"bad account id", []string{"deactivate", "--accounts", "1234", "--user", "dev", "--all"}, "1234"},
		{"bad output", []string{"whoami", "--output", "yaml"}, `--output "yaml": want one of table, json, csv`},
		{"unknown flag", []string{"deactivate", "--nope"}, "unknown flag: --nope"},
		{"unknown command", []string{"deactivat"}, `unknown command "deactivat"`},
		{"audit reading no user at once", []string{"audit", "--concurrency", "0"}, "--concurrency 0: want at least 1 user read at once"},
		{"audit negative concurrency", []string{"audit", "--concurrency", "-2"}, "--concurrency -2: want at least 1"},
		{"audit in the past", []string{"audit", "--at", "2020-01-01"}, "--at 2020-01-01 is in the past; audit reads keys as they are now, so --at looks ahead only, like --at +30d"},
		{"audit a day ago", []string{"audit", "--at", "-1d"}, "--at -1d is in the past"},
		{"a Go-only duration", []string{"rotate", "--wait", "5"}, `--wait "5": malformed duration "5": want a duration like 30s, 5m, 24h, 7d, 2w or 1d12h`},
		{"a negative grace names that flag", []string{"rotate", "--user", "svc", "--to", "ssm:/x", "--grace", "-1h"}, `--grace "-1h": negative duration "-1h": want zero or more`},
		{"no wait names that flag", []string{"rotate", "--user", "svc", "--to", "ssm:/x", "--wait", "0s"}, `--wait 0s: want more than zero, like 2m`},
		{"serve grace", []string{"serve", "--shutdown-grace", "soon"}, `--shutdown-grace "soon": malformed duration "soon"`},
		{"max-unused zero names that flag", []string{"audit", "--max-unused", "0d"}, "--max-unused 0d: want more than zero, like 45d"},
		{"max-age zero names that flag", []string{"audit", "--max-age", "0d"}, "--max-age 0d: want more than zero, like 90d"},
		{"security hub across accounts", []string{"audit", "--accounts", "111122223333", "--to", "securityhub"}, "--to securityhub imports one account's findings for now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runRoot(t, c.args...)
			if code != exitcode.Usage {
				t.Errorf("exit %d, want %d", code, exitcode.Usage)
			}
			if out != "" {
				t.Errorf("stdout should be empty on bad input, got %q", out)
			}
			if !strings.HasPrefix(errs, "keywarden: ") || !strings.Contains(errs, c.want) {
				t.Errorf("stderr = %q, want keywarden: …%s…", errs, c.want)
			}
			if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
				t.Errorf("stderr has a Go panic: %s", errs)
			}
			if n := strings.Count(strings.TrimSuffix(errs, "\n"), "\n"); n != 0 {
				t.Errorf("bad input is one sentence on one line; stderr has %d lines:\n%s", n+1, errs)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runRoot(t, "version")
	if code != 0 || !strings.HasPrefix(out, "keywarden ") || !strings.Contains(out, "go1.") || !strings.Contains(out, "commit ") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
	code, flag, errs := runRoot(t, "--version")
	if code != 0 || flag != out || errs != "" {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q; want what version prints, %q", code, flag, errs, out)
	}
}

// Every format some command takes is named in the global flag's help.
func TestOutputHelpListsEveryFormat(t *testing.T) {
	_, out, _ := runRoot(t, "--help")
	i := strings.Index(out, "--output")
	if i < 0 {
		t.Fatal("no --output in help")
	}
	line, _, _ := strings.Cut(out[i:], "\n")
	for _, f := range []string{"table", "json", "csv", "html", "sarif"} {
		if !strings.Contains(line, f) {
			t.Errorf("--output help %q lacks %s", line, f)
		}
	}
}

func TestHelpListsExitCodesAndExamples(t *testing.T) {
	for _, cmd := range []string{"deactivate", "activate", "whoami"} {
		code, out, _ := runRoot(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help lacks exit codes or examples (exit %d):\n%s", cmd, code, out)
		}
	}
}

func TestEveryCommandDocumentsExamplesAndExitCodes(t *testing.T) {
	d, _, _ := testDeps()
	root := newRootCmd(d)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "version", "help", "completion":
			continue
		}
		if c.Example == "" {
			t.Errorf("%s --help has no examples", c.Name())
		}
		if !strings.Contains(c.Long, "Exit codes:") {
			t.Errorf("%s --help does not list its exit codes", c.Name())
		}
	}
}
