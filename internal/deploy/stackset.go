package deploy

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	cfn "github.com/keywarden/keywarden/internal/awsapi/cloudformation"
	cfntypes "github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
	"github.com/keywarden/keywarden/internal/awsapi/organizations"
	"github.com/keywarden/keywarden/internal/policy"
)

// StepError is an AWS call of a deployment that failed: What names the step and the
// permission it needs, Err is the SDK's error (the command words and codes it).
type StepError struct {
	What string
	Err  error
}

func (e *StepError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// StackSetDeployment is what DeployStackSet started.
type StackSetDeployment struct {
	OUs         []string // the targets: the given OUs, or the organization's root
	OperationID string
}

// BootstrapMembers deploys the member role of cfg's accounts: section, trusting runner, as the
// StackSet name (DeployStackSet) to the section's OUs in region. A config the role cannot be
// written for is returned as it is; an AWS call that failed, as a *StepError.
func BootstrapMembers(ctx context.Context, awscfg aws.Config, cfg *policy.Config, runner, name, region string) (StackSetDeployment, error) {
	inner, err := MemberRole(cfg, runner)
	if err != nil {
		return StackSetDeployment{}, err
	}
	body, err := inner.YAML()
	if err != nil {
		return StackSetDeployment{}, err
	}
	return DeployStackSet(ctx, awscfg, name, body, cfg.Accounts.OUs, region)
}

// DeployStackSet creates the StackSet name with the member role's template body, service
// managed with automatic deployment, and deploys it to ous (the organization's root when
// none) in region; CloudFormation then adds every account that joins them.
func DeployStackSet(ctx context.Context, cfg aws.Config, name string, body []byte, ous []string, region string) (StackSetDeployment, error) {
	ous = slices.Clone(ous)
	if len(ous) == 0 {
		roots, err := organizations.NewFromConfig(cfg).ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil {
			return StackSetDeployment{}, &StepError{What: "find the organization's root (organizations:ListRoots)", Err: err}
		}
		for _, r := range roots.Roots {
			ous = append(ous, aws.ToString(r.Id))
		}
	}
	c := CloudFormation(cfg)
	_, err := c.CreateStackSet(ctx, &cfn.CreateStackSetInput{
		StackSetName: &name, TemplateBody: aws.String(string(body)),
		PermissionModel: cfntypes.PermissionModelsServiceManaged,
		AutoDeployment:  &cfntypes.AutoDeployment{Enabled: aws.Bool(true), RetainStacksOnAccountRemoval: aws.Bool(false)},
		Capabilities:    []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam},
		Description:     aws.String("keywarden member role"),
	})
	if err != nil {
		return StackSetDeployment{}, &StepError{What: "create StackSet " + name + " (cloudformation:CreateStackSet)", Err: err}
	}
	op, err := c.CreateStackInstances(ctx, &cfn.CreateStackInstancesInput{
		StackSetName:      &name,
		DeploymentTargets: &cfntypes.DeploymentTargets{OrganizationalUnitIds: ous},
		Regions:           []string{region},
	})
	if err != nil {
		return StackSetDeployment{}, &StepError{What: "deploy StackSet " + name + " to " + strings.Join(ous, ", ") + " (cloudformation:CreateStackInstances)", Err: err}
	}
	return StackSetDeployment{OUs: ous, OperationID: aws.ToString(op.OperationId)}, nil
}
