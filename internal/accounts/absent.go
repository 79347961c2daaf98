package accounts

import "sort"

// Absent is what a selection of users by name or glob found across accounts. Across accounts
// a name means "this user wherever it exists": an account that lacks it is told, not failed;
// only a name no account has is an error (a typo must not pass as "nothing to do").
type Absent struct {
	// Nowhere are the names or globs that matched no user in any account, in selection order.
	Nowhere []string
	// Lacking maps an account id to the names it lacks, for the ones found elsewhere.
	Lacking map[string][]string
}

// FindAbsent decides Absent from the names selected, the accounts searched and, for each
// account, the names that matched no user there. An account that could not be read at all is
// left out of unmatched and searched: its failure is reported as such, and it neither proves
// nor disproves a name.
func FindAbsent(names []string, searched []string, unmatched map[string][]string) Absent {
	lacks := map[string]int{}
	for _, id := range searched {
		for _, n := range unmatched[id] {
			lacks[n]++
		}
	}
	a := Absent{Lacking: map[string][]string{}}
	nowhere := map[string]bool{}
	for _, n := range names {
		if len(searched) > 0 && lacks[n] == len(searched) && !nowhere[n] {
			nowhere[n] = true
			a.Nowhere = append(a.Nowhere, n)
		}
	}
	ids := append([]string(nil), searched...)
	sort.Strings(ids)
	for _, id := range ids {
		for _, n := range unmatched[id] {
			if !nowhere[n] {
				a.Lacking[id] = append(a.Lacking[id], n)
			}
		}
	}
	return a
}
