package policy

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Accounts is which accounts of an AWS Organization a run covers, as keywarden.yaml's
// accounts: section (or --org, --accounts, --role, --external-id) says it. The schema lives
// here, with the file's other rules and line numbers; discovering and assuming the accounts is
// internal/accounts, since policy imports no AWS package.
type Accounts struct {
	// Exactly one of Organization, OUs and IDs selects the accounts.
	Organization bool     // every ACTIVE account of the organization
	OUs          []string // the ACTIVE accounts under these OUs, children included
	IDs          []string // exactly these accounts
	Exclude      []string // never these, whatever selected them
	// Role is the role name assumed in each member account.
	Role       string
	ExternalID string
	// Concurrency bounds the accounts worked on at once; within it the number adapts.
	Concurrency int
}

// DefaultMemberRole is the role `keywarden org bootstrap` creates and --org assumes by default.
const DefaultMemberRole = "KeywardenMember"

// DefaultAccountConcurrency is the most accounts a run works on at once. The run starts at 8
// and grows while STS does not throttle its AssumeRole calls (jobs.Each): IAM throttles per
// account, so accounts side by side scale where more users at once in one account do not, and
// STS throttles per caller, which is what bounds them; the window finds that rate by being
// throttled, so the bound is only a ceiling on what one process holds open. At 64, a small
// account taking about five round trips, a run assumes about 250 roles a second at 50 ms a
// round trip (a burst the window halves the moment STS refuses it), and 64 accounts of 8 users
// read at once are at most 512 requests in flight from one process or Lambda.
const DefaultAccountConcurrency = 64

var (
	accountID  = lazyRegexp(`^[0-9]{12}$`)
	ouID       = lazyRegexp(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
	roleName   = lazyRegexp(`^[\w+=,.@-]{1,64}$`)
	externalID = lazyRegexp(`^[\w+=,.@:/-]+$`) // 2 to 1224 long: validExternalID
)

// IsAccountID reports whether id is a 12-digit AWS account id, as the accounts: section and a
// Lambda event's batch both want it.
func IsAccountID(id string) bool { return accountID.MatchString(id) }

// CheckAccounts validates a spec built from flags, with the same rules as the file's section;
// it returns the first problem, worded for a flag.
func CheckAccounts(a Accounts) error {
	for _, id := range append(append([]string{}, a.IDs...), a.Exclude...) {
		if !accountID.MatchString(id) {
			return fmt.Errorf("account %q: want a 12-digit AWS account id", id)
		}
	}
	if a.Role != "" && !roleName.MatchString(a.Role) {
		return fmt.Errorf("role %q: want an IAM role name (up to 64 letters, digits and +=,.@_-)", a.Role)
	}
	if a.ExternalID != "" && !validExternalID(a.ExternalID) {
		return fmt.Errorf("external id: want 2 to 1224 letters, digits and +=,.@:/_-")
	}
	return nil
}

func (l *loader) accounts(f field) *Accounts {
	a := &Accounts{Role: DefaultMemberRole, Concurrency: DefaultAccountConcurrency}
	fs, ok := l.fields(f.val, "accounts", "organization", "ous", "ids", "exclude", "role", "external_id", "concurrency")
	if !ok {
		return a
	}
	selectors := 0
	if f, ok := fs["organization"]; ok {
		selectors++
		v := deref(f.val)
		b, err := strconv.ParseBool(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			l.errf(v, "organization: want true or false, got %s", describe(v))
		} else if !b {
			l.errf(v, "organization: false selects no accounts; leave it out and list ids or ous instead")
		}
		a.Organization = b
	}
	if f, ok := fs["ous"]; ok {
		selectors++
		a.OUs = l.matching(f, "organizational unit ids like ou-abcd-11111111", ouID)
	}
	if f, ok := fs["ids"]; ok {
		selectors++
		a.IDs = l.matching(f, "12-digit account ids", accountID)
	}
	if f, ok := fs["exclude"]; ok {
		a.Exclude = l.matching(f, "12-digit account ids", accountID)
	}
	switch {
	case selectors == 0:
		l.errf(f.key, "accounts: say which accounts: organization: true, ous: [ou-…] or ids: [111122223333]")
	case selectors > 1:
		l.errf(f.key, "accounts: use one of organization, ous and ids, not %d of them", selectors)
	}
	if f, ok := fs["role"]; ok {
		if s, ok := l.str(f, "a role name"); ok {
			if !roleName.MatchString(s) {
				l.errf(f.val, "role: %q is not an IAM role name; want up to 64 letters, digits and +=,.@_-", s)
			}
			a.Role = s
		}
	}
	if f, ok := fs["external_id"]; ok {
		// The value is a shared secret of sorts: say what is wrong, never echo it.
		if s, ok := l.str(f, "an external id"); ok {
			if !validExternalID(s) {
				l.errf(f.val, "external_id: want 2 to 1224 letters, digits and +=,.@:/_-")
			}
			a.ExternalID = s
		}
	}
	if f, ok := fs["concurrency"]; ok {
		v := deref(f.val)
		n, err := strconv.Atoi(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil || n < 1 || n > 64 {
			l.errf(v, "concurrency: want a number of accounts at once from 1 to 64, got %s", describe(v))
		} else {
			a.Concurrency = n
		}
	}
	return a
}

// matching reads a non-empty list whose every item matches re.
func (l *loader) matching(f field, what string, re lazyRE) []string {
	v := deref(f.val)
	if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
		l.errf(v, "%s: an empty list; list %s, or leave %s out", f.key.Value, what, f.key.Value)
		return nil
	}
	items, _ := l.strList(f, what, false)
	for i, s := range items {
		if !re.MatchString(s) {
			l.errf(deref(v.Content[i]), "%s: %q: want %s", f.key.Value, s, what)
		}
	}
	return items
}

// validExternalID is STS's rule; Go's regexp caps repeat counts at 1000, so the length is apart.
func validExternalID(s string) bool {
	return len(s) >= 2 && len(s) <= 1224 && externalID.MatchString(s)
}
