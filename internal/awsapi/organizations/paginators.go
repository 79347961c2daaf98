package organizations

import (
	"context"

	"github.com/keywarden/keywarden/internal/awsapi"
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

// Paginator walks one listing's pages as the SDK's paginators do (awsapi.MorePages).
type Paginator[Out any] struct {
	// page reads the page of token and returns it with its NextToken.
	page    func(ctx context.Context, token *string) (*Out, *string, error)
	token   *string
	started bool
}

// HasMorePages reports whether NextPage has a page to read.
func (p *Paginator[Out]) HasMorePages() bool { return !p.started || p.token != nil }

// NextPage reads the next page.
func (p *Paginator[Out]) NextPage(ctx context.Context) (*Out, error) {
	out, next, err := p.page(ctx, p.token)
	if err != nil {
		return nil, err
	}
	if !awsapi.MorePages(p.token, next) {
		next = nil
	}
	p.started, p.token = true, next
	return out, nil
}

// The SDK's names for the paginators keywarden uses.
type (
	ListAccountsPaginator          = Paginator[ListAccountsOutput]
	ListAccountsForParentPaginator = Paginator[ListAccountsForParentOutput]
	ListChildrenPaginator          = Paginator[ListChildrenOutput]
)

// NewListAccountsPaginator pages through ListAccounts from in.
func NewListAccountsPaginator(c ListAccountsAPIClient, in *ListAccountsInput) *ListAccountsPaginator {
	return &ListAccountsPaginator{page: func(ctx context.Context, token *string) (*ListAccountsOutput, *string, error) {
		in := *in
		in.NextToken = token
		out, err := c.ListAccounts(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		return out, out.NextToken, nil
	}}
}

// NewListAccountsForParentPaginator pages through ListAccountsForParent from in.
func NewListAccountsForParentPaginator(c ListAccountsForParentAPIClient, in *ListAccountsForParentInput) *ListAccountsForParentPaginator {
	return &ListAccountsForParentPaginator{page: func(ctx context.Context, token *string) (*ListAccountsForParentOutput, *string, error) {
		in := *in
		in.NextToken = token
		out, err := c.ListAccountsForParent(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		return out, out.NextToken, nil
	}}
}

// NewListChildrenPaginator pages through ListChildren from in.
func NewListChildrenPaginator(c ListChildrenAPIClient, in *ListChildrenInput) *ListChildrenPaginator {
	return &ListChildrenPaginator{page: func(ctx context.Context, token *string) (*ListChildrenOutput, *string, error) {
		in := *in
		in.NextToken = token
		out, err := c.ListChildren(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		return out, out.NextToken, nil
	}}
}
