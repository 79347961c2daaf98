// Package ssm is the two Parameter Store calls keywarden makes (a destination's parameter, the
// Lambda's config and a webhook or CI token by reference), under the SDK's names, without the
// SDK's generated client (see internal/awsapi).
package ssm

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/awsapi"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls SSM.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the SSM client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "SSM", Prefix: "ssm", SigningName: "ssm", Typed: typed})}
}

const target = "AmazonSSM"

// ParameterTypeSecureString is a parameter encrypted with KMS.
const ParameterTypeSecureString = "SecureString"

// GetParameterInput is GetParameter's input.
type GetParameterInput struct {
	Name           *string
	WithDecryption *bool `json:",omitempty"`
}

// GetParameterOutput is GetParameter's answer.
type GetParameterOutput struct {
	Parameter *Parameter
}

// Parameter is a parameter's value.
type Parameter struct {
	Value *string
}

// PutParameterInput is PutParameter's input.
type PutParameterInput struct {
	Name      *string
	Value     *string
	Type      string  `json:",omitempty"`
	Overwrite *bool   `json:",omitempty"`
	KeyId     *string `json:",omitempty"` //nolint:revive // the SDK's name
}

// PutParameterOutput is PutParameter's answer; keywarden reads nothing of it.
type PutParameterOutput struct{}

// GetParameter reads a parameter.
func (c *Client) GetParameter(ctx context.Context, in *GetParameterInput, _ ...func(*Options)) (*GetParameterOutput, error) {
	var out GetParameterOutput
	if err := c.api.JSON(ctx, target, "GetParameter", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutParameter writes a parameter.
func (c *Client) PutParameter(ctx context.Context, in *PutParameterInput, _ ...func(*Options)) (*PutParameterOutput, error) {
	var out PutParameterOutput
	if err := c.api.JSON(ctx, target, "PutParameter", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ParameterNotFound is the SDK's error type for a parameter that does not exist.
type ParameterNotFound struct {
	Message *string
}

func (e *ParameterNotFound) Error() string                 { return "ParameterNotFound: " + aws.ToString(e.Message) }
func (e *ParameterNotFound) ErrorCode() string             { return "ParameterNotFound" }
func (e *ParameterNotFound) ErrorMessage() string          { return aws.ToString(e.Message) }
func (e *ParameterNotFound) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func typed(e *smithy.GenericAPIError) error {
	if e.Code == "ParameterNotFound" {
		return &ParameterNotFound{Message: aws.String(e.Message)}
	}
	return e
}
