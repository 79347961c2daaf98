package policy

import (
	"strings"
	"testing"
	"time"
)

// The config reads schedules through internal/schedule, so what it accepts serve runs and
// deploy translates, and what serve refuses the config refuses first.
func TestScheduleIsReadByTheSchedulePackage(t *testing.T) {
	cfg, err := Load("k.yaml", []byte(`
jobs:
  sunday:
    schedule: "0 0 * * 7"
    timezone: Asia/Tokyo
    do: [deactivate: {}]
`))
	if err != nil {
		t.Fatalf("day-of-week 7 (Sunday in crontab(5)) refused: %v", err)
	}
	j := cfg.Jobs[0]
	if j.Cron == nil || j.Cron.Location().String() != "Asia/Tokyo" {
		t.Fatalf("Cron = %v, want the schedule parsed in the job's zone", j.Cron)
	}
	// 2026-11-29 is a Sunday.
	if got := j.Cron.Next(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)).Format(time.RFC3339); got != "2026-11-29T00:00:00+09:00" {
		t.Errorf("next = %s, want Sunday midnight in Tokyo", got)
	}
}

func TestScheduleThatNeverFiresIsRefused(t *testing.T) {
	_, err := Load("k.yaml", []byte("jobs:\n  a:\n    schedule: \"0 0 31 2 *\"\n    do: [deactivate: {}]\n"))
	if err == nil || !strings.Contains(err.Error(), `k.yaml:3:15: schedule "0 0 31 2 *": never fires`) {
		t.Fatalf("err = %v, want the never-firing schedule named at its line", err)
	}
}
