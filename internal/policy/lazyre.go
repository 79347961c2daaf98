package policy

import (
	"regexp"
	"sync"
)

// lazyRE is a regexp compiled on its first use, not at package init. policy is imported by
// every command and by the Lambda, so whatever its init builds every process pays before
// main; tagKeyRE's Unicode classes alone cost about 5 MB and tens of milliseconds to compile
// (GODEBUG=inittrace=1), for a check only a config with notify: owner tags ever makes.
type lazyRE struct{ get func() *regexp.Regexp }

func lazyRegexp(pattern string) lazyRE {
	return lazyRE{sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })}
}

func (l lazyRE) MatchString(s string) bool { return l.get().MatchString(s) }

func (l lazyRE) FindStringSubmatch(s string) []string { return l.get().FindStringSubmatch(s) }
