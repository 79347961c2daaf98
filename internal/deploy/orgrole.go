package deploy

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/policy"
)

// MemberRoleID is the member role's logical id in the StackSet's template.
const (
	MemberRoleID    = "KeywardenMemberRole"
	StackSetID      = "KeywardenMemberStackSet"
	TargetOUsParam  = "TargetOrganizationalUnitIds"
	DefaultStackSet = "keywarden-member"
)

// MemberRole is the template each member account gets: the member role, trusting only the
// runner's account (and the external id, when the config sets one), with exactly the
// permissions `keywarden policy -c` computes for the config's jobs, so the role is never
// broader than the jobs and never misses an action they use.
func MemberRole(cfg *policy.Config, runnerAccount string) (*Template, error) {
	a := cfg.Accounts
	if a == nil {
		return nil, fmt.Errorf("the config has no accounts: section; org bootstrap creates the role its accounts assume")
	}
	doc, err := permissions.ForJobs(cfg, nil, accountSentinel)
	if err != nil {
		return nil, err
	}
	tr := statement{Effect: "Allow", Action: []string{"sts:AssumeRole"},
		Principal: map[string]any{"AWS": sub("arn:${AWS::Partition}:iam::" + runnerAccount + ":root")}}
	if a.ExternalID != "" {
		tr.Condition = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": a.ExternalID}}
	}
	return &Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "keywarden member role: what keywarden's jobs need in this account, for the runner in " + runnerAccount,
		Resources: map[string]Resource{MemberRoleID: {Type: "AWS::IAM::Role", Properties: namedRole{
			RoleName: a.Role,
			role: role{
				Description:              "Assumed by keywarden from account " + runnerAccount + "; the actions of 'keywarden policy -c' for its jobs",
				AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{tr}},
				Policies:                 memberPolicies(cfg, doc),
			},
		}}},
		Outputs: map[string]Output{"RoleArn": {Value: getAtt(MemberRoleID, "Arn")}},
	}, nil
}

// MemberStackSet wraps MemberRole in a service-managed StackSet with auto-deployment, so every
// account in the target OUs gets the role, and so does every account that joins them later.
// The management account gets none: keywarden uses the caller's own credentials there.
func MemberStackSet(cfg *policy.Config, runnerAccount, region string) (*Template, error) {
	inner, err := MemberRole(cfg, runnerAccount)
	if err != nil {
		return nil, err
	}
	body, err := inner.YAML()
	if err != nil {
		return nil, err
	}
	ous := cfg.Accounts.OUs
	p := Parameter{Type: "CommaDelimitedList", Description: "the OUs whose accounts get the role: the organization's root (r-…) for every account"}
	if len(ous) > 0 {
		p.Default = strings.Join(ous, ",")
	}
	return &Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "keywarden: the member role in every account of the organization, by a service-managed StackSet",
		Parameters:               map[string]Parameter{TargetOUsParam: p},
		Resources: map[string]Resource{StackSetID: {Type: "AWS::CloudFormation::StackSet", Properties: stackSet{
			StackSetName:    DefaultStackSet,
			Description:     "keywarden member role (" + cfg.Accounts.Role + ")",
			PermissionModel: "SERVICE_MANAGED",
			AutoDeployment:  autoDeployment{Enabled: true, RetainStacksOnAccountRemoval: false},
			Capabilities:    []string{"CAPABILITY_NAMED_IAM"},
			TemplateBody:    string(body),
			StackInstancesGroup: []stackInstances{{
				DeploymentTargets: deploymentTargets{OrganizationalUnitIds: ref(TargetOUsParam)},
				Regions:           []string{region},
			}},
		}}},
	}, nil
}

type namedRole struct {
	RoleName string `yaml:"RoleName"`
	role     `yaml:",inline"`
}

type stackSet struct {
	StackSetName        string           `yaml:"StackSetName"`
	Description         string           `yaml:"Description"`
	PermissionModel     string           `yaml:"PermissionModel"`
	AutoDeployment      autoDeployment   `yaml:"AutoDeployment"`
	Capabilities        []string         `yaml:"Capabilities"`
	TemplateBody        string           `yaml:"TemplateBody"`
	StackInstancesGroup []stackInstances `yaml:"StackInstancesGroup"`
}

type autoDeployment struct {
	Enabled                      bool `yaml:"Enabled"`
	RetainStacksOnAccountRemoval bool `yaml:"RetainStacksOnAccountRemoval"`
}

type stackInstances struct {
	DeploymentTargets deploymentTargets `yaml:"DeploymentTargets"`
	Regions           []string          `yaml:"Regions"`
}

type deploymentTargets struct {
	OrganizationalUnitIds any `yaml:"OrganizationalUnitIds"`
}

// memberPolicies are the jobs' permissions and, with an incident: block, what a response
// needs in the member account whose key leaked.
func memberPolicies(cfg *policy.Config, jobs permissions.Document) []inlinePolicy {
	ps := []inlinePolicy{{PolicyName: "keywarden-jobs", PolicyDocument: fromPermissions(jobs)}}
	if cfg.Incident != nil {
		ps = append(ps, inlinePolicy{PolicyName: incidentPolicyName, PolicyDocument: fromPermissions(incidentDoc(cfg.Incident))})
	}
	return ps
}
