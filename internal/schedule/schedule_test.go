package schedule

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustParse(t *testing.T, expr string, loc *time.Location) *Schedule {
	t.Helper()
	s, err := Parse(expr, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	tests := []struct {
		name  string
		expr  string
		zone  string
		after string
		want  []string // successive fires, UTC
	}{
		{"tokyo midnight is 15:00 UTC the day before", "0 0 * * *", "Asia/Tokyo", "2026-11-23T10:00:00Z",
			[]string{"2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"}},
		{"utc", "30 6 * * *", "UTC", "2026-11-23T06:30:00Z",
			[]string{"2026-11-24T06:30:00Z", "2026-11-25T06:30:00Z"}},
		{"new york spring gap fires at 03:00 local", "30 2 * * *", "America/New_York", "2026-03-07T00:00:00Z",
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
		{"new york 01:30 before the gap", "30 1 * * *", "America/New_York", "2026-03-07T12:00:00Z",
			[]string{"2026-03-08T06:30:00Z", "2026-03-09T05:30:00Z"}},
		{"new york fall back fires first occurrence only", "30 1 * * *", "America/New_York", "2026-10-31T00:00:00Z",
			[]string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"new york fall back, after the first occurrence", "30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z",
			[]string{"2026-11-02T06:30:00Z"}},
		{"new york 02:30 after fall back", "30 2 * * *", "America/New_York", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z"}},
		{"new york midnight across spring", "0 0 * * *", "America/New_York", "2026-03-07T12:00:00Z",
			[]string{"2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"}},
		{"interval job runs both passes of the repeated hour", "*/15 * * * *", "America/New_York", "2026-11-01T05:30:00Z",
			[]string{"2026-11-01T05:45:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:15:00Z", "2026-11-01T06:30:00Z",
				"2026-11-01T06:45:00Z", "2026-11-01T07:00:00Z"}},
		{"interval job from inside the repeated second pass", "*/15 * * * *", "America/New_York", "2026-11-01T06:20:00Z",
			[]string{"2026-11-01T06:30:00Z"}},
		{"interval job across the gap", "*/15 * * * *", "America/New_York", "2026-03-08T06:40:00Z",
			[]string{"2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"}},
		{"hourly across fall back keeps real hours", "0 * * * *", "America/New_York", "2026-11-01T04:30:00Z",
			[]string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}},
		{"london gap 01:30 fires at 02:00 BST", "30 1 * * *", "Europe/London", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
		{"london overlap 01:30 fires at first (BST) occurrence", "30 1 * * *", "Europe/London", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"lord howe half-hour gap", "15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z",
			[]string{"2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"}},
		{"feb 29 waits for leap years", "0 12 29 2 *", "UTC", "2026-01-01T00:00:00Z",
			[]string{"2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"}},
		{"dom and dow both restricted: either matches", "0 0 13 * FRI", "UTC", "2026-11-01T00:00:00Z",
			[]string{"2026-11-06T00:00:00Z", "2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z",
				"2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z"}},
		{"dom starting with * and dow: both must match", "0 0 */2 * mon", "UTC", "2026-11-01T00:00:00Z",
			[]string{"2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z", "2026-12-07T00:00:00Z"}},
		{"names and lists", "0 9 * JAN,jul Mon-Wed", "UTC", "2026-06-30T00:00:00Z",
			[]string{"2026-07-01T09:00:00Z", "2026-07-06T09:00:00Z", "2026-07-07T09:00:00Z"}},
		{"ranges with steps", "10-50/20 8-17/8 * * *", "UTC", "2026-05-01T00:00:00Z",
			[]string{"2026-05-01T08:10:00Z", "2026-05-01T08:30:00Z", "2026-05-01T08:50:00Z", "2026-05-01T16:10:00Z"}},
		{"7 is sunday", "0 0 * * 7", "UTC", "2026-11-23T00:00:00Z",
			[]string{"2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"}},
		{"range ending at 7", "0 0 * * fri-7", "UTC", "2026-11-23T00:00:00Z",
			[]string{"2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "2026-12-04T00:00:00Z"}},
		{"new york gap in 2040, past the zone's table", "30 2 * * *", "America/New_York", "2040-03-10T12:00:00Z",
			[]string{"2040-03-11T07:00:00Z", "2040-03-12T06:30:00Z"}},
		{"@daily in tokyo", "@daily", "Asia/Tokyo", "2026-11-23T15:00:00Z",
			[]string{"2026-11-24T15:00:00Z"}},
		{"@weekly is sunday midnight", "@weekly", "UTC", "2026-11-23T00:00:00Z",
			[]string{"2026-11-29T00:00:00Z"}},
		{"@hourly", "@hourly", "UTC", "2026-11-23T10:00:00Z",
			[]string{"2026-11-23T11:00:00Z", "2026-11-23T12:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			s := mustParse(t, tc.expr, loc)
			at := utc(tc.after)
			for i, w := range tc.want {
				got := s.Next(at)
				if !got.Equal(utc(w)) {
					t.Fatalf("fire %d after %s: got %s (%s), want %s", i, at.UTC().Format(time.RFC3339),
						got.UTC().Format(time.RFC3339), got.Format(time.RFC3339), w)
				}
				if got.Location() != loc {
					t.Errorf("fire %d: location %v, want %v", i, got.Location(), loc)
				}
				at = got
			}
		})
	}
}

func TestNextIsStrictlyAfter(t *testing.T) {
	s := mustParse(t, "0 0 * * *", mustLoc(t, "Asia/Tokyo"))
	fire := utc("2026-11-23T15:00:00Z")
	if got := s.Next(fire.Add(-time.Nanosecond)); !got.Equal(fire) {
		t.Errorf("just before: got %s, want %s", got, fire)
	}
	if got := s.Next(fire); !got.Equal(fire.Add(24 * time.Hour)) {
		t.Errorf("at the fire: got %s, want the next day", got)
	}
	if got := s.Next(fire.Add(500 * time.Millisecond)); !got.Equal(fire.Add(24 * time.Hour)) {
		t.Errorf("half a second after: got %s, want the next day", got)
	}
}

// TestFiresPerDay counts fires per local day over a week around each 2026
// change in America/New_York (8 March and 1 November).
func TestFiresPerDay(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	fixed := func(n int) map[string]int {
		m := map[string]int{}
		for d := 0; d < 7; d++ {
			m[time.Date(2026, 3, 5+d, 0, 0, 0, 0, time.UTC).Format("01-02")] = n
			m[time.Date(2026, 10, 29+d, 0, 0, 0, 0, time.UTC).Format("01-02")] = n
		}
		return m
	}
	every15 := fixed(96)
	every15["03-08"], every15["11-01"] = 92, 100
	hourly := fixed(24)
	hourly["03-08"], hourly["11-01"] = 23, 25
	tests := []struct {
		expr string
		want map[string]int
	}{
		{"30 2 * * *", fixed(1)},
		{"30 1 * * *", fixed(1)},
		{"0 0 * * *", fixed(1)},
		{"0,30 2 * * *", func() map[string]int { m := fixed(2); m["03-08"] = 1; return m }()},
		{"*/15 * * * *", every15},
		{"0 * * * *", hourly},
	}
	weeks := [][2]time.Time{
		{time.Date(2026, 3, 5, 0, 0, 0, 0, ny), time.Date(2026, 3, 12, 0, 0, 0, 0, ny)},
		{time.Date(2026, 10, 29, 0, 0, 0, 0, ny), time.Date(2026, 11, 5, 0, 0, 0, 0, ny)},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			s := mustParse(t, tc.expr, ny)
			got := map[string]int{}
			for _, w := range weeks {
				var prev time.Time
				for _, f := range s.Between(w[0].Add(-time.Nanosecond), w[1].Add(-time.Nanosecond)) {
					if !f.After(prev) {
						t.Fatalf("fires out of order: %s then %s", prev, f)
					}
					prev = f
					got[f.Format("01-02")]++
				}
			}
			for day, n := range tc.want {
				if got[day] != n {
					t.Errorf("%s: %d fires, want %d", day, got[day], n)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("fired on %d days, want %d: %v", len(got), len(tc.want), got)
			}
		})
	}
}

// TestIntervalSpacing checks that "*/15" stays 15 real minutes apart through
// both changes, which is why interval jobs run both passes of a repeated hour.
func TestIntervalSpacing(t *testing.T) {
	s := mustParse(t, "*/15 * * * *", mustLoc(t, "America/New_York"))
	for _, day := range []string{"2026-11-01T00:00:00Z", "2026-03-08T00:00:00Z"} {
		fires := s.Between(utc(day), utc(day).Add(12*time.Hour))
		for i := 1; i < len(fires); i++ {
			if d := fires[i].Sub(fires[i-1]); d != 15*time.Minute {
				t.Errorf("%s: gap %s between %s and %s", day, d, fires[i-1].UTC(), fires[i].UTC())
			}
		}
	}
}

func TestBetweenBounds(t *testing.T) {
	s := mustParse(t, "0 * * * *", time.UTC)
	got := s.Between(utc("2026-01-01T00:00:00Z"), utc("2026-01-01T03:00:00Z"))
	want := []string{"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(utc(want[i])) {
			t.Errorf("fire %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"four fields", "0 0 * *", `cron "0 0 * *": want 5 fields (minute hour day-of-month month day-of-week), got 4`},
		{"six fields", "0 0 0 * * *", `cron "0 0 0 * * *": want 5 fields (minute hour day-of-month month day-of-week), got 6 (a seconds field is not supported)`},
		{"empty", "", `cron "": want 5 fields (minute hour day-of-month month day-of-week), got 0`},
		{"every", "@every 1h", `cron "@every 1h": @every is not supported`},
		{"unknown descriptor", "@reboot", `cron "@reboot": unknown descriptor`},
		{"tz prefix", "CRON_TZ=Asia/Tokyo 0 0 * * *", `a TZ= prefix is not supported`},
		{"hour out of range", "0 24 * * *", `cron "0 24 * * *": hour field "24": want 0-23, or a list`},
		{"bad name", "0 0 * * FUN", `day-of-week field "FUN"`},
		{"bad month", "0 0 1 13 *", `month field "13"`},
		{"zero step", "*/0 * * * *", `minute field "*/0"`},
		{"day-of-week 8", "0 0 * * 8", `day-of-week field "8": want 0-7 or SUN-SAT`},
		{"never fires", "0 0 31 2 *", `cron "0 0 31 2 *": never fires`},
		{"never fires 30 feb with star dow", "0 0 30 FEB ?", `never fires`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.expr, time.UTC)
			if err == nil {
				t.Fatalf("parse %q: no error, want %q", tc.expr, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parse %q: error %q, want it to contain %q", tc.expr, err, tc.want)
			}
		})
	}
	if _, err := Parse("0 0 * * *", nil); err == nil {
		t.Error("nil location: no error")
	}
}

func TestParseAccepts(t *testing.T) {
	for _, expr := range []string{"0 0 31 2 5", "0 0 29 2 *", "@yearly", "@ANNUALLY", "@monthly", "@midnight", "* * * * *", "0 0 * * SUN-SAT", " 5 4 * * * "} {
		if _, err := Parse(expr, time.UTC); err != nil {
			t.Errorf("parse %q: %v", expr, err)
		}
	}
}

func BenchmarkNextEveryMinute(b *testing.B) {
	s, err := Parse("* * * * *", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	at := utc("2026-11-01T00:00:00Z")
	for b.Loop() {
		at = s.Next(at)
	}
}

func BenchmarkNextDailyNewYork(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Parse("30 1 * * *", ny)
	if err != nil {
		b.Fatal(err)
	}
	at := utc("2026-01-01T00:00:00Z")
	for b.Loop() {
		at = s.Next(at)
	}
}
