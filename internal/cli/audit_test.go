package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./internal/cli -run %s -update to accept):\n--- got\n%s--- want\n%s", path, t.Name(), got, want)
	}
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// sampleInventory has one key for each audit outcome.
func sampleInventory(now time.Time) keys.Inventory {
	return keys.Inventory{Source: "api", Users: []keys.User{
		{Name: "alice", Keys: []keys.Key{{User: "alice", AccessKeyID: "AKIAALICE00000000001", Status: keys.Active,
			Created: now.Add(-day(120)), LastUsed: &keys.LastUsed{Date: now.Add(-day(2)), Service: "s3", Region: "ap-northeast-1"}}}},
		{Name: "bob", Keys: []keys.Key{
			{User: "bob", AccessKeyID: "AKIABOB0000000000001", Status: keys.Active, Created: now.Add(-day(10))},
			{User: "bob", AccessKeyID: "AKIABOB0000000000002", Status: keys.Active, Created: now.Add(-day(50))},
		}},
		{Name: "carol", Keys: []keys.Key{{User: "carol", AccessKeyID: "AKIACAROL00000000001", Status: keys.Inactive, Created: now.Add(-day(400))}}},
		{Name: "nokeys"},
	}}
}

func TestAuditRendering(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	rows := report.AuditRows(sampleInventory(now), policy.DefaultThresholds(), now)
	for _, c := range []struct {
		name     string
		output   string
		terminal bool
	}{
		{"audit_table_terminal.golden", "table", true},
		{"audit_table_piped.golden", "table", false},
		{"audit.csv.golden", "csv", false},
		{"audit.json.golden", "json", false},
		{"audit.html.golden", "html", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, out, _ := testDeps()
			d.StdoutIsTerminal = c.terminal
			o := &auditOptions{Deps: d, globalOptions: &globalOptions{Output: c.output}}
			if err := o.render(rows, now); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, out.Bytes())
		})
	}
}

func TestAuditRowsFindings(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	rows := report.AuditRows(sampleInventory(now), policy.DefaultThresholds(), now)
	want := map[string]string{
		"AKIAALICE00000000001": "IAM.3",           // 120 days old, used 2 days ago
		"AKIABOB0000000000001": "CIS.1.13",        // new, but bob has two active keys
		"AKIABOB0000000000002": "IAM.22 CIS.1.13", // never used in 50 days
		"AKIACAROL00000000001": "",                // inactive keys have no findings
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d (a user without keys has no row)", len(rows), len(want))
	}
	for _, r := range rows {
		if got := report.FindingIDs(r.Findings); got != want[r.AccessKeyID] {
			t.Errorf("%s: findings %q, want %q", r.AccessKeyID, got, want[r.AccessKeyID])
		}
	}
}

func TestAuditCountsArePlural(t *testing.T) {
	for _, c := range []struct {
		u, k, f int
		want    string
	}{
		{1, 1, 1, "1 user, 1 key, 1 finding"},
		{0, 2, 3, "0 users, 2 keys, 3 findings"},
	} {
		if got := auditCounts(c.u, c.k, c.f); got != c.want {
			t.Errorf("auditCounts(%d, %d, %d) = %q, want %q", c.u, c.k, c.f, got, c.want)
		}
	}
}

// An Active slot whose last_rotated is N/A in a credential report has no creation date: its
// age is unknown, not 106751 days since the year 1.
func TestAuditUnknownCreation(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	inv := keys.Inventory{Source: "report", Users: []keys.User{{Name: "old", Keys: []keys.Key{{User: "old", Status: keys.Active}}}}}
	rows := report.AuditRows(inv, policy.DefaultThresholds(), now)
	if len(rows) != 1 || rows[0].Created != nil || rows[0].AgeDays != nil {
		t.Fatalf("rows = %+v, want no creation date and no age", rows)
	}
	var tb bytes.Buffer
	if err := report.WriteAudit(&tb, rows, now, report.AuditOutput{Format: "table", Relative: true}); err != nil {
		t.Fatal(err)
	}
	// USER, ACCESS KEY ID, STATUS, then CREATED and AGE (DAYS).
	if lines := strings.Split(strings.TrimSpace(tb.String()), "\n"); len(lines) != 2 || len(strings.Fields(lines[1])) < 5 ||
		strings.Join(strings.Fields(lines[1])[3:5], " ") != "unknown unknown" {
		t.Errorf("table = %q", tb.String())
	}
	var b bytes.Buffer
	o := &auditOptions{Deps: &Deps{Stdout: &b}, globalOptions: &globalOptions{Output: "json"}}
	if err := o.render(rows, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"created": null`) || !strings.Contains(b.String(), `"age_days": null`) || strings.Contains(b.String(), "0001") {
		t.Errorf("json = %s", b.String())
	}
	if f := rows[0].Findings; len(f) == 0 || f[0].ID != "IAM.3" || !strings.Contains(f[0].Title, "unknown age") {
		t.Errorf("findings = %+v, want IAM.3 saying the age is unknown", f)
	}
	if report.UnknownAges(rows) != 1 {
		t.Error("the summary would not say so")
	}
}
