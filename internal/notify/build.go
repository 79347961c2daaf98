package notify

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/ses"
	"github.com/keywarden/keywarden/internal/awsapi/sns"
	"github.com/keywarden/keywarden/internal/policy"
)

// New builds the sender of a notify: block; SES and SNS are called with cfg (the runner's own
// account, where the verified address and the topic live).
func New(cfg aws.Config, n *policy.Notify, sleep func(context.Context, time.Duration) error) *Sender {
	s := &Sender{Sleep: sleep}
	if n.EmailFrom != "" {
		s.Channels = append(s.Channels, &Email{SES: ses.NewFromConfig(cfg), From: n.EmailFrom})
	}
	if n.SNSTopicARN != "" {
		s.Channels = append(s.Channels, &Topic{SNS: sns.NewFromConfig(cfg), TopicARN: n.SNSTopicARN})
	}
	if n.WebhookURL != "" {
		w := &Webhook{URL: n.WebhookURL, Client: &http.Client{Timeout: 10 * time.Second}}
		if _, ok := policy.WebhookRef(n.WebhookURL); ok {
			w.ref = newURLRef(cfg, n.WebhookURL)
		}
		s.Channels = append(s.Channels, w)
	}
	return s
}
