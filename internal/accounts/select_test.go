package accounts

import (
	"reflect"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

func TestSelect(t *testing.T) {
	listed := []Member{{"333333333333", "c"}, {"111111111111", "mgmt"}, {"222222222222", "b"}, {"222222222222", "b"}}
	ids := func(ms []Member) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	cases := []struct {
		name string
		spec policy.Accounts
		want []string
	}{
		{"organization: every listed account once, in id order", policy.Accounts{Organization: true}, []string{"111111111111", "222222222222", "333333333333"}},
		{"exclude drops an account, the management one too", policy.Accounts{Organization: true, Exclude: []string{"111111111111"}}, []string{"222222222222", "333333333333"}},
		{"ids are exactly those, even unlisted", policy.Accounts{IDs: []string{"444444444444", "222222222222", "444444444444"}}, []string{"222222222222", "444444444444"}},
		{"ids minus exclude", policy.Accounts{IDs: []string{"222222222222"}, Exclude: []string{"222222222222"}}, nil},
		{"excluding an account not listed changes nothing", policy.Accounts{Organization: true, Exclude: []string{"999999999999"}}, []string{"111111111111", "222222222222", "333333333333"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(Select(c.spec, listed)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Select = %v, want %v", got, c.want)
			}
		})
	}
	if got := Select(policy.Accounts{IDs: []string{"222222222222"}}, listed); got[0].Name != "b" {
		t.Errorf("an id keeps the name the organization lists: %+v", got)
	}
}

func TestRoleARN(t *testing.T) {
	if got := RoleARN("", "111122223333", "KeywardenMember"); got != "arn:aws:iam::111122223333:role/KeywardenMember" {
		t.Error(got)
	}
}
