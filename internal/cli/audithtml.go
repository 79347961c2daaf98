package cli

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

// renderHTML writes the audit page; its histogram is bucketed by the limits this audit used.
func (o *auditOptions) renderHTML(rows []auditRow, now time.Time) error {
	th := policy.DefaultThresholds()
	if o.MaxAge != "" || o.MaxUnused != "" {
		if t, err := o.thresholds(); err == nil { // runAudit has already refused bad limits
			th = t
		}
	}
	ks := make([]report.AuditKey, 0, len(rows))
	for _, r := range rows {
		lu := "never"
		if r.LastUsed != nil {
			// A date people read; the page is for them, the JSON and CSV keep RFC 3339.
			lu = strings.TrimSpace(strings.Join([]string{report.HumanDate(r.LastUsed.Date), r.LastUsed.Service, r.LastUsed.Region}, " "))
		}
		k := report.AuditKey{
			Account: r.Account, User: r.User, AccessKeyID: r.AccessKeyID, Status: r.Status,
			AgeDays: r.AgeDays, LastUsed: lu, Findings: r.Findings,
		}
		if r.Created != nil {
			k.Created = *r.Created
		}
		ks = append(ks, k)
	}
	return report.AuditHTML(o.Stdout, report.AuditPage{
		Title: "keywarden audit", Account: o.account, Alias: o.alias, Aliases: o.aliases, At: now, Keys: ks, Limits: []time.Duration{th.MaxUnused, th.MaxAge},
	})
}

// accountAlias is the account's alias, or "" when it has none or iam:ListAccountAliases says
// no: the page is still worth having without it.
func accountAlias(ctx context.Context, c *iam.Client) string {
	if o, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(o.AccountAliases) > 0 {
		return o.AccountAliases[0]
	}
	return ""
}

// accountName is the account id and its alias for a page's heading. Either may be "": the
// page is still worth having when sts or iam:ListAccountAliases says no.
func (s *session) accountName(ctx context.Context) (id, alias string) {
	if o, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		id = aws.ToString(o.Account)
	}
	return id, accountAlias(ctx, s.iam)
}
