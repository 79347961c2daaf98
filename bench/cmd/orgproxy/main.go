// Command orgproxy runs moto as an AWS Organization behind the test harness's proxy for
// bench/org_audit.sh: it starts moto_server, creates an organization with -accounts member
// accounts, gives each account (the management one too) -users users with one access key
// each, puts the proxy (IAM's ListUsers paging, a fixed latency per request, call counts) in
// front, and writes
//
//	PROXY_URL=http://127.0.0.1:PORT
//	CONTROL_URL=http://127.0.0.1:PORT
//
// to the -ready file, as bench/cmd/motoproxy does. Seeding talks to moto directly, so the
// latency is paid only by what is measured. Member accounts are entered through the role
// keywarden assumes (KeywardenMember): moto gives a role ARN in another account that
// account's backend, which is how a real organization looks from the management account.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/bench/internal/benchproxy"
	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/test/emu"
)

func main() {
	latency := flag.Duration("latency", 20*time.Millisecond, "delay added to every request, a round trip to a real region")
	members := flag.Int("accounts", 100, "member accounts to create")
	users := flag.Int("users", 3, "users per account, one access key each")
	ready := flag.String("ready", "", "file to write PROXY_URL and CONTROL_URL to once ready")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("orgproxy: ")

	tb, s := emu.LaunchProgram()
	defer tb.Close()

	start := time.Now()
	base := s.Config("AKIAADMINADMINADMIN0", "admin-secret")
	ids, err := seedOrg(base, *members)
	if err != nil {
		tb.Close()
		log.Fatalf("seed organization: %v", err)
	}
	log.Printf("created %d member accounts in %s", len(ids), time.Since(start).Round(time.Millisecond))
	all := append([]string{""}, ids...) // "" is the management account, with the admin's own key
	err = emu.Parallel(len(all), 8, func(i int) error { return seedUsers(memberConfig(base, all[i]), *users) })
	if err != nil {
		tb.Close()
		log.Fatalf("seed users: %v", err)
	}
	log.Printf("seeded %d accounts × %d users in %s", len(all), *users, time.Since(start).Round(time.Millisecond))

	p := s.Proxy(tb)
	p.SetLatency(*latency)
	log.Printf("latency %s", *latency)
	if err := benchproxy.Serve(p, *ready, nil); err != nil {
		tb.Close()
		log.Fatal(err)
	}
	b, _ := json.Marshal(p.Calls())
	log.Printf("calls %s", b)
}

// seedOrg creates the organization and n member accounts, 8 at a time.
func seedOrg(cfg aws.Config, n int) ([]string, error) {
	ctx := context.Background()
	c := organizations.NewFromConfig(cfg)
	if _, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return nil, err
	}
	ids := make([]string, n)
	err := emu.Parallel(n, 8, func(i int) error {
		name := fmt.Sprintf("member-%04d", i)
		a, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
		if err == nil {
			ids[i] = aws.ToString(a.CreateAccountStatus.AccountId)
		}
		return err
	})
	return ids, err
}

// memberConfig acts in account id through the member role ("" is the caller's own account).
func memberConfig(base aws.Config, id string) aws.Config {
	if id == "" {
		return base
	}
	cfg := base.Copy()
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), accounts.RoleARN("", id, "KeywardenMember"))
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}

// seedUsers creates u-00 … with one key each in the account cfg acts in.
func seedUsers(cfg aws.Config, n int) error {
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	for i := range n {
		name := aws.String(fmt.Sprintf("u-%02d", i))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name}); err != nil {
			return err
		}
	}
	return nil
}
