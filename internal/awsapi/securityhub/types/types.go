// Package types is the part of Security Hub's ASFF that keywarden writes and reads, under the
// SDK's names (service/securityhub/types). The json tags are ASFF's member names; what is not
// here (other resource kinds, severity's numbers, notes) is dropped on read.
package types

// AwsSecurityFinding is one ASFF finding.
type AwsSecurityFinding struct {
	SchemaVersion         *string                `json:"SchemaVersion,omitempty"`
	Id                    *string                `json:"Id,omitempty"` //nolint:revive // the SDK's name
	ProductArn            *string                `json:"ProductArn,omitempty"`
	GeneratorId           *string                `json:"GeneratorId,omitempty"`  //nolint:revive // the SDK's name
	AwsAccountId          *string                `json:"AwsAccountId,omitempty"` //nolint:revive // the SDK's name
	Types                 []string               `json:"Types,omitempty"`
	CreatedAt             *string                `json:"CreatedAt,omitempty"`
	FirstObservedAt       *string                `json:"FirstObservedAt,omitempty"`
	UpdatedAt             *string                `json:"UpdatedAt,omitempty"`
	LastObservedAt        *string                `json:"LastObservedAt,omitempty"`
	Severity              *Severity              `json:"Severity,omitempty"`
	FindingProviderFields *FindingProviderFields `json:"FindingProviderFields,omitempty"`
	Title                 *string                `json:"Title,omitempty"`
	Description           *string                `json:"Description,omitempty"`
	Remediation           *Remediation           `json:"Remediation,omitempty"`
	Compliance            *Compliance            `json:"Compliance,omitempty"`
	ProductFields         map[string]string      `json:"ProductFields,omitempty"`
	Resources             []Resource             `json:"Resources,omitempty"`
	RecordState           RecordState            `json:"RecordState,omitempty"`
	Workflow              *Workflow              `json:"Workflow,omitempty"`
}

// Severity is a finding's severity.
type Severity struct {
	Label    SeverityLabel `json:"Label,omitempty"`
	Original *string       `json:"Original,omitempty"`
}

// FindingProviderFields are the fields only the finding's provider may change once a customer
// has edited the finding.
type FindingProviderFields struct {
	Severity *FindingProviderSeverity `json:"Severity,omitempty"`
	Types    []string                 `json:"Types,omitempty"`
}

// FindingProviderSeverity is the provider's severity.
type FindingProviderSeverity struct {
	Label    SeverityLabel `json:"Label,omitempty"`
	Original *string       `json:"Original,omitempty"`
}

// Remediation is how to fix the finding.
type Remediation struct {
	Recommendation *Recommendation `json:"Recommendation,omitempty"`
}

// Recommendation is a remediation's text and link.
type Recommendation struct {
	Text *string `json:"Text,omitempty"`
	Url  *string `json:"Url,omitempty"` //nolint:revive // the SDK's name
}

// Compliance is the control's result.
type Compliance struct {
	Status              ComplianceStatus     `json:"Status,omitempty"`
	AssociatedStandards []AssociatedStandard `json:"AssociatedStandards,omitempty"`
	RelatedRequirements []string             `json:"RelatedRequirements,omitempty"`
}

// AssociatedStandard names a standard the control belongs to.
type AssociatedStandard struct {
	StandardsId *string `json:"StandardsId,omitempty"` //nolint:revive // the SDK's name
}

// Resource is what the finding is about.
type Resource struct {
	Type      *string          `json:"Type,omitempty"`
	Id        *string          `json:"Id,omitempty"` //nolint:revive // the SDK's name
	Partition Partition        `json:"Partition,omitempty"`
	Region    *string          `json:"Region,omitempty"`
	Details   *ResourceDetails `json:"Details,omitempty"`
}

// ResourceDetails holds the one kind of resource keywarden reports.
type ResourceDetails struct {
	AwsIamAccessKey *AwsIamAccessKeyDetails `json:"AwsIamAccessKey,omitempty"`
}

// AwsIamAccessKeyDetails is an IAM access key.
type AwsIamAccessKeyDetails struct {
	AccessKeyId   *string               `json:"AccessKeyId,omitempty"` //nolint:revive // the SDK's name
	AccountId     *string               `json:"AccountId,omitempty"`   //nolint:revive // the SDK's name
	PrincipalName *string               `json:"PrincipalName,omitempty"`
	PrincipalType *string               `json:"PrincipalType,omitempty"`
	Status        AwsIamAccessKeyStatus `json:"Status,omitempty"`
	CreatedAt     *string               `json:"CreatedAt,omitempty"`
}

// Workflow is where a finding is in the customer's investigation.
type Workflow struct {
	Status WorkflowStatus `json:"Status,omitempty"`
}

// AwsSecurityFindingFilters selects findings; each list's filters are ORed, the lists ANDed.
type AwsSecurityFindingFilters struct {
	ProductArn   []StringFilter `json:"ProductArn,omitempty"`
	AwsAccountId []StringFilter `json:"AwsAccountId,omitempty"` //nolint:revive // the SDK's name
	GeneratorId  []StringFilter `json:"GeneratorId,omitempty"`  //nolint:revive // the SDK's name
	RecordState  []StringFilter `json:"RecordState,omitempty"`
}

// StringFilter compares a string field with Value.
type StringFilter struct {
	Comparison StringFilterComparison `json:"Comparison,omitempty"`
	Value      *string                `json:"Value,omitempty"`
}

// ImportFindingsError is one finding BatchImportFindings refused.
type ImportFindingsError struct {
	Id           *string `json:"Id,omitempty"` //nolint:revive // the SDK's name
	ErrorCode    *string `json:"ErrorCode,omitempty"`
	ErrorMessage *string `json:"ErrorMessage,omitempty"`
}

// The enums, with the values keywarden sends or compares.
type (
	SeverityLabel          string
	ComplianceStatus       string
	Partition              string
	AwsIamAccessKeyStatus  string
	RecordState            string
	WorkflowStatus         string
	StringFilterComparison string
)

const (
	ComplianceStatusPassed ComplianceStatus = "PASSED"
	ComplianceStatusFailed ComplianceStatus = "FAILED"

	RecordStateActive   RecordState = "ACTIVE"
	RecordStateArchived RecordState = "ARCHIVED"

	WorkflowStatusNew      WorkflowStatus = "NEW"
	WorkflowStatusResolved WorkflowStatus = "RESOLVED"

	StringFilterComparisonEquals StringFilterComparison = "EQUALS"
	StringFilterComparisonPrefix StringFilterComparison = "PREFIX"
)
