package deploy

import (
	"testing"
	"time"
)

func TestNextFiresInTheJobsZone(t *testing.T) {
	cfg, _ := loadSample(t)
	// 15:00 UTC is 00:00 JST the next day: the curfew's next run is a day later.
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	fs, err := NextFires(cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("fires = %+v", fs)
	}
	if got := fs[0].Next.Format(time.RFC3339); fs[0].Job != "curfew" || got != "2026-11-25T00:00:00+09:00" {
		t.Errorf("curfew next = %s", got)
	}
	if got := fs[1].Next.Format(time.RFC3339); fs[1].Job != "hygiene" || got != "2026-11-24T03:30:00Z" {
		t.Errorf("hygiene next = %s", got)
	}
}
