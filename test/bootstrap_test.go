package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const orgBootstrapConfig = `accounts:
  organization: true
  external_id: kw-ext-1
jobs:
  hygiene:
    select: {users: ["*"]}
    do:
      - deactivate: {unused_for: 45d}
      - delete: {inactive_for: 30d}
`

// bootstrap's StackSet template passes cfn-lint, and --deploy creates the member role in the
// member accounts with the trust and the permissions 'keywarden policy -c' computes.
func TestBootstrapStackSetLintsAndCreatesMemberRoles(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	cfg := writeConfig(t, "", orgBootstrapConfig)

	r := kw(t, admin(t), "org", "bootstrap", "-c", cfg, "--runner-account", "111122223333")
	if r.code != 0 || !strings.Contains(r.stdout, "AWS::CloudFormation::StackSet") || !strings.Contains(r.stdout, "SERVICE_MANAGED") {
		t.Fatalf("org bootstrap: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH")
	}
	f := filepath.Join(t.TempDir(), "stackset.yaml")
	os.WriteFile(f, []byte(r.stdout), 0o600)
	if out, err := exec.Command(lint, f).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}

	r = kw(t, admin(t), "org", "bootstrap", "-c", cfg, "--deploy")
	if r.code != 0 {
		t.Fatalf("org bootstrap --deploy: exit %d\n%s", r.code, r.stderr)
	}
	want := kw(t, admin(t), "policy", "-c", cfg).stdout
	for _, id := range g.members {
		c := iam.NewFromConfig(memberConfig(t, admin(t), id))
		role, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("KeywardenMember")})
		if err != nil {
			t.Errorf("account %s: no member role after bootstrap: %v", id, err)
			continue
		}
		trust := aws.ToString(role.Role.AssumeRolePolicyDocument)
		if !strings.Contains(trust, g.mgmt) || !strings.Contains(trust, "kw-ext-1") {
			t.Errorf("account %s: trust policy %s does not name the runner %s and the external id", id, trust, g.mgmt)
		}
		pol, err := c.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String("KeywardenMember"), PolicyName: aws.String("keywarden-jobs")})
		if err != nil {
			t.Errorf("account %s: %v", id, err)
			continue
		}
		doc := aws.ToString(pol.PolicyDocument)
		for _, action := range []string{"iam:ListUsers", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:TagUser"} {
			if !strings.Contains(doc, action) || !strings.Contains(want, action) {
				t.Errorf("account %s: role policy lacks %s that 'keywarden policy -c' has:\n%s", id, action, doc)
			}
		}
	}
}
