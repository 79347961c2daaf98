package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/trail"
)

// Activity is what the key did: the respond command's source of it, CloudTrail's history
// (Trail) or IAM's last use alone (LastUsed).
type Activity interface {
	Of(ctx context.Context, user, keyID string) (Use, error)
}

// Use is what is known of a key's use, one line a fact, for the report and the notice.
type Use struct {
	Source   string          `json:"source"`
	LastUsed *keys.LastUsed  `json:"last_used,omitempty"`
	Trail    *trail.Activity `json:"cloudtrail,omitempty"`
	Lines    []string        `json:"lines"`
}

// LastUsed is Activity from iam:GetAccessKeyLastUsed: when, which service, which region.
type LastUsed struct{ IAM inventory.IAM }

func (l LastUsed) Of(ctx context.Context, _, keyID string) (Use, error) {
	lu, _, err := inventory.LastUsed(ctx, l.IAM, keyID)
	if err != nil {
		return Use{}, err
	}
	u := Use{Source: "iam:GetAccessKeyLastUsed", LastUsed: lu}
	if lu == nil {
		u.Lines = []string{"IAM has no record of the key ever being used"}
		return u, nil
	}
	line := "last used " + lu.Date.UTC().Format(time.RFC3339)
	if lu.Service != "" {
		line += " by " + lu.Service
	}
	if lu.Region != "" {
		line += " in " + lu.Region
	}
	u.Lines = []string{line, fmt.Sprintf("(IAM keeps only the last use; look for the calls in CloudTrail with AccessKeyId %s)", keyID)}
	return u, nil
}
