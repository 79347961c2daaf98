// Package sns is the one SNS call keywarden makes (Publish, for the notify: block's topic),
// under the SDK's names, without the SDK's generated client (see internal/awsapi).
package sns

import (
	"context"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls SNS.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the SNS client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "SNS", Prefix: "sns", SigningName: "sns"})}
}

// PublishInput is Publish's input.
type PublishInput struct {
	TopicArn *string
	Message  *string
	Subject  *string
}

// PublishOutput is Publish's answer.
type PublishOutput struct {
	MessageId *string `xml:"MessageId"`
}

// Publish sends a message to a topic.
func (c *Client) Publish(ctx context.Context, in *PublishInput, _ ...func(*Options)) (*PublishOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "TopicArn", in.TopicArn)
	awsapi.QueryString(p, "Message", in.Message)
	awsapi.QueryString(p, "Subject", in.Subject)
	var out PublishOutput
	if err := c.api.Query(ctx, "Publish", "2010-03-31", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
