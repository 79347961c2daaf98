package accounts

import (
	"reflect"
	"strings"
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

func TestBatch(t *testing.T) {
	covered := []Account{{ID: "111111111111"}, {ID: "222222222222"}, {ID: "333333333333"}}
	spec := policy.Accounts{Organization: true, Exclude: []string{"444444444444"}}
	ids := func(as []Account) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	cases := []struct {
		name          string
		batch         []string
		want, exclude []string
		err           string
	}{
		{"a batch in the config's order, each once", []string{"333333333333", "111111111111", "333333333333"}, []string{"111111111111", "333333333333"}, nil, ""},
		{"an excluded account is left out, not an error", []string{"222222222222", "444444444444"}, []string{"222222222222"}, []string{"444444444444"}, ""},
		{"an account not covered fails the batch", []string{"111111111111", "999999999999", "888888888888"}, nil, nil,
			"the batch names accounts 888888888888, 999999999999 that keywarden.yaml's accounts: does not cover"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, ex, err := Batch(covered, spec, c.batch)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || in != nil {
					t.Fatalf("Batch = %v, %v; want error %q", ids(in), err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(ids(in), c.want) || !reflect.DeepEqual(ex, c.exclude) {
				t.Errorf("Batch = %v excluded %v, %v; want %v excluded %v", ids(in), ex, err, c.want, c.exclude)
			}
		})
	}
}
