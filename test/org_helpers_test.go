package test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/accounts"
)

// org is an AWS Organization in the test's moto: the management account (moto's own, the
// admin's) and its members.
type org struct {
	mgmt    string
	members []string
}

// mkOrg creates an organization with n member accounts, signed with cfg.
func mkOrg(t *testing.T, cfg aws.Config, n int) org {
	t.Helper()
	ctx := context.Background()
	c := organizations.NewFromConfig(cfg)
	o, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	g := org{mgmt: aws.ToString(o.Organization.MasterAccountId)}
	for i := range n {
		name := "member-" + string(rune('a'+i))
		a, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatalf("create account: %v", err)
		}
		g.members = append(g.members, aws.ToString(a.CreateAccountStatus.AccountId))
	}
	return g
}

// memberConfig acts in account id as the test's admin, through the member role, as
// keywarden does; it is how tests set up and witness a member account with the SDK.
func memberConfig(t *testing.T, base aws.Config, id string) aws.Config {
	t.Helper()
	cfg := base.Copy()
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), accounts.RoleARN("", id, "KeywardenMember"))
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}

// memberEnv is the AWS CLI's environment in account id: the CLI itself assumes the role
// (sts assume-role), so the witness does not share keywarden's code for it.
func memberEnv(t *testing.T, id string) []string {
	t.Helper()
	out := awsCLI(t, "sts", "assume-role", "--role-arn", accounts.RoleARN("", id, "KeywardenMember"), "--role-session-name", "witness")
	var v struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	mustJSON(t, string(out), &v)
	var env []string
	for _, e := range witnessEnv(t) {
		if !strings.HasPrefix(e, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(e, "AWS_SECRET_ACCESS_KEY=") {
			env = append(env, e)
		}
	}
	return append(env, "AWS_ACCESS_KEY_ID="+v.Credentials.AccessKeyId,
		"AWS_SECRET_ACCESS_KEY="+v.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN="+v.Credentials.SessionToken)
}

// mkOrgUsers gives every account of g (the management one too) a user "dev" with one key
// created now, and "stale" with one key; it returns each account's keys by user.
func mkOrgUsers(t *testing.T, g org) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, id := range append([]string{g.mgmt}, g.members...) {
		cfg := admin(t)
		if id != g.mgmt {
			cfg = memberConfig(t, admin(t), id)
		}
		c := iam.NewFromConfig(cfg)
		out[id] = map[string]string{"dev": mkUser(t, c, "dev", 1)[0], "stale": mkUser(t, c, "stale", 1)[0]}
	}
	return out
}
