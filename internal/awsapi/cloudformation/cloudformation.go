// Package cloudformation is the CloudFormation calls keywarden makes (deploy, undeploy, the
// dry run's change set, org bootstrap's StackSet), under the SDK's names, without the SDK's
// generated client (see internal/awsapi): a command that deploys makes a few dozen calls, and
// every other run of the binary paid for the generated client's init.
package cloudformation

import (
	"context"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

const version = "2010-05-15"

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls CloudFormation.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the CloudFormation client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "CloudFormation", Prefix: "cloudformation", SigningName: "cloudformation"})}
}

// CreateStackInput is CreateStack's input.
type CreateStackInput struct {
	StackName    *string
	TemplateBody *string
	Parameters   []types.Parameter
	Capabilities []types.Capability
	Tags         []types.Tag
}

// CreateStackOutput is CreateStack's answer; keywarden reads none of it.
type CreateStackOutput struct{}

// CreateStack starts creating a stack.
func (c *Client) CreateStack(ctx context.Context, in *CreateStackInput, _ ...func(*Options)) (*CreateStackOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	awsapi.QueryString(p, "TemplateBody", in.TemplateBody)
	parameters(p, "Parameters", in.Parameters)
	awsapi.QueryList(p, "Capabilities", in.Capabilities)
	tags(p, "Tags", in.Tags)
	if err := c.api.Query(ctx, "CreateStack", version, p, nil); err != nil {
		return nil, err
	}
	return &CreateStackOutput{}, nil
}

// UpdateStackInput is UpdateStack's input.
type UpdateStackInput struct {
	StackName    *string
	TemplateBody *string
	Parameters   []types.Parameter
	Capabilities []types.Capability
}

// UpdateStackOutput is UpdateStack's answer; keywarden reads none of it.
type UpdateStackOutput struct{}

// UpdateStack starts updating a stack.
func (c *Client) UpdateStack(ctx context.Context, in *UpdateStackInput, _ ...func(*Options)) (*UpdateStackOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	awsapi.QueryString(p, "TemplateBody", in.TemplateBody)
	parameters(p, "Parameters", in.Parameters)
	awsapi.QueryList(p, "Capabilities", in.Capabilities)
	if err := c.api.Query(ctx, "UpdateStack", version, p, nil); err != nil {
		return nil, err
	}
	return &UpdateStackOutput{}, nil
}

// DeleteStackInput is DeleteStack's input.
type DeleteStackInput struct {
	StackName *string
}

// DeleteStackOutput is DeleteStack's (empty) answer.
type DeleteStackOutput struct{}

// DeleteStack starts deleting a stack.
func (c *Client) DeleteStack(ctx context.Context, in *DeleteStackInput, _ ...func(*Options)) (*DeleteStackOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	if err := c.api.Query(ctx, "DeleteStack", version, p, nil); err != nil {
		return nil, err
	}
	return &DeleteStackOutput{}, nil
}

// DescribeStacksInput is DescribeStacks' input.
type DescribeStacksInput struct {
	StackName *string
}

// DescribeStacksOutput is DescribeStacks' answer.
type DescribeStacksOutput struct {
	Stacks []types.Stack `xml:"Stacks>member"`
}

