package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/golden"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// sampleInventory has one key for each audit outcome; every audit rendering test reads it.
func sampleInventory(now time.Time) keys.Inventory {
	return keys.Inventory{Source: "api", Users: []keys.User{
		{Name: "alice", Keys: []keys.Key{{User: "alice", AccessKeyID: "AKIAALICE00000000001", Status: keys.Active,
			Created: now.Add(-days(120)), LastUsed: &keys.LastUsed{Date: now.Add(-days(2)), Service: "s3", Region: "ap-northeast-1"}}}},
		{Name: "bob", Keys: []keys.Key{
			{User: "bob", AccessKeyID: "AKIABOB0000000000001", Status: keys.Active, Created: now.Add(-days(10))},
			{User: "bob", AccessKeyID: "AKIABOB0000000000002", Status: keys.Active, Created: now.Add(-days(50))},
		}},
		{Name: "carol", Keys: []keys.Key{{User: "carol", AccessKeyID: "AKIACAROL00000000001", Status: keys.Inactive, Created: now.Add(-days(400))}}},
		{Name: "nokeys"},
	}}
}

func TestAuditRendering(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	rows := AuditRows(sampleInventory(now), policy.DefaultThresholds(), now)
	th := policy.DefaultThresholds()
	for _, c := range []struct {
		name string
		out  AuditOutput
	}{
		{"audit_table_terminal.golden", AuditOutput{Format: "table", Relative: true}},
		{"audit_table_piped.golden", AuditOutput{Format: "table"}},
		{"audit.csv.golden", AuditOutput{Format: "csv"}},
		{"audit.json.golden", AuditOutput{Format: "json"}},
		{"audit.html.golden", AuditOutput{Format: "html", Limits: []time.Duration{th.MaxUnused, th.MaxAge}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteAudit(&b, rows, now, c.out); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c.name, b.Bytes())
		})
	}
}

func TestAuditRowsFindings(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	rows := AuditRows(sampleInventory(now), policy.DefaultThresholds(), now)
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
		if got := FindingIDs(r.Findings); got != want[r.AccessKeyID] {
			t.Errorf("%s: findings %q, want %q", r.AccessKeyID, got, want[r.AccessKeyID])
		}
	}
}

// An Active slot whose last_rotated is N/A in a credential report has no creation date: its
// age is unknown, not 106751 days since the year 1.
func TestAuditUnknownCreation(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	inv := keys.Inventory{Source: "report", Users: []keys.User{{Name: "old", Keys: []keys.Key{{User: "old", Status: keys.Active}}}}}
	rows := AuditRows(inv, policy.DefaultThresholds(), now)
	if len(rows) != 1 || rows[0].Created != nil || rows[0].AgeDays != nil {
		t.Fatalf("rows = %+v, want no creation date and no age", rows)
	}
	var tb bytes.Buffer
	if err := WriteAudit(&tb, rows, now, AuditOutput{Format: "table", Relative: true}); err != nil {
		t.Fatal(err)
	}
	// USER, ACCESS KEY ID, STATUS, then CREATED and AGE (DAYS).
	if lines := strings.Split(strings.TrimSpace(tb.String()), "\n"); len(lines) != 2 || len(strings.Fields(lines[1])) < 5 ||
		strings.Join(strings.Fields(lines[1])[3:5], " ") != "unknown unknown" {
		t.Errorf("table = %q", tb.String())
	}
	var b bytes.Buffer
	if err := WriteAudit(&b, rows, now, AuditOutput{Format: "json"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"created": null`) || !strings.Contains(b.String(), `"age_days": null`) || strings.Contains(b.String(), "0001") {
		t.Errorf("json = %s", b.String())
	}
	if f := rows[0].Findings; len(f) == 0 || f[0].ID != "IAM.3" || !strings.Contains(f[0].Title, "unknown age") {
		t.Errorf("findings = %+v, want IAM.3 saying the age is unknown", f)
	}
	if UnknownAges(rows) != 1 {
		t.Error("the summary would not say so")
	}
}
