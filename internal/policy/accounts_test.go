package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadAccounts(t *testing.T) {
	const jobs = "jobs:\n  j:\n    do: [report: {older_than: 90d}]\n"
	cfg, err := Load("k.yaml", []byte("accounts:\n  ous: [ou-abcd-11111111]\n  exclude: [444455556666]\n  external_id: s3cr3t-id\n  concurrency: 3\n"+jobs))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Accounts
	if a == nil || a.OUs[0] != "ou-abcd-11111111" || a.Exclude[0] != "444455556666" || a.Role != DefaultMemberRole || a.ExternalID != "s3cr3t-id" || a.Concurrency != 3 {
		t.Errorf("accounts = %+v", a)
	}
	if cfg, _ := Load("k.yaml", []byte(jobs)); cfg.Accounts != nil {
		t.Errorf("no accounts: section: Accounts = %+v, want nil (the caller's account)", cfg.Accounts)
	}
	cases := []struct{ name, yaml, want string }{
		{"no selection", "accounts: {role: R}\n", "k.yaml:1:1: accounts: say which accounts"},
		{"two selections", "accounts:\n  organization: true\n  ids: [111122223333]\n", "k.yaml:1:1: accounts: use one of organization, ous and ids, not 2"},
		{"bad id", "accounts:\n  ids: [1234]\n", `k.yaml:2:9: ids: "1234": want 12-digit account ids`},
		{"bad ou", "accounts:\n  ous: [engineering]\n", `k.yaml:2:9: ous: "engineering": want organizational unit ids`},
		{"organization false", "accounts:\n  organization: false\n", "k.yaml:2:17: organization: false selects no accounts"},
		{"bad role", "accounts:\n  organization: true\n  role: 'a b'\n", `k.yaml:3:9: role: "a b" is not an IAM role name`},
		{"concurrency", "accounts:\n  organization: true\n  concurrency: 0\n", "k.yaml:3:16: concurrency: want a number of accounts at once from 1 to 64"},
		{"unknown key", "accounts:\n  organisation: true\n", `k.yaml:2:3: unknown key "organisation" in accounts (did you mean organization?)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("k.yaml", []byte(c.yaml+jobs))
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), c.want) {
				t.Errorf("Load: %v\nwant a problem containing %q", err, c.want)
			}
		})
	}
	t.Run("a bad external id is not echoed", func(t *testing.T) {
		_, err := Load("k.yaml", []byte("accounts:\n  organization: true\n  external_id: 'has space'\n"+jobs))
		if err == nil || strings.Contains(err.Error(), "has space") {
			t.Errorf("Load: %v", err)
		}
	})
}