// DescribeStacks reads a stack, by name or id.
func (c *Client) DescribeStacks(ctx context.Context, in *DescribeStacksInput, _ ...func(*Options)) (*DescribeStacksOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	var out DescribeStacksOutput
	if err := c.api.Query(ctx, "DescribeStacks", version, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DescribeStackEventsInput is DescribeStackEvents' input.
type DescribeStackEventsInput struct {
	StackName *string
}

// DescribeStackEventsOutput is DescribeStackEvents' answer, newest event first.
type DescribeStackEventsOutput struct {
	StackEvents []types.StackEvent `xml:"StackEvents>member"`
}

// DescribeStackEvents reads a stack's events.
func (c *Client) DescribeStackEvents(ctx context.Context, in *DescribeStackEventsInput, _ ...func(*Options)) (*DescribeStackEventsOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	var out DescribeStackEventsOutput
	if err := c.api.Query(ctx, "DescribeStackEvents", version, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateChangeSetInput is CreateChangeSet's input.
type CreateChangeSetInput struct {
	StackName     *string
	ChangeSetName *string
	ChangeSetType types.ChangeSetType
	TemplateBody  *string
	Parameters    []types.Parameter
	Capabilities  []types.Capability
}

// CreateChangeSetOutput is CreateChangeSet's answer; keywarden reads none of it.
type CreateChangeSetOutput struct{}

// CreateChangeSet starts making a change set.
func (c *Client) CreateChangeSet(ctx context.Context, in *CreateChangeSetInput, _ ...func(*Options)) (*CreateChangeSetOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	awsapi.QueryString(p, "ChangeSetName", in.ChangeSetName)
	enum(p, "ChangeSetType", in.ChangeSetType)
	awsapi.QueryString(p, "TemplateBody", in.TemplateBody)
	parameters(p, "Parameters", in.Parameters)
	awsapi.QueryList(p, "Capabilities", in.Capabilities)
	if err := c.api.Query(ctx, "CreateChangeSet", version, p, nil); err != nil {
		return nil, err
	}
	return &CreateChangeSetOutput{}, nil
}

// DescribeChangeSetInput is DescribeChangeSet's input.
type DescribeChangeSetInput struct {
	StackName     *string
	ChangeSetName *string
	NextToken     *string
}

// DescribeChangeSetOutput is one page of DescribeChangeSet's answer.
type DescribeChangeSetOutput struct {
	Status       types.ChangeSetStatus `xml:"Status"`
	StatusReason *string               `xml:"StatusReason"`
	Changes      []types.Change        `xml:"Changes>member"`
	NextToken    *string               `xml:"NextToken"`
}

// DescribeChangeSet reads a change set's status and one page of its changes.
func (c *Client) DescribeChangeSet(ctx context.Context, in *DescribeChangeSetInput, _ ...func(*Options)) (*DescribeChangeSetOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	awsapi.QueryString(p, "ChangeSetName", in.ChangeSetName)
	awsapi.QueryString(p, "NextToken", in.NextToken)
	var out DescribeChangeSetOutput
	if err := c.api.Query(ctx, "DescribeChangeSet", version, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteChangeSetInput is DeleteChangeSet's input.
type DeleteChangeSetInput struct {
	StackName     *string
	ChangeSetName *string
}

// DeleteChangeSetOutput is DeleteChangeSet's (empty) answer.
type DeleteChangeSetOutput struct{}

// DeleteChangeSet deletes a change set without executing it.
func (c *Client) DeleteChangeSet(ctx context.Context, in *DeleteChangeSetInput, _ ...func(*Options)) (*DeleteChangeSetOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackName", in.StackName)
	awsapi.QueryString(p, "ChangeSetName", in.ChangeSetName)
	if err := c.api.Query(ctx, "DeleteChangeSet", version, p, nil); err != nil {
		return nil, err
	}
	return &DeleteChangeSetOutput{}, nil
}

// CreateStackSetInput is CreateStackSet's input.
type CreateStackSetInput struct {
	StackSetName    *string
	TemplateBody    *string
	PermissionModel types.PermissionModels
	AutoDeployment  *types.AutoDeployment
	Capabilities    []types.Capability
	Description     *string
}

// CreateStackSetOutput is CreateStackSet's answer; keywarden reads none of it.
type CreateStackSetOutput struct{}

// CreateStackSet creates a StackSet.
func (c *Client) CreateStackSet(ctx context.Context, in *CreateStackSetInput, _ ...func(*Options)) (*CreateStackSetOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackSetName", in.StackSetName)
	awsapi.QueryString(p, "TemplateBody", in.TemplateBody)
	enum(p, "PermissionModel", in.PermissionModel)
	if a := in.AutoDeployment; a != nil {
		boolean(p, "AutoDeployment.Enabled", a.Enabled)
		boolean(p, "AutoDeployment.RetainStacksOnAccountRemoval", a.RetainStacksOnAccountRemoval)
	}
	awsapi.QueryList(p, "Capabilities", in.Capabilities)
	awsapi.QueryString(p, "Description", in.Description)
	if err := c.api.Query(ctx, "CreateStackSet", version, p, nil); err != nil {
		return nil, err
	}
	return &CreateStackSetOutput{}, nil
}

// CreateStackInstancesInput is CreateStackInstances' input.
type CreateStackInstancesInput struct {
	StackSetName      *string
	DeploymentTargets *types.DeploymentTargets
	Regions           []string
}

// CreateStackInstancesOutput is CreateStackInstances' answer.
type CreateStackInstancesOutput struct {
	OperationId *string `xml:"OperationId"` //nolint:revive // the SDK's name
}

// CreateStackInstances deploys a StackSet to its targets in regions.
func (c *Client) CreateStackInstances(ctx context.Context, in *CreateStackInstancesInput, _ ...func(*Options)) (*CreateStackInstancesOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "StackSetName", in.StackSetName)
	if t := in.DeploymentTargets; t != nil {
		awsapi.QueryList(p, "DeploymentTargets.OrganizationalUnitIds", t.OrganizationalUnitIds)
	}
	awsapi.QueryList(p, "Regions", in.Regions)
	var out CreateStackInstancesOutput
	if err := c.api.Query(ctx, "CreateStackInstances", version, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
