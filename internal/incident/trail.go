package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/trail"
)

// DefaultSince is how far back respond reads a key's calls: a leak is usually noticed within
// days, and LookupEvents answers two pages a second, so a longer look costs a slow response.
const DefaultSince = 7 * 24 * time.Hour

// callLines bounds the calls and consumers a notice lists: enough to see what an attacker
// tried; the whole history is in the JSON and in CloudTrail.
const callLines = 5

// Trail is Activity from CloudTrail's event history between Since and Until: every call, its
// errors, source addresses and user agents, which is what an owner needs to judge a leak.
// When no region's history can be read (no cloudtrail:LookupEvents, say) IAM's last use is the
// answer and the reason is one of the lines, so a response never fails on its evidence.
type Trail struct {
	Source       trail.Source
	Since, Until time.Time
	IAM          LastUsed
}

func (t Trail) Of(ctx context.Context, user, keyID string) (Use, error) {
	a, err := trail.Lookup(ctx, t.Source, keyID, t.Since, t.Until)
	if err != nil {
		u, lerr := t.IAM.Of(ctx, user, keyID)
		if lerr != nil {
			return Use{}, lerr
		}
		u.Lines = append([]string{awserr.Message("CloudTrail's history could not be read", err)}, u.Lines...)
		return u, nil
	}
	u := Use{Source: "cloudtrail", Trail: &a, Lines: []string{trail.Summary(a)}}
	if a.From == trail.FromIAM {
		u.Source = "iam:GetAccessKeyLastUsed"
	}
	for i, c := range a.Calls {
		if i == callLines {
			u.Lines = append(u.Lines, fmt.Sprintf("and %d other calls", len(a.Calls)-callLines))
			break
		}
		line := fmt.Sprintf("%s %s ×%d", c.Source, c.Name, c.Count)
		if c.Errors > 0 {
			line += fmt.Sprintf(" (%d refused or failed: %s)", c.Errors, strings.Join(c.ErrorCodes, ", "))
		}
		u.Lines = append(u.Lines, line)
	}
	if who := trail.Who(a, callLines); who != "" {
		u.Lines = append(u.Lines, "from "+who)
	}
	return u, nil
}
