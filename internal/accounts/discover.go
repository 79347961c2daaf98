package accounts

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keywarden/keywarden/internal/awsapi/organizations"

	"github.com/keywarden/keywarden/internal/policy"
)

// Organizations is the part of the Organizations API discovery uses.
type Organizations interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListChildrenAPIClient
}

// List returns the ACTIVE accounts spec draws from: every account of the organization, or
// those under spec's OUs and their child OUs. A spec of ids lists nothing: those ids are the
// answer, and a runner that may not call Organizations can still name its accounts.
func List(ctx context.Context, org Organizations, spec policy.Accounts) ([]Member, error) {
	switch {
	case spec.Organization:
		var out []Member
		p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the organization's accounts (organizations:ListAccounts): %w", err)
			}
			out = appendActive(out, page.Accounts)
		}
		return out, nil
	case len(spec.OUs) > 0:
		var out []Member
		for _, ou := range spec.OUs {
			ms, err := underOU(ctx, org, ou)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
		return out, nil
	}
	return nil, nil
}

// underOU walks ou and its children breadth first; an organization is at most five OUs deep.
func underOU(ctx context.Context, org Organizations, ou string) ([]Member, error) {
	var out []Member
	queue := []string{ou}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ap := organizations.NewListAccountsForParentPaginator(org, &organizations.ListAccountsForParentInput{ParentId: &parent})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the accounts of %s (organizations:ListAccountsForParent): %w", parent, err)
			}
			out = appendActive(out, page.Accounts)
		}
		cp := organizations.NewListChildrenPaginator(org, &organizations.ListChildrenInput{ParentId: &parent, ChildType: organizations.ChildTypeOrganizationalUnit})
		for cp.HasMorePages() {
			page, err := cp.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the OUs under %s (organizations:ListChildren): %w", parent, err)
			}
			for _, c := range page.Children {
				queue = append(queue, aws.ToString(c.Id))
			}
		}
	}
	return out, nil
}

// appendActive keeps ACTIVE accounts: a suspended or closing account cannot be assumed into.
// State replaces the retiring Status; an endpoint that sends only Status is read by it.
func appendActive(out []Member, as []organizations.Account) []Member {
	for _, a := range as {
		active := a.State == organizations.AccountStateActive || a.State == "" && a.Status == organizations.AccountStatusActive
		if active {
			out = append(out, Member{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)})
		}
	}
	return out
}
