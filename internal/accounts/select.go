// Package accounts says which AWS accounts a run covers (Organizations, OUs or a list of ids)
// and gives the credentials to act in each: the caller's own in its own account, an assumed
// member role elsewhere. Deciding which accounts is pure (Select); discovering and assuming
// are the AWS side. The schema of keywarden.yaml's accounts: section is policy.Accounts.
package accounts

import (
	"sort"

	"github.com/keywarden/keywarden/internal/policy"
)

// Member is an account as the organization lists it.
type Member struct {
	ID   string
	Name string
}

// Select is the accounts a run covers: the listed members (or, for a spec of ids, exactly
// those), minus the excluded, each once, in id order so output and logs are stable. The
// caller's own account is whatever the list says of it: organization: true lists the
// management account like any other, and it is then worked on with the caller's own
// credentials (Resolve), unless excluded.
func Select(spec policy.Accounts, listed []Member) []Member {
	excl := map[string]bool{}
	for _, id := range spec.Exclude {
		excl[id] = true
	}
	in := listed
	if len(spec.IDs) > 0 {
		names := map[string]string{}
		for _, m := range listed {
			names[m.ID] = m.Name
		}
		in = nil
		for _, id := range spec.IDs {
			in = append(in, Member{ID: id, Name: names[id]})
		}
	}
	seen := map[string]bool{}
	var out []Member
	for _, m := range in {
		if excl[m.ID] || seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RoleARN is the member role keywarden assumes in account id.
func RoleARN(partition, id, role string) string {
	if partition == "" {
		partition = "aws"
	}
	return "arn:" + partition + ":iam::" + id + ":role/" + role
}
