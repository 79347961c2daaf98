package policy

import (
	"testing"

	"github.com/keywarden/keywarden/internal/keys"
)

func TestSelectorMatch(t *testing.T) {
	alice := keys.User{Name: "alice", Path: "/team/"}
	bob := keys.User{Name: "bob", Path: "/", Tags: map[string]string{"keywarden:exempt": "true", "team": "ops"}}
	dev1 := keys.User{Name: "dev-1", Path: "/team/dev/", Tags: map[string]string{"keywarden:exempt": "false"}}
	cases := []struct {
		name string
		sel  Selector
		want map[string]bool
	}{
		{"zero selects all", Selector{}, map[string]bool{"alice": true, "bob": true, "dev-1": true}},
		{"names", Selector{Users: []string{"alice", "bob"}}, map[string]bool{"alice": true, "bob": true, "dev-1": false}},
		{"glob", Selector{Users: []string{"dev-*"}}, map[string]bool{"alice": false, "bob": false, "dev-1": true}},
		{"star", Selector{Users: []string{"*"}}, map[string]bool{"alice": true, "bob": true, "dev-1": true}},
		{"names match regardless of case, as IAM treats them", Selector{Users: []string{"Alice", "DEV-*"}}, map[string]bool{"alice": true, "dev-1": true, "bob": false}},
		{"path prefix", Selector{Paths: []string{"/team/"}}, map[string]bool{"alice": true, "bob": false, "dev-1": true}},
		{"deeper path prefix", Selector{Paths: []string{"/team/dev/"}}, map[string]bool{"alice": false, "dev-1": true}},
		{"users and paths both apply", Selector{Users: []string{"alice", "bob"}, Paths: []string{"/team/"}}, map[string]bool{"alice": true, "bob": false, "dev-1": false}},
		{"exclude user wins", Selector{Users: []string{"*"}, ExcludeUsers: []string{"bob"}}, map[string]bool{"alice": true, "bob": false, "dev-1": true}},
		{"exclude glob", Selector{ExcludeUsers: []string{"dev-?"}}, map[string]bool{"alice": true, "bob": true, "dev-1": false}},
		{"exclude tag value must match", Selector{ExcludeTags: map[string]string{"keywarden:exempt": "true"}}, map[string]bool{"alice": true, "bob": false, "dev-1": true}},
		{"exclude needs every tag", Selector{ExcludeTags: map[string]string{"keywarden:exempt": "true", "team": "dev"}}, map[string]bool{"bob": true}},
		{"exclude with every tag matching", Selector{ExcludeTags: map[string]string{"keywarden:exempt": "true", "team": "ops"}}, map[string]bool{"bob": false}},
	}
	users := map[string]keys.User{"alice": alice, "bob": bob, "dev-1": dev1}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for name, want := range c.want {
				if got := c.sel.Match(users[name]); got != want {
					t.Errorf("Match(%s) = %v, want %v", name, got, want)
				}
			}
		})
	}
}
