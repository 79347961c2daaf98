// Package securityhub turns audit findings into AWS Security Finding Format (ASFF) findings and
// keeps AWS Security Hub in step with them: a finding is imported once per key and finding id,
// updated (not duplicated) on the next run, and archived once the key is fixed.
package securityhub

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/securityhub/types"
	"github.com/keywarden/keywarden/internal/policy"
)

// SchemaVersion is the only ASFF version there is.
const SchemaVersion = "2018-10-08"

// generatorPrefix marks keywarden's findings: GetFindings is filtered on it, so the findings of
// other tools sharing the default product are never touched.
const generatorPrefix = "keywarden/"

// findingType is ASFF's namespace/category/classifier for a CIS benchmark check.
const findingType = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"

// Key is one access key as the audit saw it, with its findings (none when the key is fine).
type Key struct {
	User        string
	AccessKeyID string
	Status      string
	Created     time.Time
	Findings    []policy.Finding
}

// Target is where findings go: the account and region of the Security Hub that receives them.
type Target struct {
	Account string
	Region  string
}

// ProductArn is the account's default product, the one a customer's own findings use.
func (t Target) ProductArn() string {
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition(t.Region), t.Region, t.Account, t.Account)
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// FindingID is stable for a key and finding id, so the next run's import updates the finding.
// An access key id is unique in all of AWS, and the product ARN already names the account.
func FindingID(accessKeyID, findingID string) string {
	return generatorPrefix + accessKeyID + "/" + findingID
}

// Build returns one ASFF finding per key and finding, as of now. created keeps the CreatedAt
// of findings Security Hub already holds (by finding Id): ASFF's CreatedAt is when the issue
// was first seen, not when it was last sent.
func Build(t Target, ks []Key, now time.Time, created map[string]string) []types.AwsSecurityFinding {
	stamp := now.UTC().Format(time.RFC3339)
	var out []types.AwsSecurityFinding
	for _, k := range ks {
		for _, f := range k.Findings {
			c, _ := policy.CheckOf(f.ID)
			id := FindingID(k.AccessKeyID, f.ID)
			first := stamp
			if at, ok := created[id]; ok && at != "" {
				first = at
			}
			sev := &types.Severity{Label: types.SeverityLabel(c.Severity), Original: aws.String(c.Severity)}
			out = append(out, types.AwsSecurityFinding{
				SchemaVersion:   aws.String(SchemaVersion),
				Id:              aws.String(id),
				ProductArn:      aws.String(t.ProductArn()),
				GeneratorId:     aws.String(generatorPrefix + f.ID),
				AwsAccountId:    aws.String(t.Account),
				Types:           []string{findingType},
				CreatedAt:       aws.String(first),
				FirstObservedAt: aws.String(first),
				UpdatedAt:       aws.String(stamp),
				LastObservedAt:  aws.String(stamp),
				Severity:        sev,
				// Security Hub lets a finding provider change severity and types only here
				// once a customer has edited the finding.
				FindingProviderFields: &types.FindingProviderFields{
					Severity: &types.FindingProviderSeverity{Label: types.SeverityLabel(c.Severity), Original: aws.String(c.Severity)},
					Types:    []string{findingType},
				},
				Title:       aws.String(clip(c.Title, 256)),
				Description: aws.String(clip(fmt.Sprintf("Access key %s of IAM user %s: %s. %s", k.AccessKeyID, k.User, f.Title, c.Help), 1024)),
				Remediation: &types.Remediation{Recommendation: &types.Recommendation{
					Text: aws.String(clip(c.Help, 512)), Url: aws.String(c.HelpURI),
				}},
				Compliance: &types.Compliance{
					Status:              types.ComplianceStatusFailed,
					AssociatedStandards: []types.AssociatedStandard{{StandardsId: aws.String("standards/cis-aws-foundations-benchmark/v/3.0.0")}},
					RelatedRequirements: []string{"CIS AWS Foundations Benchmark v3.0.0/" + c.CIS},
				},
				ProductFields: map[string]string{
					"keywarden/UserName":    k.User,
					"keywarden/AccessKeyId": k.AccessKeyID,
					"keywarden/FindingId":   f.ID,
				},
				Resources: []types.Resource{{
					Type:      aws.String("AwsIamAccessKey"),
					Id:        aws.String("AWS::IAM::AccessKey:" + k.AccessKeyID),
					Partition: types.Partition(partition(t.Region)),
					Region:    aws.String(t.Region),
					Details: &types.ResourceDetails{AwsIamAccessKey: &types.AwsIamAccessKeyDetails{
						AccessKeyId:   aws.String(k.AccessKeyID),
						AccountId:     aws.String(t.Account),
						PrincipalName: aws.String(k.User),
						PrincipalType: aws.String("IAMUser"),
						Status:        types.AwsIamAccessKeyStatus(k.Status),
						CreatedAt:     aws.String(k.Created.UTC().Format(time.RFC3339)),
					}},
				}},
				RecordState: types.RecordStateActive,
				Workflow:    &types.Workflow{Status: types.WorkflowStatusNew},
			})
		}
	}
	return out
}

// archived is an earlier finding marked fixed: archived, resolved, and passing, with the fields
// ASFF requires carried over from what Security Hub holds.
func archived(f types.AwsSecurityFinding, now time.Time) types.AwsSecurityFinding {
	stamp := now.UTC().Format(time.RFC3339)
	return types.AwsSecurityFinding{
		SchemaVersion: f.SchemaVersion, Id: f.Id, ProductArn: f.ProductArn, GeneratorId: f.GeneratorId,
		AwsAccountId: f.AwsAccountId, Types: f.Types, CreatedAt: f.CreatedAt, Severity: f.Severity,
		Title: f.Title, Description: f.Description, Resources: f.Resources, ProductFields: ownFields(f.ProductFields),
		UpdatedAt:   aws.String(stamp),
		RecordState: types.RecordStateArchived,
		Workflow:    &types.Workflow{Status: types.WorkflowStatusResolved},
		Compliance:  &types.Compliance{Status: types.ComplianceStatusPassed},
	}
}

// ownFields keeps keywarden's product fields: Security Hub adds its own (aws/…) to what it
// returns, and those are not the provider's to send back.
func ownFields(fs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fs {
		if strings.HasPrefix(k, generatorPrefix) {
			out[k] = v
		}
	}
	return out
}

// clip keeps s within ASFF's length limit for a field.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-len("…")] + "…"
}
