// Package accounts says which AWS accounts a run covers (Organizations, OUs or a list of ids)
// and gives the credentials to act in each: the caller's own in its own account, an assumed
// member role elsewhere. Deciding which accounts is pure (Select); discovering and assuming
// are the AWS side. The schema of keywarden.yaml's accounts: section is policy.Accounts.
package accounts

import (
	"fmt"
	"sort"
	"strings"

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

// Batch narrows accts, the accounts a config covers, to the ids of one batch (a Lambda
// event's "accounts"), in accts' order. An id the config excludes is returned in excluded and
// not run: a batch driver such as a Step Functions Map over Organizations' pages cannot know
// the file's exclude list. Any other id the config does not cover is an error, so a typo or an
// account outside the organization, its OUs or its ids never runs nor passes unnoticed.
func Batch(accts []Account, spec policy.Accounts, ids []string) (in []Account, excluded []string, err error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, a := range accts {
		if want[a.ID] {
			in = append(in, a)
			delete(want, a.ID)
		}
	}
	excl := map[string]bool{}
	for _, id := range spec.Exclude {
		excl[id] = true
	}
	var unknown []string
	for id := range want {
		if excl[id] {
			excluded = append(excluded, id)
		} else {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(excluded)
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return nil, nil, &NotCoveredError{IDs: unknown}
	}
	return in, excluded, nil
}

// NotCoveredError is a batch naming accounts the config does not cover.
type NotCoveredError struct{ IDs []string }

func (e *NotCoveredError) Error() string {
	return fmt.Sprintf("the batch names %s that keywarden.yaml's accounts: does not cover (not an ACTIVE account of its organization, OUs or ids); fix the batch or add them to accounts:",
		plural(len(e.IDs), "account")+" "+strings.Join(e.IDs, ", "))
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
