package policy

import (
	"strings"

	"github.com/keywarden/keywarden/internal/keys"
)

// Selector picks the IAM users a job applies to. The zero Selector selects every user.
type Selector struct {
	// Users are names or path.Match globs; empty means every user.
	Users []string
	// Paths are IAM path prefixes ("/team/"), compared as IAM's PathPrefix does: a plain
	// string prefix. Empty means every path.
	Paths []string
	// ExcludeUsers are names or globs that win over Users and Paths.
	ExcludeUsers []string
	// ExcludeTags excludes a user that carries every one of these tags with these values.
	ExcludeTags map[string]string
}

// Match reports whether the selector picks u. User names and their globs compare
// case-insensitively, as IAM treats names (see globMatch); paths and tags compare exactly.
func (s Selector) Match(u keys.User) bool {
	if len(s.Users) > 0 && !anyGlob(s.Users, u.Name) {
		return false
	}
	if len(s.Paths) > 0 && !anyPrefix(s.Paths, u.Path) {
		return false
	}
	if anyGlob(s.ExcludeUsers, u.Name) {
		return false
	}
	if len(s.ExcludeTags) > 0 && hasAllTags(u.Tags, s.ExcludeTags) {
		return false
	}
	return true
}

func anyGlob(pats []string, name string) bool {
	for _, p := range pats {
		if keys.MatchUser(p, name) {
			return true
		}
	}
	return false
}

func anyPrefix(prefixes []string, p string) bool {
	for _, pre := range prefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

func hasAllTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
