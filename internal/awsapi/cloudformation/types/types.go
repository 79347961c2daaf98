// Package types holds the CloudFormation shapes and enum values keywarden reads or sends,
// under the SDK's names (service/cloudformation/types), so that callers change only an import.
package types

// Capability acknowledges what a template creates.
type Capability string

// Capability values.
const (
	CapabilityCapabilityIam      Capability = "CAPABILITY_IAM"
	CapabilityCapabilityNamedIam Capability = "CAPABILITY_NAMED_IAM"
)

// StackStatus is a stack's status.
type StackStatus string

// StackStatus values keywarden tells apart; the others it reads by their suffix.
const (
	StackStatusCreateComplete   StackStatus = "CREATE_COMPLETE"
	StackStatusRollbackComplete StackStatus = "ROLLBACK_COMPLETE"
	StackStatusDeleteComplete   StackStatus = "DELETE_COMPLETE"
	StackStatusReviewInProgress StackStatus = "REVIEW_IN_PROGRESS"
)

// ResourceStatus is a stack event's status.
type ResourceStatus string

// ChangeSetType says whether a change set creates its stack or updates it.
type ChangeSetType string

// ChangeSetType values.
const (
	ChangeSetTypeCreate ChangeSetType = "CREATE"
	ChangeSetTypeUpdate ChangeSetType = "UPDATE"
)

// ChangeSetStatus is where the making of a change set is.
type ChangeSetStatus string

// ChangeSetStatus values keywarden waits for.
const (
	ChangeSetStatusCreateComplete ChangeSetStatus = "CREATE_COMPLETE"
	ChangeSetStatusFailed         ChangeSetStatus = "FAILED"
)

// ChangeAction is what a change set does to a resource (Add, Modify, Remove, …).
type ChangeAction string

// Replacement says whether a change replaces its resource (True, False, Conditional).
type Replacement string

// PermissionModels is how a StackSet gets its permissions.
type PermissionModels string

// PermissionModels values.
const (
	PermissionModelsServiceManaged PermissionModels = "SERVICE_MANAGED"
)

// Parameter is one template parameter's value.
type Parameter struct {
	ParameterKey   *string
	ParameterValue *string
}

// Tag is a key and value put on a stack and its resources.
type Tag struct {
	Key   *string
	Value *string
}

// Stack is one stack as DescribeStacks answers it.
type Stack struct {
	StackName         *string     `xml:"StackName"`
	StackId           *string     `xml:"StackId"` //nolint:revive // the SDK's name
	StackStatus       StackStatus `xml:"StackStatus"`
	StackStatusReason *string     `xml:"StackStatusReason"`
	Outputs           []Output    `xml:"Outputs>member"`
}

// Output is one of a stack's outputs.
type Output struct {
	OutputKey   *string `xml:"OutputKey"`
	OutputValue *string `xml:"OutputValue"`
}

// StackEvent is one event of a stack.
type StackEvent struct {
	EventId              *string        `xml:"EventId"`           //nolint:revive // the SDK's name
	LogicalResourceId    *string        `xml:"LogicalResourceId"` //nolint:revive // the SDK's name
	ResourceType         *string        `xml:"ResourceType"`
	ResourceStatus       ResourceStatus `xml:"ResourceStatus"`
	ResourceStatusReason *string        `xml:"ResourceStatusReason"`
}

// Change is one line of a change set.
type Change struct {
	ResourceChange *ResourceChange `xml:"ResourceChange"`
}

// ResourceChange is what a change set does to one resource.
type ResourceChange struct {
	Action            ChangeAction `xml:"Action"`
	LogicalResourceId *string      `xml:"LogicalResourceId"` //nolint:revive // the SDK's name
	ResourceType      *string      `xml:"ResourceType"`
	Replacement       Replacement  `xml:"Replacement"`
}

// AutoDeployment deploys a service-managed StackSet to the accounts that join its targets.
type AutoDeployment struct {
	Enabled                      *bool
	RetainStacksOnAccountRemoval *bool
}

// DeploymentTargets are the organizational units a StackSet is deployed to.
type DeploymentTargets struct {
	OrganizationalUnitIds []string
}
