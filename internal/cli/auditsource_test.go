package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

func TestAuditSourceFlags(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		source    string
		threshold int
	}{
		{"defaults", nil, "auto", 200},
		{"report", []string{"--source", "report"}, "report", 200},
		{"api with threshold", []string{"--source=api", "--report-threshold", "50"}, "api", 50},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _, _ := testDeps()
			var got *auditOptions
			cmd := newCmdAudit(d, &globalOptions{}, func(_ context.Context, o *auditOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.Source != c.source || got.ReportThreshold != c.threshold {
				t.Fatalf("source %q threshold %d", got.Source, got.ReportThreshold)
			}
		})
	}
}

func TestAuditBadSourceIsUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown source", []string{"audit", "--source", "csv"}, `keywarden: --source "csv": use auto, api or report`},
		{"threshold zero", []string{"audit", "--report-threshold", "0"}, "keywarden: --report-threshold 0: use a number of users from 1 to 1000"},
		{"threshold over IAM's page", []string{"audit", "--report-threshold", "1001"}, "--report-threshold 1001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runRoot(t, c.args...)
			if code != exitcode.Usage || out != "" || !strings.Contains(errs, c.want) {
				t.Fatalf("code %d stdout %q stderr %q", code, out, errs)
			}
		})
	}
}

// listUsersOnly answers ListUsers with a page of n users, truncated when more exist than asked
// for; any other call panics through the nil embedded interface.
type listUsersOnly struct {
	inventory.IAM
	total int
	asked *iam.ListUsersInput
}

func (l *listUsersOnly) ListUsers(_ context.Context, in *iam.ListUsersInput, _ ...func(*iam.Options)) (*iam.ListUsersOutput, error) {
	l.asked = in
	max := int(aws.ToInt32(in.MaxItems))
	return &iam.ListUsersOutput{IsTruncated: l.total > max}, nil
}

func TestAutoSource(t *testing.T) {
	cases := []struct {
		name      string
		users     []string
		path      string
		total     int
		want      string
		wantProbe bool
	}{
		{"exact names use the api without a probe", []string{"alice", "bob"}, "", 5000, "api", false},
		{"small account uses the api", nil, "", 200, "api", true},
		{"large account uses the report", nil, "", 201, "report", true},
		{"a glob probes the account", []string{"ci-*"}, "/team/", 5000, "report", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &auditOptions{Users: c.users, Path: c.path, ReportThreshold: 200}
			fake := &listUsersOnly{total: c.total}
			got, err := o.autoSource(context.Background(), fake)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want || (fake.asked != nil) != c.wantProbe {
				t.Fatalf("source %q, probed %v", got, fake.asked != nil)
			}
			if fake.asked != nil && (aws.ToInt32(fake.asked.MaxItems) != 200 || aws.ToString(fake.asked.PathPrefix) != c.path) {
				t.Fatalf("probe asked %+v", fake.asked)
			}
		})
	}
}

// BenchmarkAuditRows measures the pure part of an audit: evaluating 1,000 users with one or
// two keys each against the CIS thresholds.
func BenchmarkAuditRows(b *testing.B) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	inv := keys.Inventory{Source: "api"}
	for i := range 1000 {
		u := keys.User{Name: fmt.Sprintf("user-%04d", i)}
		for j := range 1 + i%2 {
			k := keys.Key{User: u.Name, AccessKeyID: fmt.Sprintf("AKIA%016d", i*2+j), Status: keys.Active,
				Created: now.Add(-time.Duration(i%200) * 24 * time.Hour)}
			if i%3 == 0 {
				k.LastUsed = &keys.LastUsed{Date: now.Add(-time.Duration(i%60) * 24 * time.Hour), Service: "s3", Region: "us-east-1"}
			}
			u.Keys = append(u.Keys, k)
		}
		inv.Users = append(inv.Users, u)
	}
	th := policy.DefaultThresholds()
	b.ReportAllocs()
	for b.Loop() {
		rows := report.AuditRows(inv, th, now)
		if len(rows) != 1500 {
			b.Fatalf("%d rows", len(rows))
		}
	}
}
