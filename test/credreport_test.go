package test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/test/emu"
)

// reportUsers is how many users the report-versus-api tests seed: an account of the size the
// report path is for (ten ListUsers pages through the proxy), where O(1) against O(users) is
// unmistakable. bench/audit.sh times the same comparison.
const reportUsers = 1000

// seedUsers creates n users u-0000… with one key each; every 10th lives under /team/ and has a
// second key, every 7th has its first key deactivated. It uses 8 workers: moto answers
// concurrent requests, and one at a time 1,000 users take several times as long.
func seedUsers(t *testing.T, c *iam.Client, n int) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	if err := emu.Parallel(n, 8, func(i int) error { return seedUser(ctx, c, i) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d users in %s", n, time.Since(start).Round(time.Millisecond))
}

func seedUser(ctx context.Context, c *iam.Client, i int) error {
	name := fmt.Sprintf("u-%04d", i)
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	nkeys := 1
	if i%10 == 0 {
		in.Path, nkeys = aws.String("/team/"), 2
	}
	if _, err := c.CreateUser(ctx, in); err != nil {
		return err
	}
	for k := range nkeys {
		o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			return err
		}
		if k == 0 && i%7 == 0 {
			if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(name),
				AccessKeyId: o.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
				return err
			}
		}
	}
	return nil
}

// comparable drops from audit JSON what the credential report cannot give (key ids; last-used
// service and region, which moto's report leaves not_supported), cuts times to the report's
// whole seconds (moto's API gives microseconds; IAM's gives seconds in both) and orders rows by
// content, as the api path orders a user's keys by creation time and the report by slot.
func comparable(t *testing.T, out string) []string {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("audit json: %v\n%.300s", err, out)
	}
	var keys []string
	for _, r := range rows {
		delete(r, "access_key_id")
		r["created"] = seconds(t, r["created"])
		if lu, ok := r["last_used"].(map[string]any); ok {
			delete(lu, "service")
			delete(lu, "region")
			lu["date"] = seconds(t, lu["date"])
		}
		b, _ := json.Marshal(r)
		keys = append(keys, string(b))
	}
	sort.Strings(keys)
	return keys
}

func seconds(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("audit json time %q: %v", s, err)
	}
	return tm.Truncate(time.Second).Format(time.RFC3339)
}

// firstDiff shows where two sorted row lists part.
func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d\napi:    %s\nreport: %s", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("%d rows against %d", len(a), len(b))
}

func totalCalls(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestAuditReportMatchesAPIWithConstantCalls(t *testing.T) {
	seedUsers(t, fresh(t), reportUsers)
	p := moto(t).Proxy(t)
	cfg := p.Config("AKIAADMINADMINADMIN0", "admin-secret")

	cases := []struct {
		name   string
		filter []string
	}{
		{"every user", nil},
		{"names, a glob and a path", []string{"--user", "u-0003", "--user", "u-01*", "--path", "/team/"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"audit", "-o", "json", "--at", "+100d"}, c.filter...)
			p.ResetCounts()
			api := kw(t, cfg, append(args, "--source", "api")...)
			apiCalls := p.Calls()
			p.ResetCounts()
			rep := kw(t, cfg, append(args, "--source", "report")...)
			repCalls := p.Calls()
			if api.code != 0 || rep.code != 0 {
				t.Fatalf("api exit %d: %s\nreport exit %d: %s", api.code, api.stderr, rep.code, rep.stderr)
			}
			a, r := comparable(t, api.stdout), comparable(t, rep.stdout)
			if len(a) == 0 || !reflect.DeepEqual(a, r) {
				t.Fatalf("api and report disagree: %s", firstDiff(a, r))
			}
			if !strings.Contains(rep.stderr, "(source credential-report, generated ") ||
				!strings.Contains(rep.stderr, "the credential report has no key ids") {
				t.Fatalf("report summary: %s", rep.stderr)
			}
			if n := totalCalls(repCalls); n > 5 || repCalls["GetCredentialReport"] != 1 {
				t.Fatalf("report path made %d calls, want at most 5: %v", n, repCalls)
			}
			t.Logf("%d rows; api %d calls %v; report %d calls %v", len(a), totalCalls(apiCalls), apiCalls, totalCalls(repCalls), repCalls)
			if c.filter == nil && totalCalls(apiCalls) < 2*reportUsers {
				t.Fatalf("api path made only %d calls for %d users: %v", totalCalls(apiCalls), reportUsers, apiCalls)
			}
		})
	}
}

func TestAuditReportPollsUntilComplete(t *testing.T) {
	seedUsers(t, fresh(t), 3)
	p := moto(t).Proxy(t)
	cfg := p.Config("AKIAADMINADMINADMIN0", "admin-secret")
	// moto answers the first GenerateCredentialReport of an account STARTED, the next COMPLETE.
	r := kw(t, cfg, "audit", "--source", "report", "-o", "json")
	if r.code != 0 || p.Count("GenerateCredentialReport") != 2 || p.Count("GetCredentialReport") != 1 {
		t.Fatalf("cold report: exit %d, calls %v\n%s", r.code, p.Calls(), r.stderr)
	}
	p.ResetCounts()
	r = kw(t, cfg, "audit", "--source", "report", "-o", "json")
	if r.code != 0 || p.Count("GenerateCredentialReport") != 1 || p.Count("GetCredentialReport") != 1 {
		t.Fatalf("warm report: exit %d, calls %v\n%s", r.code, p.Calls(), r.stderr)
	}
	if rows := comparable(t, r.stdout); len(rows) != 4 {
		t.Fatalf("%d rows, want 4:\n%s", len(rows), r.stdout)
	}
}

func TestAuditAutoSource(t *testing.T) {
	seedUsers(t, fresh(t), 120)
	p := moto(t).Proxy(t)
	cfg := p.Config("AKIAADMINADMINADMIN0", "admin-secret")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"more users than the threshold", []string{"--report-threshold", "100"}, "(source credential-report, generated "},
		{"fewer users than the threshold", []string{"--report-threshold", "120"}, "(source api, "},
		{"exact names", []string{"--report-threshold", "1", "--user", "u-0001"}, "(source api, "},
		{"a glob in a large account", []string{"--report-threshold", "100", "--user", "u-000*"}, "(source credential-report, generated "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := kw(t, cfg, append([]string{"audit", "-o", "csv"}, c.args...)...)
			if r.code != 0 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
			}
		})
	}
}

func TestAuditReportUnknownUser(t *testing.T) {
	seedUsers(t, fresh(t), 2)
	r := kw(t, admin(t), "audit", "--source", "report", "--user", "u-0001", "--user", "nobody")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, `keywarden: user "nobody" not found`) {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}
