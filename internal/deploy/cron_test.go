package deploy

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventBridgeCron(tt.cron)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("EventBridgeCron(%q) = %q, want %q", tt.cron, got, tt.want)
			}
		})
	}
}

func TestEventBridgeCronRefuses(t *testing.T) {
	tests := []struct{ name, cron, want string }{
		{"six fields", "0 0 0 * * *", "want 5 fields"},
		{"minute out of range", "60 0 * * *", `minute "60": want 0-59`},
		{"day 7", "0 0 * * 7", `day-of-week "7": want 0-6`},
		{"backwards", "0 5-3 * * *", "runs backwards"},
		{"bad step", "*/0 * * * *", "bad step"},
		{"word", "0 0 * * XYZ", `day-of-week "XYZ"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EventBridgeCron(tt.cron)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestEventBridgeCronFiresWhenCronDoes checks the translation by meaning, not by text: over 400
// days in Asia/Tokyo, every minute robfig/cron fires the original at is a minute some
// translated expression matches, read with EventBridge's rules, and no other.
func TestEventBridgeCronFiresWhenCronDoes(t *testing.T) {
	zone, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	exprs := []string{"0 0 * * *", "0 9 * * 1-5", "*/15 3 * * 0", "5/20 * 1,15 * *", "0 0 1 * MON",
		"0 12 */2 * *", "0 0 1 */3 *", "0 8-18/2 * * 6", "30 23 31 * *", "0 0 ? * SUN", "0 0 * * */2"}
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, zone)
	end := start.AddDate(0, 0, 400)
	for _, e := range exprs {
		t.Run(e, func(t *testing.T) {
			sched, err := cron.ParseStandard(e)
			if err != nil {
				t.Fatal(err)
			}
			ebs, err := EventBridgeCron(e)
			if err != nil {
				t.Fatal(err)
			}
			want := map[time.Time]bool{}
			for at := sched.Next(start.Add(-time.Minute)); at.Before(end); at = sched.Next(at) {
				want[at] = true
			}
			if len(want) == 0 {
				t.Fatal("robfig/cron never fires; the test would prove nothing")
			}
			for at := start; at.Before(end); at = at.Add(time.Minute) {
				got := false
				for _, eb := range ebs {
					got = got || ebMatches(t, eb, at)
				}
				if got != want[at] {
					t.Fatalf("%s at %s: EventBridge %q fires=%v, cron fires=%v", e, at, ebs, got, want[at])
				}
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
