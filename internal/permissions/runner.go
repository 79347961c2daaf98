package permissions

import (
	"github.com/keywarden/keywarden/internal/policy"
)

// Runner is what the runner itself (the central function, the daemon's or a person's
// credentials) needs to cover accounts: sts:AssumeRole on the member role only, and the
// Organizations listing its selection uses; nothing more. The member side is ForJobs, which
// `keywarden org bootstrap` puts in every member account's role.
func Runner(a policy.Accounts) Document {
	role := a.Role
	if role == "" {
		role = policy.DefaultMemberRole
	}
	var roles []string
	if len(a.IDs) > 0 {
		for _, id := range a.IDs {
			roles = append(roles, "arn:aws:iam::"+id+":role/"+role)
		}
	} else {
		roles = []string{"arn:aws:iam::*:role/" + role}
	}
	d := Document{Version: "2012-10-17", Statement: []Statement{allow("AssumeMemberRole", roles, "sts:AssumeRole")}}
	switch {
	case a.Organization:
		d.Statement = append(d.Statement, allow("ListOrganizationAccounts", []string{"*"}, "organizations:ListAccounts"))
	case len(a.OUs) > 0:
		d.Statement = append(d.Statement, allow("ListOUAccounts", []string{"*"}, "organizations:ListAccountsForParent", "organizations:ListChildren"))
	}
	return d
}
