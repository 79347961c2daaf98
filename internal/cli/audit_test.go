package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
)

// The audit's renderings are report's (pinned by its golden files); the command's part is
// handing report.WriteAudit what its flags and its terminal say.
func TestAuditRendersWhatItsFlagsAsk(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	inv := keys.Inventory{Source: "api", Users: []keys.User{{Name: "alice", Keys: []keys.Key{
		{User: "alice", AccessKeyID: "AKIAALICE00000000001", Status: keys.Active, Created: now.Add(-100 * 24 * time.Hour)}}}}}
	rows := report.AuditRows(inv, policy.DefaultThresholds(), now)
	for _, c := range []struct {
		name     string
		terminal bool
		set      func(*auditOptions)
		want     report.AuditOutput
	}{
		{"a terminal gets relative times", true, func(o *auditOptions) { o.Output = "table" },
			report.AuditOutput{Format: "table", Relative: true}},
		{"a pipe gets RFC 3339 times", false, func(o *auditOptions) { o.Output = "table" },
			report.AuditOutput{Format: "table"}},
		{"--org names each row's account", false, func(o *auditOptions) { o.Output = "csv"; o.Org = true },
			report.AuditOutput{Format: "csv", WithAccount: true}},
		{"--accounts names each row's account", false, func(o *auditOptions) { o.Output = "json"; o.IDs = []string{"111111111111"} },
			report.AuditOutput{Format: "json", WithAccount: true}},
		{"the page's histogram uses the audit's limits", false, func(o *auditOptions) { o.Output = "html"; o.MaxAge = "180d"; o.MaxUnused = "30d" },
			report.AuditOutput{Format: "html", Limits: []time.Duration{30 * 24 * time.Hour, 180 * 24 * time.Hour}}},
		{"SARIF names keywarden's version", false, func(o *auditOptions) { o.Output = "sarif" },
			report.AuditOutput{Format: "sarif", Version: currentVersion().Version}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, out, _ := testDeps()
			d.StdoutIsTerminal = c.terminal
			o := &auditOptions{Deps: d, globalOptions: &globalOptions{}, MaxAge: "90d", MaxUnused: "45d", GraceNew: "0d"}
			c.set(o)
			if err := o.render(rows, now); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := report.WriteAudit(&want, rows, now, c.want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want.Bytes()) {
				t.Errorf("audit wrote\n%s\nwant report.WriteAudit with %+v:\n%s", out, c.want, want.Bytes())
			}
		})
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
