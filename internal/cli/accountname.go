package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// accountName is the account id and its alias for a page's heading. Either may be "": the
// page is still worth having when sts or iam:ListAccountAliases says no.
func (s *session) accountName(ctx context.Context) (id, alias string) {
	if o, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		id = aws.ToString(o.Account)
	}
	return id, accountAlias(ctx, s.iam)
}

// accountAlias is the account's alias, or "" when it has none or iam:ListAccountAliases says
// no: the page is still worth having without it.
func accountAlias(ctx context.Context, c *iam.Client) string {
	if o, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(o.AccountAliases) > 0 {
		return o.AccountAliases[0]
	}
	return ""
}
