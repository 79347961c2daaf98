package schedule

import (
	"slices"
	"testing"
	"time"
)

// EventBridge Scheduler skips a wall time in a gap and runs a repeated one once; serve fires
// the first at the gap's end and an interval job in both passes. Both rules are tested here
// side by side so that a change to one cannot pass for the other.
func TestNextSkippingGaps(t *testing.T) {
	tests := []struct {
		name, expr, zone, after string
		serve, eventBridge      []string // successive fires, UTC
	}{
		{"02:30 on the spring-forward day", "30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z",
			[]string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
			[]string{"2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"}},
		{"hourly through the repeated hour", "0 * * * *", "America/New_York", "2026-11-01T04:30:00Z",
			[]string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"},
			[]string{"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"}},
		{"no change: the same", "0 0 * * *", "Asia/Tokyo", "2026-11-23T10:00:00Z",
			[]string{"2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"},
			[]string{"2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, tc.expr, mustLoc(t, tc.zone))
			var serve, eb []string
			for at, i := utc(tc.after), 0; i < len(tc.serve); i++ {
				at = s.Next(at)
				serve = append(serve, at.UTC().Format(time.RFC3339))
			}
			for at, i := utc(tc.after), 0; i < len(tc.eventBridge); i++ {
				at = s.NextSkippingGaps(at)
				eb = append(eb, at.UTC().Format(time.RFC3339))
			}
			if !slices.Equal(serve, tc.serve) {
				t.Errorf("Next: %v, want %v", serve, tc.serve)
			}
			if !slices.Equal(eb, tc.eventBridge) {
				t.Errorf("NextSkippingGaps: %v, want %v", eb, tc.eventBridge)
			}
		})
	}
}

func TestSkips(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	from, to := utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")
	tests := []struct {
		expr string
		want []string // Wall @ At (UTC)
	}{
		{"30 2 * * *", []string{"2026-03-08 02:30 @ 2026-03-08T07:00:00Z"}},
		{"0 2 * * *", []string{"2026-03-08 02:00 @ 2026-03-08T07:00:00Z"}},
		{"10,20 2 * * *", []string{"2026-03-08 02:10 @ 2026-03-08T07:00:00Z"}}, // one gap, one skip
		{"*/10 * * * *", nil}, // 03:00 fires under both rules: nothing is lost
		{"30 2 * * 1", nil},   // 2026-03-08 is a Sunday
		{"30 1 * * *", nil},   // exists every day; repeated in November, not missing
		{"0 3 * * *", nil},    // 03:00 is the gap's end, which exists
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			var got []string
			for _, s := range mustParse(t, tc.expr, ny).Skips(from, to) {
				got = append(got, s.Wall+" @ "+s.At.UTC().Format(time.RFC3339))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Skips = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		expr             string
		dom, dow         []int
		domStar, dowStar bool
		either           bool
	}{
		{"0 0 */2 * MON", odd(), []int{1}, true, false, false},
		{"0 0 1 * MON", []int{1}, []int{1}, false, false, true},
		{"0 0 * * 7", all(1, 31), []int{0}, true, false, false},
		{"0 0 1 * 5-7", []int{1}, []int{0, 5, 6}, false, false, true},
		{"0 0 ? * SUN", all(1, 31), []int{0}, true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			f := mustParse(t, tc.expr, time.UTC).Fields()
			if !slices.Equal(f.DaysOfMonth, tc.dom) || !slices.Equal(f.DaysOfWeek, tc.dow) ||
				f.DomStar != tc.domStar || f.DowStar != tc.dowStar || f.Either() != tc.either {
				t.Errorf("Fields = %+v (either %v)", f, f.Either())
			}
			if !slices.Equal(f.Minutes, []int{0}) || !slices.Equal(f.Hours, []int{0}) || len(f.Months) != 12 {
				t.Errorf("Fields = %+v", f)
			}
		})
	}
}

func all(lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

func odd() []int {
	var out []int
	for v := 1; v <= 31; v += 2 {
		out = append(out, v)
	}
	return out
}
