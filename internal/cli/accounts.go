package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

// accountFlags are how a command names the accounts it covers, over keywarden.yaml's
// accounts: section: --org or --accounts replace the file's selection, --role and
// --external-id its role.
type accountFlags struct {
	Org        bool
	IDs        []string
	Role       string
	ExternalID string
}

func (f *accountFlags) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.Org, "org", false, "every ACTIVE account of the AWS Organization (the management account with your own credentials)")
	fl.StringSliceVar(&f.IDs, "accounts", nil, "only these accounts: 12-digit ids, comma separated")
	fl.StringVar(&f.Role, "role", "", "the role assumed in each member account (default "+policy.DefaultMemberRole+")")
	fl.StringVar(&f.ExternalID, "external-id", "", "the external id the member role's trust policy asks for")
}

// spec merges the flags over the file's section (nil when neither names accounts): the run
// then covers the caller's account only, as before accounts existed.
func (f *accountFlags) spec(file *policy.Accounts) (*policy.Accounts, error) {
	if f.Org && len(f.IDs) > 0 {
		return nil, usagef("--org and --accounts both name the accounts; pass one of them")
	}
	if !f.Org && len(f.IDs) == 0 && file == nil {
		if f.Role != "" || f.ExternalID != "" {
			return nil, usagef("--role and --external-id need accounts to assume them in; add --org or --accounts ID,…")
		}
		return nil, nil
	}
	s := policy.Accounts{Role: policy.DefaultMemberRole, Concurrency: policy.DefaultAccountConcurrency}
	if file != nil {
		s = *file
	}
	if f.Org {
		s.Organization, s.OUs, s.IDs = true, nil, nil
	}
	if len(f.IDs) > 0 {
		s.Organization, s.OUs, s.IDs = false, nil, f.IDs
	}
	if f.Role != "" {
		s.Role = f.Role
	}
	if f.ExternalID != "" {
		s.ExternalID = f.ExternalID
	}
	if err := policy.CheckAccounts(s); err != nil {
		return nil, usagef("--accounts, --role or --external-id: %v", err)
	}
	return &s, nil
}

// accounts are the accounts the command covers, resolved with the session's credentials.
func (s *session) accounts(ctx context.Context, spec *policy.Accounts) ([]accounts.Account, error) {
	as, err := accounts.For(ctx, s.cfg, spec)
	if err != nil {
		return nil, awsErr("find the accounts to cover", err)
	}
	return as, nil
}

// accountFailures prints one line per failed account and returns the run's error: exit 1,
// since the run was not whole, after every other account was done (invariant 10).
func accountFailures(w io.Writer, fs []jobs.Failure, total int) error {
	if len(fs) == 0 {
		return nil
	}
	ids := make([]string, len(fs))
	for i, f := range fs {
		fmt.Fprintf(w, "keywarden: account %s failed: %s\n", f.Account, f.Reason)
		ids[i] = f.Account
	}
	return &codedError{code: exitcode.Error, msg: fmt.Sprintf("%d of %d accounts failed (%s); the others were done; fix those and run again",
		len(fs), total, strings.Join(ids, ", "))}
}
