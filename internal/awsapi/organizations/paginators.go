package organizations

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The API clients the paginators take, as the SDK names them.
type (
	ListAccountsAPIClient interface {
		ListAccounts(context.Context, *ListAccountsInput, ...func(*Options)) (*ListAccountsOutput, error)
	}
	ListAccountsForParentAPIClient interface {
		ListAccountsForParent(context.Context, *ListAccountsForParentInput, ...func(*Options)) (*ListAccountsForParentOutput, error)
	}
	ListChildrenAPIClient interface {
		ListChildren(context.Context, *ListChildrenInput, ...func(*Options)) (*ListChildrenOutput, error)
	}
)

// pager walks NextToken as the SDK's paginators do: it stops on an empty token, and on a token
// the service repeats (a page loop would never end; the SDK stops there too, without an error).
type pager struct {
	token   *string
	started bool
}

func (p *pager) more() bool { return !p.started || aws.ToString(p.token) != "" }

func (p *pager) next(token *string) {
	if p.started && aws.ToString(token) == aws.ToString(p.token) {
		token = nil
	}
	p.started, p.token = true, token
}

// ListAccountsPaginator pages through ListAccounts.
type ListAccountsPaginator struct {
	c  ListAccountsAPIClient
	in ListAccountsInput
	pager
}

// NewListAccountsPaginator pages through ListAccounts from in.
func NewListAccountsPaginator(c ListAccountsAPIClient, in *ListAccountsInput) *ListAccountsPaginator {
	return &ListAccountsPaginator{c: c, in: *in}
}

// HasMorePages reports whether NextPage has a page to read.
func (p *ListAccountsPaginator) HasMorePages() bool { return p.more() }

// NextPage reads the next page.
func (p *ListAccountsPaginator) NextPage(ctx context.Context) (*ListAccountsOutput, error) {
	in := p.in
	in.NextToken = p.token
	out, err := p.c.ListAccounts(ctx, &in)
	if err != nil {
		return nil, err
	}
	p.next(out.NextToken)
	return out, nil
}

// ListAccountsForParentPaginator pages through ListAccountsForParent.
type ListAccountsForParentPaginator struct {
	c  ListAccountsForParentAPIClient
	in ListAccountsForParentInput
	pager
}

// NewListAccountsForParentPaginator pages through ListAccountsForParent from in.
func NewListAccountsForParentPaginator(c ListAccountsForParentAPIClient, in *ListAccountsForParentInput) *ListAccountsForParentPaginator {
	return &ListAccountsForParentPaginator{c: c, in: *in}
}

// HasMorePages reports whether NextPage has a page to read.
func (p *ListAccountsForParentPaginator) HasMorePages() bool { return p.more() }

// NextPage reads the next page.
func (p *ListAccountsForParentPaginator) NextPage(ctx context.Context) (*ListAccountsForParentOutput, error) {
	in := p.in
	in.NextToken = p.token
	out, err := p.c.ListAccountsForParent(ctx, &in)
	if err != nil {
		return nil, err
	}
	p.next(out.NextToken)
	return out, nil
}

// ListChildrenPaginator pages through ListChildren.
type ListChildrenPaginator struct {
	c  ListChildrenAPIClient
	in ListChildrenInput
	pager
}

// NewListChildrenPaginator pages through ListChildren from in.
func NewListChildrenPaginator(c ListChildrenAPIClient, in *ListChildrenInput) *ListChildrenPaginator {
	return &ListChildrenPaginator{c: c, in: *in}
}

// HasMorePages reports whether NextPage has a page to read.
func (p *ListChildrenPaginator) HasMorePages() bool { return p.more() }

// NextPage reads the next page.
func (p *ListChildrenPaginator) NextPage(ctx context.Context) (*ListChildrenOutput, error) {
	in := p.in
	in.NextToken = p.token
	out, err := p.c.ListChildren(ctx, &in)
	if err != nil {
		return nil, err
	}
	p.next(out.NextToken)
	return out, nil
}
