// Package ses is the one SES call keywarden makes (SendEmail, for the notify: block's owner
// digests), under the SDK's names, without the SDK's generated client (see internal/awsapi).
package ses

import (
	"context"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls SES (v1, the API whose endpoint is email.<region>.amazonaws.com).
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the SES client of cfg.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "SES", Prefix: "email", SigningName: "ses"})}
}

// SendEmailInput is SendEmail's input.
type SendEmailInput struct {
	Source      *string
	Destination *Destination
	Message     *Message
}

// Destination is who receives a message.
type Destination struct {
	ToAddresses, CcAddresses, BccAddresses []string
}

// Message is a subject and a body.
type Message struct {
	Subject *Content
	Body    *Body
}

// Body is a message's text and HTML parts.
type Body struct {
	Text, Html *Content //nolint:revive // the SDK's name
}

// Content is text in a charset.
type Content struct {
	Data    *string
	Charset *string
}

// SendEmailOutput is SendEmail's answer.
type SendEmailOutput struct {
	MessageId *string `xml:"MessageId"`
}

// SendEmail sends one message.
func (c *Client) SendEmail(ctx context.Context, in *SendEmailInput, _ ...func(*Options)) (*SendEmailOutput, error) {
	p := url.Values{}
	awsapi.QueryString(p, "Source", in.Source)
	if d := in.Destination; d != nil {
		awsapi.QueryList(p, "Destination.ToAddresses", d.ToAddresses)
		awsapi.QueryList(p, "Destination.CcAddresses", d.CcAddresses)
		awsapi.QueryList(p, "Destination.BccAddresses", d.BccAddresses)
	}
	if m := in.Message; m != nil {
		content(p, "Message.Subject", m.Subject)
		if m.Body != nil {
			content(p, "Message.Body.Text", m.Body.Text)
			content(p, "Message.Body.Html", m.Body.Html)
		}
	}
	var out SendEmailOutput
	if err := c.api.Query(ctx, "SendEmail", "2010-12-01", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func content(p url.Values, name string, c *Content) {
	if c == nil {
		return
	}
	awsapi.QueryString(p, name+".Data", c.Data)
	awsapi.QueryString(p, name+".Charset", c.Charset)
}
