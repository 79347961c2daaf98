package test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The org HTML page heads each account's section with its alias, read through the role
// assumed in that account; an account without one is named by its id alone.
func TestOrgAuditHTMLNamesEachAccountsAlias(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	mkOrgUsers(t, g)
	aliased, plain := g.members[0], g.members[1]
	c := iam.NewFromConfig(memberConfig(t, admin(t), aliased))
	if _, err := c.CreateAccountAlias(context.Background(), &iam.CreateAccountAliasInput{AccountAlias: aws.String("team-a-prod")}); err != nil {
		t.Fatal(err)
	}
	r := kw(t, admin(t), "audit", "--org", "-o", "html")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if want := "<h3>Account " + aliased + ` <span class="alias">(team-a-prod)</span></h3>`; !strings.Contains(r.stdout, want) {
		t.Errorf("page lacks %s", want)
	}
	if want := "<h3>Account " + plain + "</h3>"; !strings.Contains(r.stdout, want) {
		t.Errorf("page lacks %s", want)
	}
	if n := strings.Count(r.stdout, "team-a-prod"); n != 1 {
		t.Errorf("the alias is on the page %d times, want once (its own account's heading)", n)
	}
}
