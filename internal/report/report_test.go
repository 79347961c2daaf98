package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{time.Hour, "1 hour ago"},
		{47 * time.Hour, "47 hours ago"},
		{48 * time.Hour, "2 days ago"},
		{91 * 24 * time.Hour, "91 days ago"},
		{-3 * 24 * time.Hour, "in 3 days"},
	}
	for _, c := range cases {
		if got := Ago(c.d); got != c.want {
			t.Errorf("Ago(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestTimeRelativeOnlyOnTerminal(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	at := now.Add(-72 * time.Hour)
	if got := Time(at, now, false); got != "2026-11-20T00:00:00Z" {
		t.Errorf("piped: %q", got)
	}
	if got := Time(at, now, true); got != "3 days ago" {
		t.Errorf("terminal: %q", got)
	}
	if got := Time(time.Time{}, now, true); got != "never" {
		t.Errorf("zero time: %q", got)
	}
}

func TestCSVQuotesFields(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, []string{"user", "findings"}, [][]string{{"alice", "IAM.3: old, CIS.1.13"}}); err != nil {
		t.Fatal(err)
	}
	want := "user,findings\nalice,\"IAM.3: old, CIS.1.13\"\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestTableAligns(t *testing.T) {
	var b bytes.Buffer
	_ = Table(&b, []string{"USER", "KEY"}, [][]string{{"a", "AKIA1"}, {"longname", "AKIA2"}})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || strings.Index(lines[1], "AKIA1") != strings.Index(lines[2], "AKIA2") {
		t.Errorf("columns not aligned:\n%s", b.String())
	}
}

func TestCheckFormat(t *testing.T) {
	if err := CheckFormat("json"); err != nil {
		t.Error(err)
	}
	err := CheckFormat("yaml")
	if err == nil || !strings.Contains(err.Error(), "table, json, csv") {
		t.Errorf("CheckFormat(yaml) = %v", err)
	}
}
