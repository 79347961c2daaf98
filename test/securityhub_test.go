package test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// hubFindings is what Security Hub holds, by finding Id, read with the SDK as a witness.
func hubFindings(t *testing.T, cfg aws.Config) map[string]types.AwsSecurityFinding {
	t.Helper()
	out := map[string]types.AwsSecurityFinding{}
	p := securityhub.NewGetFindingsPaginator(securityhub.NewFromConfig(cfg), &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			if _, dup := out[aws.ToString(f.Id)]; dup {
				t.Errorf("finding %s is held twice", aws.ToString(f.Id))
			}
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}

func states(fs map[string]types.AwsSecurityFinding) string {
	var ss []string
	for id, f := range fs {
		w := ""
		if f.Workflow != nil {
			w = string(f.Workflow.Status)
		}
		ss = append(ss, id[strings.LastIndex(id[:strings.LastIndex(id, "/")], "/")+1:]+" "+string(f.RecordState)+" "+w)
	}
	sort.Strings(ss)
	return strings.Join(ss, "\n")
}

func TestAuditToSecurityHub(t *testing.T) {
	c := fresh(t)
	ctx := context.Background()
	if _, err := securityhub.NewFromConfig(admin(t)).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	// Another tool's finding on the same default product: keywarden must never archive it.
	acct := "123456789012"
	if id, err := sts.NewFromConfig(admin(t)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		acct = aws.ToString(id.Account)
	}
	product := "arn:aws:securityhub:" + admin(t).Region + ":" + acct + ":product/" + acct + "/default"
	stamp := aws.String(time.Unix(0, 0).UTC().Format(time.RFC3339))
	_, err := securityhub.NewFromConfig(admin(t)).BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{{
		SchemaVersion: aws.String("2018-10-08"), Id: aws.String("other-tool/1"), ProductArn: aws.String(product),
		GeneratorId: aws.String("other-tool"), AwsAccountId: aws.String(acct), Types: []string{"Software and Configuration Checks"},
		CreatedAt: stamp, UpdatedAt: stamp, Severity: &types.Severity{Label: types.SeverityLabelLow},
		Title: aws.String("not keywarden's"), Description: aws.String("not keywarden's"),
		Resources: []types.Resource{{Type: aws.String("Other"), Id: aws.String("x")}}, RecordState: types.RecordStateActive,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	solo := mkUser(t, c, "solo", 1)[0]
	pair := mkUser(t, c, "pair", 2)
	sort.Strings(pair)
	// 60 days after moto stamped the keys: every never-used key is IAM.22, pair's are CIS.1.13 too.
	now := createdAt(t, c, "solo", solo).Add(60 * 24 * time.Hour)

	for run := 1; run <= 2; run++ {
		r := kwAt(t, now, admin(t), "audit", "--to", "securityhub", "-o", "json")
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, r.code, r.stderr)
		}
		if want := "5 findings"; !strings.Contains(r.stderr, want) {
			t.Errorf("run %d: summary %q, want %q", run, r.stderr, want)
		}
	}
	fs := hubFindings(t, admin(t))
	delete(fs, "other-tool/1")
	if len(fs) != 5 {
		t.Fatalf("after two runs Security Hub holds %d findings, want 5 (one per key and finding):\n%s", len(fs), states(fs))
	}
	for id, f := range fs {
		if f.RecordState != types.RecordStateActive || aws.ToString(f.Resources[0].Type) != "AwsIamAccessKey" {
			t.Errorf("%s: %s %s", id, f.RecordState, aws.ToString(f.Resources[0].Type))
		}
		if arn := aws.ToString(f.ProductArn); !strings.HasSuffix(arn, ":product/"+aws.ToString(f.AwsAccountId)+"/default") {
			t.Errorf("%s: product %s is not the account's default product", id, arn)
		}
	}

	// pair retires its second key: that key's findings and pair's CIS.1.13 are fixed. A run over
	// pair alone must leave solo's finding as it was: the run did not look at solo.
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("pair"), AccessKeyId: aws.String(pair[1])}); err != nil {
		t.Fatal(err)
	}
	r := kwAt(t, now.Add(time.Hour), admin(t), "audit", "--to", "securityhub", "--user", "pair")
	if r.code != 0 || !strings.Contains(r.stderr, "3 archived") {
		t.Fatalf("exit %d, want 3 archived:\n%s", r.code, r.stderr)
	}
	fs = hubFindings(t, admin(t))
	if f := fs["other-tool/1"]; f.RecordState != types.RecordStateActive {
		t.Errorf("another tool's finding is %s, want it left ACTIVE", f.RecordState)
	}
	delete(fs, "other-tool/1")
	want := strings.Join([]string{
		pair[0] + "/CIS.1.13 ARCHIVED RESOLVED",
		pair[0] + "/IAM.22 ACTIVE NEW",
		pair[1] + "/CIS.1.13 ARCHIVED RESOLVED",
		pair[1] + "/IAM.22 ARCHIVED RESOLVED",
		solo + "/IAM.22 ACTIVE NEW",
	}, "\n")
	want = sortLines(want)
	if got := states(fs); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if f := fs["keywarden/"+pair[0]+"/IAM.22"]; aws.ToString(f.CreatedAt) == aws.ToString(f.UpdatedAt) {
		t.Errorf("an updated finding kept no first-seen time: created %s, updated %s", aws.ToString(f.CreatedAt), aws.ToString(f.UpdatedAt))
	}
}

func sortLines(s string) string {
	ls := strings.Split(s, "\n")
	sort.Strings(ls)
	return strings.Join(ls, "\n")
}

func TestAuditToSecurityHubRefusesWhatIfAndReport(t *testing.T) {
	fresh(t)
	for _, args := range [][]string{
		{"audit", "--to", "securityhub", "--at", "+30d"},
		{"audit", "--to", "securityhub", "--source", "report"},
		{"audit", "--to", "slack"},
	} {
		r := kw(t, admin(t), args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "keywarden: --to ") {
			t.Errorf("%v: exit %d, %q; want 2 and a sentence about --to", args, r.code, r.stderr)
		}
	}
}
