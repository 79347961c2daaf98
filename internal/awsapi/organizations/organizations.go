// Package organizations is the Organizations calls keywarden makes (listing accounts, OUs and
// roots), under the SDK's names, without the SDK's generated client (see internal/awsapi).
package organizations

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls Organizations, a global service: one endpoint per partition.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the Organizations client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "Organizations", Prefix: "organizations", SigningName: "organizations", Global: true})}
}

const target = "AWSOrganizationsV20161128"

// Account states and statuses, and the child type of an OU.
const (
	AccountStateActive          = "ACTIVE"
	AccountStatusActive         = "ACTIVE"
	ChildTypeOrganizationalUnit = "ORGANIZATIONAL_UNIT"
)

// Account is a member account. State replaces the retiring Status.
type Account struct {
	Id     *string //nolint:revive // the SDK's names
	Name   *string
	State  string
	Status string
}

// Child is an OU's or a root's child.
type Child struct {
	Id   *string //nolint:revive
	Type string
}

// Root is the organization's root.
type Root struct {
	Id *string //nolint:revive
}

// ListAccountsInput is ListAccounts' input.
type ListAccountsInput struct {
	NextToken  *string `json:",omitempty"`
	MaxResults *int32  `json:",omitempty"`
}

// ListAccountsOutput is a page of ListAccounts.
type ListAccountsOutput struct {
	Accounts  []Account
	NextToken *string
}

// ListAccountsForParentInput is ListAccountsForParent's input.
type ListAccountsForParentInput struct {
	ParentId   *string //nolint:revive
	NextToken  *string `json:",omitempty"`
	MaxResults *int32  `json:",omitempty"`
}

// ListAccountsForParentOutput is a page of ListAccountsForParent.
type ListAccountsForParentOutput struct {
	Accounts  []Account
	NextToken *string
}

// ListChildrenInput is ListChildren's input.
type ListChildrenInput struct {
	ParentId   *string //nolint:revive
	ChildType  string
	NextToken  *string `json:",omitempty"`
	MaxResults *int32  `json:",omitempty"`
}

// ListChildrenOutput is a page of ListChildren.
type ListChildrenOutput struct {
	Children  []Child
	NextToken *string
}

// ListRootsInput is ListRoots' input.
type ListRootsInput struct {
	NextToken  *string `json:",omitempty"`
	MaxResults *int32  `json:",omitempty"`
}

// ListRootsOutput is a page of ListRoots.
type ListRootsOutput struct {
	Roots     []Root
	NextToken *string
}

// ListAccounts lists a page of the organization's accounts.
func (c *Client) ListAccounts(ctx context.Context, in *ListAccountsInput, _ ...func(*Options)) (*ListAccountsOutput, error) {
	var out ListAccountsOutput
	return &out, c.api.JSON(ctx, target, "ListAccounts", in, &out)
}

// ListAccountsForParent lists a page of the accounts directly under a root or OU.
func (c *Client) ListAccountsForParent(ctx context.Context, in *ListAccountsForParentInput, _ ...func(*Options)) (*ListAccountsForParentOutput, error) {
	var out ListAccountsForParentOutput
	return &out, c.api.JSON(ctx, target, "ListAccountsForParent", in, &out)
}

// ListChildren lists a page of a root's or OU's children of one type.
func (c *Client) ListChildren(ctx context.Context, in *ListChildrenInput, _ ...func(*Options)) (*ListChildrenOutput, error) {
	var out ListChildrenOutput
	return &out, c.api.JSON(ctx, target, "ListChildren", in, &out)
}

// ListRoots lists a page of the organization's roots.
func (c *Client) ListRoots(ctx context.Context, in *ListRootsInput, _ ...func(*Options)) (*ListRootsOutput, error) {
	var out ListRootsOutput
	return &out, c.api.JSON(ctx, target, "ListRoots", in, &out)
}
