// Package securityhub is the two Security Hub calls keywarden makes (GetFindings and
// BatchImportFindings, for audit --to securityhub), under the SDK's names, without the SDK's
// generated client (see internal/awsapi).
package securityhub

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/securityhub/types"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls Security Hub.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the Security Hub client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "SecurityHub", Prefix: "securityhub", SigningName: "securityhub"})}
}

// GetFindingsInput is GetFindings' input.
type GetFindingsInput struct {
	Filters    *types.AwsSecurityFindingFilters `json:"Filters,omitempty"`
	MaxResults *int32                           `json:"MaxResults,omitempty"`
	NextToken  *string                          `json:"NextToken,omitempty"`
}

// GetFindingsOutput is one page of findings.
type GetFindingsOutput struct {
	Findings  []types.AwsSecurityFinding `json:"Findings"`
	NextToken *string                    `json:"NextToken"`
}

// GetFindings reads one page of the findings Filters selects.
func (c *Client) GetFindings(ctx context.Context, in *GetFindingsInput, _ ...func(*Options)) (*GetFindingsOutput, error) {
	var out GetFindingsOutput
	if err := c.api.RESTJSON(ctx, "GetFindings", http.MethodPost, "/findings", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchImportFindingsInput is BatchImportFindings' input: at most 100 findings.
type BatchImportFindingsInput struct {
	Findings []types.AwsSecurityFinding `json:"Findings"`
}

// BatchImportFindingsOutput says which findings were refused.
type BatchImportFindingsOutput struct {
	FailedCount    *int32                      `json:"FailedCount"`
	FailedFindings []types.ImportFindingsError `json:"FailedFindings"`
}

// BatchImportFindings creates or updates findings (by ProductArn and Id).
func (c *Client) BatchImportFindings(ctx context.Context, in *BatchImportFindingsInput, _ ...func(*Options)) (*BatchImportFindingsOutput, error) {
	var out BatchImportFindingsOutput
	if err := c.api.RESTJSON(ctx, "BatchImportFindings", http.MethodPost, "/findings/import", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
