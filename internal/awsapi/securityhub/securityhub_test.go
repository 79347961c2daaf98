package securityhub

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/securityhub/types"
)

// The request bodies as the SDK's serializer writes them: ASFF's member names, and no member
// for a field that is not set (Security Hub refuses a null where it expects an object).
func TestEncoding(t *testing.T) {
	for _, c := range []struct {
		name string
		in   any
		want string
	}{
		{"filters", &GetFindingsInput{
			Filters: &types.AwsSecurityFindingFilters{
				GeneratorId: []types.StringFilter{{Comparison: types.StringFilterComparisonPrefix, Value: aws.String("keywarden/")}},
				RecordState: []types.StringFilter{{Comparison: types.StringFilterComparisonEquals, Value: aws.String("ACTIVE")}},
			},
			MaxResults: aws.Int32(100),
		}, `{"Filters":{"GeneratorId":[{"Comparison":"PREFIX","Value":"keywarden/"}],"RecordState":[{"Comparison":"EQUALS","Value":"ACTIVE"}]},"MaxResults":100}`},
		{"next page", &GetFindingsInput{NextToken: aws.String("t2")}, `{"NextToken":"t2"}`},
		{"archived finding", &BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{{
			Id: aws.String("keywarden/AKIA/IAM.3"), RecordState: types.RecordStateArchived,
			Workflow:  &types.Workflow{Status: types.WorkflowStatusResolved},
			Resources: []types.Resource{{Type: aws.String("AwsIamAccessKey"), Partition: "aws", Details: &types.ResourceDetails{AwsIamAccessKey: &types.AwsIamAccessKeyDetails{Status: "Active"}}}},
		}}}, `{"Findings":[{"Id":"keywarden/AKIA/IAM.3","Resources":[{"Type":"AwsIamAccessKey","Partition":"aws","Details":{"AwsIamAccessKey":{"Status":"Active"}}}],"RecordState":"ARCHIVED","Workflow":{"Status":"RESOLVED"}}]}`},
	} {
		b, err := json.Marshal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, b, c.want)
		}
	}
}

// A GetFindings answer as Security Hub writes it (the API reference's example, trimmed), with
// members keywarden does not model, which are dropped.
const getFindingsAnswer = `{
  "Findings": [{
    "SchemaVersion": "2018-10-08",
    "Id": "keywarden/AKIAIOSFODNN7EXAMPLE/IAM.3",
    "ProductArn": "arn:aws:securityhub:us-west-1:111122223333:product/111122223333/default",
    "GeneratorId": "keywarden/IAM.3",
    "AwsAccountId": "111122223333",
    "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"],
    "CreatedAt": "2026-01-01T00:00:00Z",
    "UpdatedAt": "2026-01-02T00:00:00Z",
    "Severity": {"Label": "MEDIUM", "Normalized": 40, "Original": "MEDIUM", "Product": 40},
    "Title": "t", "Description": "d",
    "ProductFields": {"keywarden/UserName": "alice", "aws/securityhub/ProductName": "Default"},
    "Resources": [{"Type": "AwsIamAccessKey", "Id": "AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE", "Partition": "aws", "Region": "us-west-1",
      "Details": {"AwsIamAccessKey": {"PrincipalName": "alice", "Status": "Active", "CreatedAt": "2025-01-01T00:00:00Z"}}}],
    "RecordState": "ACTIVE",
    "Workflow": {"Status": "NEW"},
    "WorkflowState": "NEW",
    "Note": {"Text": "n", "UpdatedBy": "u", "UpdatedAt": "2026-01-02T00:00:00Z"}
  }],
  "NextToken": "t2"
}`

func TestDecodeGetFindings(t *testing.T) {
	var out GetFindingsOutput
	if err := json.Unmarshal([]byte(getFindingsAnswer), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 1 || aws.ToString(out.NextToken) != "t2" {
		t.Fatalf("%d findings, next %q", len(out.Findings), aws.ToString(out.NextToken))
	}
	f := out.Findings[0]
	got := []string{aws.ToString(f.Id), aws.ToString(f.ProductArn), aws.ToString(f.GeneratorId), aws.ToString(f.AwsAccountId),
		aws.ToString(f.CreatedAt), string(f.Severity.Label), string(f.RecordState), string(f.Workflow.Status), f.ProductFields["keywarden/UserName"],
		aws.ToString(f.Resources[0].Details.AwsIamAccessKey.PrincipalName), string(f.Resources[0].Partition)}
	want := []string{"keywarden/AKIAIOSFODNN7EXAMPLE/IAM.3", "arn:aws:securityhub:us-west-1:111122223333:product/111122223333/default", "keywarden/IAM.3", "111122223333",
		"2026-01-01T00:00:00Z", "MEDIUM", "ACTIVE", "NEW", "alice", "alice", "aws"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestDecodeBatchImportFindings(t *testing.T) {
	var out BatchImportFindingsOutput
	body := `{"FailedCount":1,"FailedFindings":[{"Id":"x","ErrorCode":"InvalidInput","ErrorMessage":"Finding does not adhere to ASFF"}],"SuccessCount":0}`
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedCount) != 1 || len(out.FailedFindings) != 1 || aws.ToString(out.FailedFindings[0].ErrorCode) != "InvalidInput" {
		t.Errorf("%+v", out)
	}
}
