package test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/test/emu"
)

type auditJSON struct {
	User        string `json:"user"`
	AccessKeyID string `json:"access_key_id"`
	Status      string `json:"status"`
	AgeDays     int    `json:"age_days"`
	Created     string `json:"created"`
	LastUsed    *struct {
		Date    string `json:"date"`
		Service string `json:"service"`
		Region  string `json:"region"`
	} `json:"last_used"`
	Findings []struct{ ID, Title string } `json:"findings"`
}

func auditRows(t *testing.T, r result) []auditJSON {
	t.Helper()
	var rows []auditJSON
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("audit json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rows
}

func findingIDs(a auditJSON) string {
	var ids []string
	for _, f := range a.Findings {
		ids = append(ids, f.ID)
	}
	return strings.Join(ids, " ")
}

// mkUsers creates n users with one key each, a few at a time.
func mkUsers(t *testing.T, c *iam.Client, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	err := emu.Parallel(n, 8, func(i int) error {
		name := aws.String(fmt.Sprintf("%s%03d", prefix, i))
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
			return err
		}
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditReadsEveryPageOfUsers(t *testing.T) {
	c := fresh(t)
	mkUsers(t, c, "user", 150)
	p := moto(t).Proxy(t) // pages ListUsers 100 at a time, as IAM does
	r := kw(t, p.Config(witness(t)[0], witness(t)[1]), "audit", "--source", "api", "-o", "json")
	rows := auditRows(t, r)
	if r.code != 0 || len(rows) != 150 {
		t.Fatalf("exit %d, %d rows, want 150\n%s", r.code, len(rows), r.stderr)
	}
	if rows[0].User != "user000" || rows[149].User != "user149" {
		t.Errorf("rows not sorted by user: first %s, last %s", rows[0].User, rows[149].User)
	}
	if n := p.Count("ListUsers"); n != 2 {
		t.Errorf("ListUsers called %d times, want 2 pages", n)
	}
	if !strings.Contains(r.stderr, "keywarden: 150 users, 150 keys, 0 findings") {
		t.Errorf("summary: %q", r.stderr)
	}
}

func TestAuditFindingsAndFailOnFindings(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "two-keys", 2)
	freshKey := mkUser(t, c, "fresh", 1)[0]
	// Ages are measured from moto's clock (its stamp on the newest key), whatever the date is.
	now := createdAt(t, c, "fresh", freshKey).Add(time.Minute)

	// Today every key is new: the only finding is the user with two active keys.
	r := kwAt(t, now, admin(t), "audit", "-o", "json")
	for _, row := range auditRows(t, r) {
		want := ""
		if row.User == "two-keys" {
			want = "CIS.1.13"
		}
		if got := findingIDs(row); got != want {
			t.Errorf("today: %s %s findings %q, want %q", row.User, row.AccessKeyID, got, want)
		}
		if row.LastUsed != nil {
			t.Errorf("a never-used key has last_used %+v, want null", row.LastUsed)
		}
	}
	if r.code != 0 {
		t.Fatalf("exit %d without --fail-on-findings", r.code)
	}

	// Four months on, never-used keys are both too old and unused since creation.
	r = kwAt(t, now, admin(t), "audit", "-o", "json", "--at", "+120d", "--fail-on-findings")
	if r.code != 3 {
		t.Fatalf("--fail-on-findings: exit %d, want 3", r.code)
	}
	for _, row := range auditRows(t, r) {
		want := "IAM.3 IAM.22"
		if row.User == "two-keys" {
			want += " CIS.1.13"
		}
		if got := findingIDs(row); got != want {
			t.Errorf("+120d: %s findings %q, want %q", row.User, got, want)
		}
		if row.AgeDays < 119 || row.AgeDays > 120 {
			t.Errorf("+120d: %s age %d days, want 119-120 (moto stamped %s, now %s)", row.User, row.AgeDays, row.Created, now)
		}
	}

	// Raising the limits clears the age findings.
	r = kwAt(t, now, admin(t), "audit", "-o", "json", "--at", "+120d", "--max-age", "365d", "--max-unused", "200d", "--user", "fresh")
	if rows := auditRows(t, r); len(rows) != 1 || findingIDs(rows[0]) != "" {
		t.Errorf("thresholds not honoured: %+v", rows)
	}
}

func TestAuditReportsLastUse(t *testing.T) {
	c := fresh(t)
	c = enableAuth(t)
	id, secret := userWithPolicy(t, c, "worker", allowAllIAM)
	// moto records the last use of a key that signs a request while auth is on.
	if _, err := sts.NewFromConfig(moto(t).Config(id, secret)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	r := kw(t, admin(t), "audit", "-o", "json", "--user", "worker")
	rows := auditRows(t, r)
	if len(rows) != 1 || rows[0].LastUsed == nil || rows[0].LastUsed.Service != "sts" || rows[0].LastUsed.Region == "" {
		t.Fatalf("last use not reported: %+v\n%s", rows, r.stderr)
	}
}

func TestAuditCSVAndTable(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "alice", 1)[0]
	r := kw(t, admin(t), "audit", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || lines[0] != "user,access_key_id,status,created,age_days,last_used,last_used_service,last_used_region,findings" ||
		!strings.HasPrefix(lines[1], "alice,"+id+",Active,") {
		t.Fatalf("csv:\n%s", r.stdout)
	}
	r = kw(t, admin(t), "audit")
	if !strings.HasPrefix(r.stdout, "USER ") || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "never") {
		t.Fatalf("table:\n%s", r.stdout)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "alice", 1)[0]
	p := moto(t).Proxy(t)
	p.FailNext("UpdateAccessKey", 1, emu.Throttle)
	r := kw(t, p.Config(witness(t)[0], witness(t)[1]), "deactivate", "--key", id)
	if r.code != 0 || statusByCLI(t, "alice", id) != "Inactive" || p.Count("UpdateAccessKey") != 2 {
		t.Fatalf("exit %d, %d UpdateAccessKey calls\n%s%s", r.code, p.Count("UpdateAccessKey"), r.stdout, r.stderr)
	}
}

func TestNetworkFailureMidJobReportsWhatWasDone(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "a-ok", 1)
	broken := mkUser(t, c, "b-broken", 1)[0]
	p := moto(t).Proxy(t)
	// Every attempt to change b-broken's key has its connection reset before it reaches IAM.
	p.FailWhen(func(call emu.Call) bool {
		return call.Action == "UpdateAccessKey" && call.Params.Get("UserName") == "b-broken"
	}, emu.ResetBefore)
	r := kw(t, p.Config(witness(t)[0], witness(t)[1]), "deactivate", "--user", "*", "--all")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "a-ok deactivated") || !strings.Contains(r.stdout, broken+" b-broken failed: ") {
		t.Fatalf("the output should say what was done and what failed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "keywarden: 1 of 2 keys failed") || !strings.Contains(r.stderr, "could not reach AWS") {
		t.Fatalf("stderr: %q", r.stderr)
	}
	// The failed change left no provenance claiming it happened.
	if statusByCLI(t, "b-broken", broken) != "Active" || len(tagsByCLI(t, "b-broken")) != 0 {
		t.Fatalf("b-broken: status %s, tags %v", statusByCLI(t, "b-broken", broken), tagsByCLI(t, "b-broken"))
	}
}
