package accounts

import (
	"context"
	"fmt"

	"github.com/keywarden/keywarden/internal/awsapi/organizations"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/policy"
)

// SessionName names keywarden's sessions in each member account's CloudTrail.
const SessionName = "keywarden"

// Account is one account a run covers and how to get credentials in it.
type Account struct {
	ID   string // "" for a run that covers only the caller's account, whichever it is
	Name string
	// Role is the ARN assumed in the account; "" means the caller's own credentials.
	Role string
	base aws.Config
	sts  stscreds.AssumeRoleAPIClient
	ext  string
}

// Caller is the run that covers only the caller's account, as keywarden did before accounts.
func Caller(cfg aws.Config) Account { return Account{base: cfg} }

// Multi reports whether a run's output names accounts: only a run over accounts: does, so a
// single-account run says what it always said.
func Multi(as []Account) bool { return len(as) > 1 || len(as) == 1 && as[0].ID != "" }

// Open returns the config that acts in the account. For an assumed role it calls AssumeRole
// now, inside the account's own turn of the fan-out, so a role that cannot be assumed is this
// account's failure, said in one sentence, and never the run's.
func (a Account) Open(ctx context.Context) (aws.Config, error) {
	if a.Role == "" {
		return a.base, nil
	}
	cfg := a.base.Copy()
	p := stscreds.NewAssumeRoleProvider(a.sts, a.Role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
		if a.ext != "" {
			o.ExternalID = aws.String(a.ext)
		}
	})
	cfg.Credentials = aws.NewCredentialsCache(p)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, &AssumeError{Account: a.ID, Role: a.Role, Err: err}
	}
	return cfg, nil
}

// AssumeError is a member role that could not be assumed.
type AssumeError struct {
	Account, Role string
	Err           error
}

func (e *AssumeError) Error() string {
	what := "assume " + e.Role + " (sts:AssumeRole)"
	if awserr.Classify(e.Err) == awserr.AccessDenied {
		// The generic wording points at the caller's policy; for AssumeRole the usual cause is
		// the member side: no role yet, or a trust policy that does not name this account.
		return what + ": access denied; check the role exists in " + e.Account + " and trusts this account and external id (keywarden org bootstrap creates it)"
	}
	return awserr.Message(what, e.Err)
}

func (e *AssumeError) Unwrap() error { return e.Err }

// Resolve is the accounts spec covers, each ready to Open. callerAccount is the account
// base's credentials belong to: it is used with them rather than assuming a role in itself.
func Resolve(ctx context.Context, base aws.Config, org Organizations, spec policy.Accounts, callerAccount string) ([]Account, error) {
	listed, err := List(ctx, org, spec)
	if err != nil {
		return nil, err
	}
	role := spec.Role
	if role == "" {
		role = policy.DefaultMemberRole
	}
	stsc := clients.STS(base)
	var out []Account
	for _, m := range Select(spec, listed) {
		a := Account{ID: m.ID, Name: m.Name, base: base}
		if m.ID != callerAccount {
			a.Role, a.sts, a.ext = RoleARN("", m.ID, role), stsc, spec.ExternalID
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the accounts selection matches no account (after exclude)")
	}
	return out, nil
}

// For is the accounts a run covers: the caller's own account alone when spec is nil (as
// keywarden works without an accounts: section), else spec resolved through Organizations.
func For(ctx context.Context, base aws.Config, spec *policy.Accounts) ([]Account, error) {
	if spec == nil {
		return []Account{Caller(base)}, nil
	}
	id, err := clients.STS(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identify the caller's account (sts:GetCallerIdentity): %w", err)
	}
	return Resolve(ctx, base, organizations.NewFromConfig(base), *spec, aws.ToString(id.Account))
}
