package keys

import (
	"path"
	"strings"
)

// IsGlob reports whether a user selector is a pattern rather than a name.
func IsGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// MatchUser reports whether the user name matches the pattern (path.Match; a malformed
// pattern matches nothing, and is refused where patterns are read). IAM user names are unique
// regardless of case (GetUser finds "alice" when asked for "Alice"), so they match so too: a
// selection naming Alice must not silently select nobody. The inventory's reads and policy's
// selections match with this one function, so the users read are the users selected.
func MatchUser(pattern, name string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(name))
	return ok && err == nil
}
