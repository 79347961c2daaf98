package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

var pageNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

const evil = `<script>document.body.setAttribute("data-pwned","1")</script>`

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// samplePage has keys in every histogram bucket, findings of each severity, and a user whose
// name is markup.
func samplePage(accounts ...string) AuditPage {
	acct := func(i int) string {
		if len(accounts) == 0 {
			return ""
		}
		return accounts[i%len(accounts)]
	}
	th := policy.DefaultThresholds()
	mk := func(i int, user, id, status string, age int, active int) AuditKey {
		k := AuditKey{Account: acct(i), User: user, AccessKeyID: id, Status: status, Created: pageNow.Add(-days(age)), AgeDays: &age, LastUsed: "never"}
		if status == "Active" {
			k.Findings = policy.Findings(keys.Key{AccessKeyID: id, Status: keys.Active, Created: k.Created}, active, th, pageNow)
		}
		return k
	}
	return AuditPage{Title: "keywarden audit", At: pageNow, Limits: []time.Duration{th.MaxUnused, th.MaxAge}, Keys: []AuditKey{
		mk(0, "alice", "AKIAALICE00000000001", "Active", 120, 1),
		mk(1, "bob", "AKIABOB0000000000001", "Active", 10, 2),
		mk(0, "bob", "AKIABOB0000000000002", "Active", 50, 2),
		mk(1, "carol", "AKIACAROL00000000001", "Inactive", 400, 0),
		mk(0, evil, "AKIAEVIL000000000001", "Active", 200, 1),
	}}
}

func render(t *testing.T, p AuditPage) string {
	t.Helper()
	var b bytes.Buffer
	if err := AuditHTML(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAuditHTMLSummary(t *testing.T) {
	page := render(t, samplePage())
	for _, want := range []string{
		`id="n-keys">5<small>keys (4 active)`,
		`id="n-users">4<small>users with keys`,
		`<td data-id="IAM.3">2</td>`, // alice and the evil user are over 90 days
		`<td data-id="CIS.1.13">2</td>`,
		`id="oldest">AKIAEVIL000000000001 of &lt;script&gt;`, // carol's older key is inactive
		`href="https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3"`,
		`class="sev sev-medium"`,
		`class="sev sev-low"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "n-accounts") || strings.Contains(page, "<h3>Account") {
		t.Error("a page without accounts shows an account count or heading")
	}
	if strings.Contains(page, "<script>document") || !strings.Contains(page, "&lt;script&gt;document") {
		t.Error("a user name with markup is not escaped")
	}
}

func TestAuditHTMLHistogramBucketsByLimits(t *testing.T) {
	h := makeHistogram(samplePage().Keys, []time.Duration{days(45), days(90)}, pageNow)
	var got []string
	for _, b := range h.Bars {
		got = append(got, fmt.Sprintf("%s=%d", b.Label, b.Count))
	}
	// Active keys: 10 days; 50 days; 120 days; 200 days. Inactive carol is not counted.
	if s := strings.Join(got, " "); s != "0–45 days=1 45–90 days=1 90–180 days=1 180+ days=1" {
		t.Errorf("buckets: %s", s)
	}
	edge := []AuditKey{{Status: "Active", Created: pageNow.Add(-days(45))}, {Status: "Active", Created: pageNow.Add(-days(45) + time.Second)}}
	h = makeHistogram(edge, []time.Duration{days(45), days(90)}, pageNow)
	if h.Bars[0].Count != 1 || h.Bars[1].Count != 1 {
		t.Errorf("a key exactly 45 days old belongs past the limit, as in the findings: %+v", h.Bars)
	}
}

func TestAuditHTMLGroupsByAccount(t *testing.T) {
	page := render(t, samplePage("111111111111", "222222222222"))
	if !strings.Contains(page, `id="n-accounts">2<small>accounts`) {
		t.Error("no account count")
	}
	a, b := strings.Index(page, "<h3>Account 111111111111</h3>"), strings.Index(page, "<h3>Account 222222222222</h3>")
	if a < 0 || b < a {
		t.Errorf("accounts not grouped in order (at %d and %d)", a, b)
	}
	if n := strings.Count(page, `<table class="keys">`); n != 2 {
		t.Errorf("%d key tables, want one per account", n)
	}
}

// The page answers a reader's "which account, when, and what do we do?": the account and its
// alias, when it was taken in words, a verdict for every check (passed ones too), the command
// that fixes each finding, severity in the badge's text, dates people read, and an axis.
func TestAuditHTMLAnswersWhichAccountAndWhatToDo(t *testing.T) {
	p := samplePage()
	p.Account, p.Alias = "123456789012", "prod"
	page := render(t, p)
	for _, want := range []string{
		`account <b id="account">123456789012</b> (prod)`,
		`taken <time id="taken" datetime="2026-11-23T15:00:00Z">23 Nov 2026 15:00 UTC</time>`,
		`data-verdict="IAM.3">fail</td>`,
		`<code>keywarden rotate --user USER --to DEST</code>`,
		`<code class="fix">keywarden rotate --user alice --to DEST</code>`,
		`<code class="fix">keywarden deactivate --key AKIABOB0000000000002</code>`,
		`MEDIUM · IAM.3</a>`,
		`<time datetime="2026-07-26T15:00:00Z">26 Jul 2026</time>`,
		`td.date, .sev, code.fix, #findings code { white-space: nowrap; }`,
		`age of active keys, in days</text>`,
		`class="tick"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// With no findings every check passes, and the page says so per check.
	clean := render(t, AuditPage{Title: "t", At: pageNow})
	for _, id := range []string{"IAM.3", "IAM.22", "CIS.1.13"} {
		if !strings.Contains(clean, `data-verdict="`+id+`">pass</td>`) {
			t.Errorf("no pass verdict for %s", id)
		}
	}
	// In an org report the fix names the key's account.
	org := render(t, samplePage("111111111111", "222222222222"))
	if !strings.Contains(org, "keywarden rotate --user alice --accounts 111111111111 --to DEST") {
		t.Error("an org page's fix does not name the account")
	}
}
