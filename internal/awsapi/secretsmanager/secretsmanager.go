// Package secretsmanager is the Secrets Manager calls keywarden makes (a destination's secret,
// the rotation function's steps, a webhook or CI token by reference), under the SDK's names,
// without the SDK's generated client (see internal/awsapi).
package secretsmanager

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/awsapi"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls Secrets Manager.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the Secrets Manager client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "Secrets Manager", Prefix: "secretsmanager", SigningName: "secretsmanager", Typed: typed})}
}

const target = "secretsmanager"

// Tag is a secret's tag.
type Tag struct {
	Key   *string
	Value *string
}

// DescribeSecretInput is DescribeSecret's input.
type DescribeSecretInput struct {
	SecretId *string //nolint:revive // the SDK's names
}

// DescribeSecretOutput is what keywarden reads of a secret's description.
type DescribeSecretOutput struct {
	Tags               []Tag
	VersionIdsToStages map[string][]string
}

// GetSecretValueInput is GetSecretValue's input.
type GetSecretValueInput struct {
	SecretId     *string //nolint:revive
	VersionId    *string `json:",omitempty"` //nolint:revive
	VersionStage *string `json:",omitempty"`
}

// GetSecretValueOutput is a version's value.
type GetSecretValueOutput struct {
	SecretString *string
}

// PutSecretValueInput is PutSecretValue's input.
type PutSecretValueInput struct {
	SecretId           *string  //nolint:revive
	ClientRequestToken *string  `json:",omitempty"`
	SecretString       *string  `json:",omitempty"`
	VersionStages      []string `json:",omitempty"`
}

// PutSecretValueOutput is PutSecretValue's answer; keywarden reads nothing of it.
type PutSecretValueOutput struct{}

// CreateSecretInput is CreateSecret's input.
type CreateSecretInput struct {
	Name               *string
	ClientRequestToken *string `json:",omitempty"`
	SecretString       *string `json:",omitempty"`
	Description        *string `json:",omitempty"`
	KmsKeyId           *string `json:",omitempty"` //nolint:revive
	Tags               []Tag   `json:",omitempty"`
}

// CreateSecretOutput is CreateSecret's answer; keywarden reads nothing of it.
type CreateSecretOutput struct{}

// UpdateSecretVersionStageInput is UpdateSecretVersionStage's input.
type UpdateSecretVersionStageInput struct {
	SecretId            *string //nolint:revive
	VersionStage        *string
	MoveToVersionId     *string `json:",omitempty"` //nolint:revive
	RemoveFromVersionId *string `json:",omitempty"` //nolint:revive
}

// UpdateSecretVersionStageOutput is UpdateSecretVersionStage's answer; keywarden reads
// nothing of it.
type UpdateSecretVersionStageOutput struct{}

// DescribeSecret reads a secret's metadata: tags, versions and their stages.
func (c *Client) DescribeSecret(ctx context.Context, in *DescribeSecretInput, _ ...func(*Options)) (*DescribeSecretOutput, error) {
	var out DescribeSecretOutput
	return call(ctx, c, "DescribeSecret", in, &out)
}

// GetSecretValue reads one version's value.
func (c *Client) GetSecretValue(ctx context.Context, in *GetSecretValueInput, _ ...func(*Options)) (*GetSecretValueOutput, error) {
	var out GetSecretValueOutput
	return call(ctx, c, "GetSecretValue", in, &out)
}

// PutSecretValue adds a version.
func (c *Client) PutSecretValue(ctx context.Context, in *PutSecretValueInput, _ ...func(*Options)) (*PutSecretValueOutput, error) {
	var out PutSecretValueOutput
	return call(ctx, c, "PutSecretValue", in, &out)
}

// CreateSecret creates a secret with its first version.
func (c *Client) CreateSecret(ctx context.Context, in *CreateSecretInput, _ ...func(*Options)) (*CreateSecretOutput, error) {
	var out CreateSecretOutput
	return call(ctx, c, "CreateSecret", in, &out)
}

// UpdateSecretVersionStage moves a stage label between versions.
func (c *Client) UpdateSecretVersionStage(ctx context.Context, in *UpdateSecretVersionStageInput, _ ...func(*Options)) (*UpdateSecretVersionStageOutput, error) {
	var out UpdateSecretVersionStageOutput
	return call(ctx, c, "UpdateSecretVersionStage", in, &out)
}

func call[T any](ctx context.Context, c *Client, op string, in any, out *T) (*T, error) {
	if err := c.api.JSON(ctx, target, op, in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// The SDK's error types that keywarden tells apart.
type (
	// ResourceNotFoundException: no such secret, or no such version.
	ResourceNotFoundException struct{ Message *string }
	// ResourceExistsException: a secret of that name exists (or a version of that token).
	ResourceExistsException struct{ Message *string }
)

func (e *ResourceNotFoundException) Error() string {
	return e.ErrorCode() + ": " + aws.ToString(e.Message)
}
func (e *ResourceNotFoundException) ErrorCode() string { return "ResourceNotFoundException" }
func (e *ResourceNotFoundException) ErrorMessage() string {
	return aws.ToString(e.Message)
}
func (e *ResourceNotFoundException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func (e *ResourceExistsException) Error() string {
	return e.ErrorCode() + ": " + aws.ToString(e.Message)
}
func (e *ResourceExistsException) ErrorCode() string             { return "ResourceExistsException" }
func (e *ResourceExistsException) ErrorMessage() string          { return aws.ToString(e.Message) }
func (e *ResourceExistsException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func typed(e *smithy.GenericAPIError) error {
	switch e.Code {
	case "ResourceNotFoundException":
		return &ResourceNotFoundException{Message: aws.String(e.Message)}
	case "ResourceExistsException":
		return &ResourceExistsException{Message: aws.String(e.Message)}
	}
	return e
}
