package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keywarden/keywarden/internal/awsapi/ses"
	"github.com/keywarden/keywarden/internal/awsapi/sns"

	"github.com/keywarden/keywarden/internal/awserr"
)

// SES is the part of the SES client email uses.
type SES interface {
	SendEmail(ctx context.Context, in *ses.SendEmailInput, opts ...func(*ses.Options)) (*ses.SendEmailOutput, error)
}

// SNS is the part of the SNS client the topic channel uses.
type SNS interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Run is what one run did, for the SNS message: its summary and every digest.
type Run struct {
	Summary string   `json:"summary"`
	Digests []Digest `json:"digests"`
}

// Channel sends one run's digests somewhere. send is called once per message, so the sender
// retries each message on its own.
type Channel interface {
	Name() string
	// Messages splits the run into the messages this channel sends.
	Messages(r Run) []Message
}

// Message is one send of a channel: to whom (for the report) and the call that sends it.
type Message struct {
	To   string
	Send func(ctx context.Context) error
}

// Email sends one digest per owner whose tag holds an email address, from From, through SES.
type Email struct {
	SES  SES
	From string
}

func (e *Email) Name() string { return "email" }

func (e *Email) Messages(r Run) []Message {
	var out []Message
	for _, d := range r.Digests {
		if !strings.Contains(d.Owner, "@") || strings.HasPrefix(d.Owner, "@") {
			continue // a chat handle: the webhook's, not an address
		}
		d := d
		out = append(out, Message{To: d.Owner, Send: func(ctx context.Context) error {
			_, err := e.SES.SendEmail(ctx, &ses.SendEmailInput{
				Source:      aws.String(e.From),
				Destination: &ses.Destination{ToAddresses: []string{d.Owner}},
				Message: &ses.Message{
					Subject: &ses.Content{Data: aws.String(d.Subject())},
					Body:    &ses.Body{Text: &ses.Content{Data: aws.String(d.Text())}},
				},
			})
			if err != nil {
				return awserr.Wrap("ses:SendEmail to "+d.Owner, err)
			}
			return nil
		}})
	}
	return out
}

// Topic publishes one message per run to an SNS topic: the run as JSON, for machines.
type Topic struct {
	SNS      SNS
	TopicARN string
}

func (t *Topic) Name() string { return "sns" }

func (t *Topic) Messages(r Run) []Message {
	body, _ := json.Marshal(r)
	return []Message{{To: t.TopicARN, Send: func(ctx context.Context) error {
		_, err := t.SNS.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(t.TopicARN), Subject: aws.String("keywarden run"), Message: aws.String(string(body)),
		})
		if err != nil {
			return awserr.Wrap("sns:Publish to "+t.TopicARN, err)
		}
		return nil
	}}}
}

// Webhook posts one Slack-compatible message ({"text": …}) per owner to URL.
type Webhook struct {
	URL    string
	Client *http.Client
	// ref, when URL is an ssm: or secretsmanager: reference, reads the real URL at send time.
	ref *urlRef
}

func (w *Webhook) Name() string { return "webhook" }

func (w *Webhook) Messages(r Run) []Message {
	var out []Message
	for _, d := range r.Digests {
		d := d
		out = append(out, Message{To: d.Owner, Send: func(ctx context.Context) error {
			body, _ := json.Marshal(map[string]string{"text": "For " + d.Owner + ": " + d.Text()})
			url := w.URL
			if w.ref != nil {
				var err error
				if url, err = w.ref.get(ctx); err != nil {
					return fmt.Errorf("webhook: %w", err)
				}
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return fmt.Errorf("webhook: %w", err)
			}
			req.Header.Set("Content-Type", "application/json")
			c := w.Client
			if c == nil {
				c = &http.Client{Timeout: 10 * time.Second}
			}
			resp, err := c.Do(req)
			if err != nil {
				return fmt.Errorf("webhook %s: %w", redact(url), unwrapURL(err))
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("webhook %s answered HTTP %d", redact(url), resp.StatusCode)
			}
			return nil
		}})
	}
	return out
}

// redact keeps a webhook URL's host: its path is often the secret (Slack's hooks are).
func redact(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i+3+j] + "/…"
		}
	}
	return u
}

// unwrapURL drops the *url.Error wrapping, which repeats the whole URL (and its secret path).
func unwrapURL(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && strings.Contains(err.Error(), "://") {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
