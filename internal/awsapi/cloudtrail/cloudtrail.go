// Package cloudtrail is the one CloudTrail call keywarden makes (LookupEvents, for what a key
// did), under the SDK's names, without the SDK's generated client (see internal/awsapi).
// It imports nothing of keywarden's but internal/awsapi: internal/trail, a leaf, uses it.
package cloudtrail

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/cloudtrail/types"
)

// Options are a client's settings that differ from its config's.
type Options struct {
	// Region, if set, is the region called instead of the config's: event history is
	// per region.
	Region string
}

// Client calls CloudTrail in one region.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the CloudTrail client of cfg.
func NewFromConfig(cfg aws.Config, optFns ...func(*Options)) *Client {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "CloudTrail", Prefix: "cloudtrail", SigningName: "cloudtrail"})}
}

// target is JSON 1.1's X-Amz-Target prefix of CloudTrail's operations.
const target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"

// LookupEventsInput is LookupEvents' input.
type LookupEventsInput struct {
	LookupAttributes []types.LookupAttribute
	StartTime        *time.Time
	EndTime          *time.Time
	MaxResults       *int32
	NextToken        *string
}

// MarshalJSON writes the input as JSON 1.1 does: times in epoch seconds, unset members left out.
func (in *LookupEventsInput) MarshalJSON() ([]byte, error) {
	w := struct {
		LookupAttributes []types.LookupAttribute `json:",omitempty"`
		StartTime        *json.Number            `json:",omitempty"`
		EndTime          *json.Number            `json:",omitempty"`
		MaxResults       *int32                  `json:",omitempty"`
		NextToken        *string                 `json:",omitempty"`
	}{LookupAttributes: in.LookupAttributes, MaxResults: in.MaxResults, NextToken: in.NextToken}
	if in.StartTime != nil {
		n := types.Epoch(*in.StartTime)
		w.StartTime = &n
	}
	if in.EndTime != nil {
		n := types.Epoch(*in.EndTime)
		w.EndTime = &n
	}
	return json.Marshal(w)
}

// LookupEventsOutput is one page of events, the latest first.
type LookupEventsOutput struct {
	Events    []types.Event
	NextToken *string
}

// LookupEvents reads one page of the events LookupAttributes selects between StartTime and
// EndTime.
func (c *Client) LookupEvents(ctx context.Context, in *LookupEventsInput, _ ...func(*Options)) (*LookupEventsOutput, error) {
	var out LookupEventsOutput
	if err := c.api.JSON(ctx, target, "LookupEvents", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
