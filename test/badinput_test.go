package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each bad input a first-time user met (issue 21), through the built binary against moto: exit
// 2, nothing on stdout, one line on stderr that says what is wrong and how to fix it, and no
// change in IAM (the AWS CLI witnesses alice's key and tags).
func TestBadInputThroughTheBinaryIsOneLineExit2NoChange(t *testing.T) {
	c := fresh(t)
	alice := mkUser(t, c, "alice", 1)[0]
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tab := file("tab.yaml", "jobs:\n  a:\n\tdo: []\n")
	quote := file("quote.yaml", "jobs:\n  a:\n    schedule: \"0 0 * * *\n    do:\n      - deactivate: {}\n")
	indent := file("indent.yaml", "jobs:\n  a:\n    do:\n      - deactivate: {}\n   select: {users: [alice]}\n")
	hour := file("hour.yaml", "jobs:\n  a:\n    schedule: \"0 25 * * *\"\n    do: [deactivate: {}]\n")
	execRule := file("exec.yaml", "jobs:\n  ci:\n    select: {users: [alice]}\n    do:\n      - rotate: {older_than: 1d, to: [\"exec:./push {user}\"]}\n")
	curfew := file("curfew.yaml", "jobs:\n  curfew:\n    select: {users: [alice]}\n    do: [deactivate: {}]\n")

	badCreds := file("credentials", "[broken\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
	emptyConfig := file("config", "")
	credsDir := filepath.Join(dir, "creds.d") // unreadable as a file, even by root
	if err := os.Mkdir(credsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
		env  []string
	}{
		{"a corrupt credentials file names its line", []string{"whoami", "--profile", "broken"},
			badCreds + ` line 1: expected "key = value" or "[profile]", so profile "broken" cannot be read; fix that line`,
			[]string{"AWS_SHARED_CREDENTIALS_FILE=" + badCreds, "AWS_CONFIG_FILE=" + emptyConfig}},
		{"an unreadable credentials file says so", []string{"whoami", "--profile", "dev"},
			"cannot read " + credsDir + " (is a directory), so profile \"dev\" cannot be found",
			[]string{"AWS_SHARED_CREDENTIALS_FILE=" + credsDir, "AWS_CONFIG_FILE=" + emptyConfig}},
		{"rotate names a corrupt credentials file's line", []string{"rotate", "--profile", "broken"},
			badCreds + ` line 1: expected "key = value" or "[profile]", so profile "broken" cannot be read; fix that line`,
			[]string{"AWS_SHARED_CREDENTIALS_FILE=" + badCreds, "AWS_CONFIG_FILE=" + emptyConfig}},
		{"rotate on an unreadable credentials file says so", []string{"rotate", "--profile", "dev"},
			"cannot read " + credsDir + " (is a directory), so profile \"dev\" cannot be found",
			[]string{"AWS_SHARED_CREDENTIALS_FILE=" + credsDir, "AWS_CONFIG_FILE=" + emptyConfig}},
		{"a tab in the indentation", []string{"validate", "-c", tab}, tab + ":3:1: invalid YAML: a tab in the indentation: tabs are not allowed in YAML; indent with spaces", nil},
		{"an unclosed quote names where it opened", []string{"plan", "-c", quote}, quote + ":3:15: invalid YAML: a quoted string opened here is never closed", nil},
		{"a key on no level names its own line", []string{"apply", "--yes", "-c", indent}, indent + ":5:4: invalid YAML: this line's indentation lines up with no key above", nil},
		{"an hour out of range", []string{"validate", "-c", hour}, `schedule "0 25 * * *": hour field "25": want 0-23, or a list, range or step of them`, nil},
		{"an exec: rule in a template", []string{"template", "-c", execRule}, "job ci: destination exec:./push {user} runs a local program, which the Lambda cannot", nil},
		{"whoami takes no argument", []string{"whoami", "extra-arg"}, `keywarden whoami takes no arguments, got "extra-arg"`, nil},
		{"serve --listen without a port", []string{"serve", "-c", curfew, "--listen", "notanaddress"}, `--listen "notanaddress": want host:port, like 127.0.0.1:9102`, nil},
		{"a negative grace names --grace", []string{"rotate", "--user", "alice", "--to", "ssm:/x", "--grace", "-1h"}, `--grace "-1h": negative duration "-1h": want zero or more`, nil},
		{"a Go-only --wait", []string{"rotate", "--user", "alice", "--to", "ssm:/x", "--wait", "5"}, `--wait "5": malformed duration "5": want a duration like 30s, 5m, 24h, 7d, 2w`, nil},
		{"--max-unused 0d names that flag", []string{"audit", "--max-unused", "0d"}, "--max-unused 0d: want more than zero, like 45d", nil},
		{"a day that does not exist", []string{"plan", "-c", curfew, "--at", "2027-02-30"}, "--at 2027-02-30: February 2027 has no day 30", nil},
		{"a glob that matches no user", []string{"deactivate", "--user", "nobody-*", "--all"}, "no user matches nobody-*; list users with 'aws iam list-users'", nil},
		{"an unknown user in activate", []string{"activate", "--user", "nobody", "--all"}, `user "nobody" not found`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runBinary(t, append(witnessEnv(t), tc.env...), tc.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit %d, want 2; stdout %q", r.code, r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "keywarden: ") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q, want keywarden: …%s…", r.stderr, tc.want)
			}
			if n := strings.Count(strings.TrimSuffix(r.stderr, "\n"), "\n"); n != 0 || strings.Contains(r.stderr, "panic") {
				t.Errorf("want one line, got %d:\n%s", n+1, r.stderr)
			}
			if statusByCLI(t, "alice", alice) != "Active" || len(tagsByCLI(t, "alice")) != 0 {
				t.Fatal("bad input changed alice's key or tags")
			}
		})
	}
}
