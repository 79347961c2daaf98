package deploy

import (
	"strings"
	"testing"
	"time"

	cronsched "github.com/keywarden/keywarden/internal/schedule"
)

const curfewWarnYAML = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [dev]}
    do: [{deactivate: {warn: 1h}}]
`

func TestWarnCron(t *testing.T) {
	for _, c := range []struct {
		cron string
		warn time.Duration
		want string // the expressions, or the error's text
	}{
		{"0 0 * * *", time.Hour, "cron(0 23 * * ? *)"},
		{"0 0 * * *", 90 * time.Minute, "cron(30 22 * * ? *)"},
		{"30 1 * * *", 15 * time.Minute, "cron(15 1 * * ? *)"},
		{"0 0,12 * * *", time.Hour, "cron(0 11,23 * * ? *)"},
		{"0 9 * * MON-FRI", 30 * time.Minute, "cron(30 8 ? * 2-6 *)"},
		{"0 0 * * MON-FRI", time.Hour, "falls on the day before"},
		{"0 0 1 * *", time.Hour, "falls on the day before"},
		{"0,30 9 * * *", 45 * time.Minute, "cron(15,45 8 * * ? *)"},
		{"0,50 9 * * *", 45 * time.Minute, "no single cron expression"},
		{"0 0 * * *", 30 * time.Second, "whole number of minutes"},
		{"0 0 * * *", 24 * time.Hour, "under a day"},
	} {
		t.Run(c.cron+" "+c.warn.String(), func(t *testing.T) {
			s, err := cronsched.Parse(c.cron, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got, err := WarnCron(s, c.warn)
			text := strings.Join(got, " ")
			if err != nil {
				text = err.Error()
				if strings.Count(text, ";") > 1 || !strings.Contains(text, "warn:") {
					t.Errorf("not one sentence naming warn: %q", text)
				}
			}
			if !strings.Contains(text, c.want) {
				t.Fatalf("got %q, want %q", text, c.want)
			}
		})
	}
}

// The template's second schedule sends the curfew's warning event at (cron − warn) in the
// job's own zone.
func TestTemplateCurfewWarnSchedule(t *testing.T) {
	cfg, data := mustLoad(t, curfewWarnYAML)
	_, doc := render(t, Options{Config: cfg, ConfigYAML: data})
	res := doc["Resources"].(map[string]any)
	w, ok := res[ScheduleID("curfew-warn", 0)].(map[string]any)
	if !ok {
		t.Fatalf("no warning schedule among %v", keysOf(res))
	}
	p := w["Properties"].(map[string]any)
	tgt := p["Target"].(map[string]any)
	if p["ScheduleExpression"] != "cron(0 23 * * ? *)" || p["ScheduleExpressionTimezone"] != "Asia/Tokyo" || tgt["Input"] != `{"job":"curfew","warn":true}` {
		t.Fatalf("warning schedule %v", p)
	}
	if _, ok := res[ScheduleID("curfew", 0)]; !ok {
		t.Fatal("the curfew's own schedule is gone")
	}
	bad, badData := mustLoad(t, strings.Replace(curfewWarnYAML, `"0 0 * * *"`, `"0 0 * * MON"`, 1))
	if _, err := Build(Options{Config: bad, ConfigYAML: badData}); err == nil || !strings.Contains(err.Error(), "job curfew: warn: 1h before") {
		t.Fatalf("a warning on the day before a restricted day: %v", err)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
