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
	if o, err := s.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(o.AccountAliases) > 0 {
		alias = o.AccountAliases[0]
	}
	return id, alias
}
