package securityhub

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/securityhub/types"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

var now = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func sampleKeys() []Key {
	th := policy.DefaultThresholds()
	k := func(user, id string, age time.Duration, active int) Key {
		key := Key{User: user, AccessKeyID: id, Status: "Active", Created: now.Add(-age)}
		key.Findings = policy.Findings(keys.Key{User: user, AccessKeyID: id, Status: keys.Active, Created: key.Created}, active, th, now)
		return key
	}
	return []Key{
		k("alice", "AKIAALICE00000000001", 120*24*time.Hour, 1), // IAM.3, IAM.22
		k("bob", "AKIABOB0000000000001", 10*24*time.Hour, 2),    // CIS.1.13
		k("<script>x</script>", "AKIAODD0000000000001", time.Hour, 1),
	}
}

// required lists ASFF's required top-level attributes (AWS Security Hub user guide, "Required
// top-level attributes in ASFF") with a check of each one's form.
var required = map[string]func(any) bool{
	"SchemaVersion": func(v any) bool { return v == SchemaVersion },
	"Id":            func(v any) bool { s, ok := v.(string); return ok && s != "" && len(s) <= 512 },
	"ProductArn": func(v any) bool {
		s, _ := v.(string)
		return regexp.MustCompile(`^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default$`).MatchString(s)
	},
	"GeneratorId":  func(v any) bool { s, ok := v.(string); return ok && s != "" && len(s) <= 512 },
	"AwsAccountId": func(v any) bool { s, _ := v.(string); return regexp.MustCompile(`^\d{12}$`).MatchString(s) },
	"Types": func(v any) bool {
		ts, _ := v.([]any)
		for _, t := range ts {
			if parts := strings.Split(t.(string), "/"); len(parts) < 1 || len(parts) > 3 || parts[0] != "Software and Configuration Checks" {
				return false
			}
		}
		return len(ts) > 0 && len(ts) <= 50
	},
	"CreatedAt": isTime,
	"UpdatedAt": isTime,
	"Severity": func(v any) bool {
		m, _ := v.(map[string]any)
		switch m["Label"] {
		case "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL":
			return true
		}
		return false
	},
	"Title":       func(v any) bool { s, ok := v.(string); return ok && s != "" && len(s) <= 256 },
	"Description": func(v any) bool { s, ok := v.(string); return ok && s != "" && len(s) <= 1024 },
	"Resources": func(v any) bool {
		rs, _ := v.([]any)
		if len(rs) < 1 || len(rs) > 32 {
			return false
		}
		r := rs[0].(map[string]any)
		d, _ := r["Details"].(map[string]any)
		return r["Type"] == "AwsIamAccessKey" && r["Id"] != "" && d["AwsIamAccessKey"] != nil
	},
}

func isTime(v any) bool {
	s, _ := v.(string)
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func TestBuildIsASFF(t *testing.T) {
	target := Target{Account: "123456789012", Region: "eu-west-1"}
	fs := Build(target, sampleKeys(), now, nil)
	if len(fs) != 3 {
		t.Fatalf("%d findings, want 3 (alice IAM.3 and IAM.22, bob CIS.1.13)", len(fs))
	}
	// The types' json tags are ASFF's member names: this JSON is the document Security Hub receives.
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	if err := json.Unmarshal(b, &docs); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, d := range docs {
		for name, ok := range required {
			if !ok(d[name]) {
				t.Errorf("%v: required %s is missing or malformed: %v", d["Id"], name, d[name])
			}
		}
		ids[d["Id"].(string)] = true
	}
	if len(ids) != len(docs) {
		t.Errorf("finding ids are not unique: %v", ids)
	}
	if got := aws.ToString(fs[0].ProductArn); got != "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default" {
		t.Errorf("product arn %s", got)
	}
}

func TestBuildIsStable(t *testing.T) {
	target := Target{Account: "123456789012", Region: "eu-west-1"}
	a := Build(target, sampleKeys(), now, nil)
	first := map[string]string{}
	for _, f := range a {
		first[aws.ToString(f.Id)] = aws.ToString(f.CreatedAt)
	}
	b := Build(target, sampleKeys(), now.Add(time.Hour), first)
	for i := range a {
		if aws.ToString(a[i].Id) != aws.ToString(b[i].Id) {
			t.Errorf("finding %d: id %s then %s; the next run would duplicate it", i, aws.ToString(a[i].Id), aws.ToString(b[i].Id))
		}
		if aws.ToString(b[i].CreatedAt) != now.Format(time.RFC3339) || aws.ToString(b[i].UpdatedAt) != now.Add(time.Hour).Format(time.RFC3339) {
			t.Errorf("finding %d: created %s updated %s; want the first sighting kept", i, aws.ToString(b[i].CreatedAt), aws.ToString(b[i].UpdatedAt))
		}
	}
}

func TestArchivedKeepsRequiredFields(t *testing.T) {
	target := Target{Account: "123456789012", Region: "cn-north-1"}
	f := Build(target, sampleKeys()[:1], now, nil)[0]
	f.ProductFields["aws/securityhub/ProductName"] = "Default" // added by Security Hub on read
	a := archived(f, now.Add(time.Hour))
	if a.RecordState != types.RecordStateArchived || a.Workflow.Status != types.WorkflowStatusResolved {
		t.Errorf("archived finding: %s %s", a.RecordState, a.Workflow.Status)
	}
	if _, ok := a.ProductFields["aws/securityhub/ProductName"]; ok {
		t.Error("archived finding sends Security Hub's own product fields back")
	}
	if !strings.HasPrefix(aws.ToString(a.ProductArn), "arn:aws-cn:") || a.Resources[0].Partition != "aws-cn" {
		t.Errorf("china region: %s %s", aws.ToString(a.ProductArn), a.Resources[0].Partition)
	}
	for _, v := range []*string{a.SchemaVersion, a.Id, a.GeneratorId, a.AwsAccountId, a.CreatedAt, a.UpdatedAt, a.Title, a.Description} {
		if aws.ToString(v) == "" {
			t.Fatalf("archived finding lacks a required field: %+v", a)
		}
	}
}
