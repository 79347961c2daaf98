package deploy

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cronsched "github.com/keywarden/keywarden/internal/schedule"
)

func mustSchedule(t *testing.T, expr string, loc *time.Location) *cronsched.Schedule {
	t.Helper()
	s, err := cronsched.Parse(expr, loc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEventBridgeCron(t *testing.T) {
	tests := []struct {
		name string
		cron string
		want []string
	}{
		{"daily at midnight (the curfew)", "0 0 * * *", []string{"cron(0 0 * * ? *)"}},
		{"daily at 03:30", "30 3 * * *", []string{"cron(30 3 * * ? *)"}},
		{"weekdays by number", "0 9 * * 1-5", []string{"cron(0 9 ? * 2-6 *)"}},
		{"weekdays by name", "0 9 * * MON-FRI", []string{"cron(0 9 ? * 2-6 *)"}},
		{"sunday is 0 in cron and 1 in EventBridge", "0 0 * * 0", []string{"cron(0 0 ? * 1 *)"}},
		{"saturday is 6 in cron and 7 in EventBridge", "0 0 * * 6", []string{"cron(0 0 ? * 7 *)"}},
		{"weekend", "0 0 * * 0,6", []string{"cron(0 0 ? * 1,7 *)"}},
		{"lower-case names", "0 0 * * sat,sun", []string{"cron(0 0 ? * 1,7 *)"}},
		{"question mark day-of-month", "0 0 ? * SUN", []string{"cron(0 0 ? * 1 *)"}},
		{"every other day of the week has no step in EventBridge", "0 0 * * */2", []string{"cron(0 0 ? * 1,3,5,7 *)"}},
		{"every 15 minutes", "*/15 * * * *", []string{"cron(0/15 * * * ? *)"}},
		{"step from an offset", "5/20 * * * *", []string{"cron(5/20 * * * ? *)"}},
		{"two minutes", "0,30 * * * *", []string{"cron(0,30 * * * ? *)"}},
		{"hour range", "0 8-18 * * *", []string{"cron(0 8-18 * * ? *)"}},
		{"stepped range that stops early is a list", "0 8-18/2 * * *", []string{"cron(0 8,10,12,14,16,18 * * ? *)"}},
		{"first of the month", "0 0 1 * *", []string{"cron(0 0 1 * ? *)"}},
		{"every other day of the month", "0 12 */2 * *", []string{"cron(0 12 1/2 * ? *)"}},
		{"month by name", "0 0 1 JAN *", []string{"cron(0 0 1 1 ? *)"}},
		{"quarterly", "0 0 1 */3 *", []string{"cron(0 0 1 1/3 ? *)"}},
		{"both day fields: cron fires on either, so two schedules", "0 0 1 * MON", []string{"cron(0 0 1 * ? *)", "cron(0 0 ? * 2 *)"}},
		{"mixed ranges and singles", "0 0 * * 1,2,4-6", []string{"cron(0 0 ? * 2,3,5-7 *)"}},
		{"day-of-week 7 is Sunday", "0 0 * * 7", []string{"cron(0 0 ? * 1 *)"}},
		{"both day fields, a month without that day: only the weekdays remain", "0 0 30 2 MON", []string{"cron(0 0 ? 2 2 *)"}},
		{"a stepped day field with * for the other is that field alone", "0 0 */2 * *", []string{"cron(0 0 1/2 * ? *)"}},
		{"every day of the week named is every day", "0 0 1 * 0-6", []string{"cron(0 0 * * ? *)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventBridgeCron(mustSchedule(t, tt.cron, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("EventBridgeCron(%q) = %q, want %q", tt.cron, got, tt.want)
			}
		})
	}
}

// ebMatches reads an EventBridge cron(...) expression the way EventBridge documents it.
func ebMatches(t *testing.T, eb string, at time.Time) bool {
	f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(eb, "cron("), ")"))
	if len(f) != 6 || f[5] != "*" || (f[2] == "?") == (f[4] == "?") {
		t.Fatalf("malformed EventBridge expression %q", eb)
	}
	return ebField(t, f[0], at.Minute(), 59) && ebField(t, f[1], at.Hour(), 23) &&
		ebField(t, f[2], at.Day(), 31) && ebField(t, f[3], int(at.Month()), 12) &&
		ebField(t, f[4], int(at.Weekday())+1, 7)
}

func ebField(t *testing.T, s string, v, max int) bool {
	if s == "*" || s == "?" {
		return true
	}
	for _, item := range strings.Split(s, ",") {
		atoi := func(x string) int {
			n, err := strconv.Atoi(x)
			if err != nil {
				t.Fatalf("EventBridge field %q: %v", s, err)
			}
			return n
		}
		if a, b, ok := strings.Cut(item, "/"); ok {
			first, step := atoi(a), atoi(b)
			if v >= first && (v-first)%step == 0 && v <= max {
				return true
			}
			continue
		}
		if a, b, ok := strings.Cut(item, "-"); ok {
			if v >= atoi(a) && v <= atoi(b) {
				return true
			}
			continue
		}
		if v == atoi(item) {
			return true
		}
	}
	return false
}
