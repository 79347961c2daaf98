package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
)

// TestSchedulesMeanOneThing is the issue-10 table: for each expression, what serve fires
// next (internal/schedule's Next), what deploy prints as next, and the EventBridge
// expressions template and deploy emit; or the one sentence both refuse it with. Beyond the
// written values, each accepted case is checked by meaning: an evaluator of EventBridge's
// cron reference, walking every minute of the following 40 days in the job's zone, must fire
// exactly when deploy's reader says (NextSkippingGaps), and never when serve would not.
func TestSchedulesMeanOneThing(t *testing.T) {
	tests := []struct {
		name, cron, zone, now string
		serve, deploy         string   // next fire, RFC 3339 in the zone
		eb                    []string // what template and deploy emit
		refused               string   // or the refusal (config load, template and deploy alike)
		warn                  string   // a daylight-saving warning that must be given
	}{
		{name: "the curfew", cron: "0 0 * * *", zone: "Asia/Tokyo", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-25T00:00:00+09:00", deploy: "2026-11-25T00:00:00+09:00", eb: []string{"cron(0 0 * * ? *)"}},
		{name: "hygiene", cron: "30 3 * * *", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-24T03:30:00Z", deploy: "2026-11-24T03:30:00Z", eb: []string{"cron(30 3 * * ? *)"}},
		{name: "*/N in a day field joins the day fields with and: odd-dated Mondays", cron: "0 0 */2 * MON", zone: "UTC", now: "2026-11-23T15:00:00Z",
			refused: `job j: schedule "0 0 */2 * MON" fires only on days that match both day-of-month */2 and day-of-week MON (a day field beginning with * joins them with "and"), which EventBridge Scheduler cannot express; restrict one day field only, like "0 0 */2 * *" or "0 0 * * MON"`},
		{name: "a stepped day-of-week with a day-of-month", cron: "0 0 1-7 * */2", zone: "UTC", now: "2026-11-23T15:00:00Z",
			refused: `fires only on days that match both day-of-month 1-7 and day-of-week */2`},
		{name: "the 1st or Mondays is a union: two schedules", cron: "0 0 1 * MON", zone: "UTC", now: "2026-11-24T00:00:00Z",
			serve: "2026-11-30T00:00:00Z", deploy: "2026-11-30T00:00:00Z", eb: []string{"cron(0 0 1 * ? *)", "cron(0 0 ? * 2 *)"}},
		{name: "never fires", cron: "0 0 31 2 *", zone: "UTC", now: "2026-11-23T15:00:00Z",
			refused: `schedule "0 0 31 2 *": never fires`},
		{name: "day-of-week 7 is Sunday", cron: "0 0 * * 7", zone: "Asia/Tokyo", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-29T00:00:00+09:00", deploy: "2026-11-29T00:00:00+09:00", eb: []string{"cron(0 0 ? * 1 *)"}},
		{name: "Saturday and Sunday as 6-7", cron: "0 0 * * 6-7", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-28T00:00:00Z", deploy: "2026-11-28T00:00:00Z", eb: []string{"cron(0 0 ? * 1,7 *)"}},
		{name: "a/n in day-of-week runs to Saturday: 1/2 is Mon, Wed, Fri", cron: "0 0 * * 1/2", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-25T00:00:00Z", deploy: "2026-11-25T00:00:00Z", eb: []string{"cron(0 0 ? * 2,4,6 *)"}},
		{name: "every other day", cron: "0 12 */2 * *", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-25T12:00:00Z", deploy: "2026-11-25T12:00:00Z", eb: []string{"cron(0 12 1/2 * ? *)"}},
		{name: "02:30 in New York on the spring-forward day: serve at 03:00, EventBridge skips", cron: "30 2 * * *", zone: "America/New_York", now: "2027-03-13T12:00:00Z",
			serve: "2027-03-14T03:00:00-04:00", deploy: "2027-03-15T02:30:00-04:00", eb: []string{"cron(30 2 * * ? *)"},
			warn: `job j: "30 2 * * *" in America/New_York names 2027-03-14 02:30, which does not exist (the clock jumps over it), so EventBridge Scheduler skips that run where keywarden serve runs it at 03:00; choose a time outside the jump if the run matters`},
		{name: "hourly through the repeated hour: serve runs both passes, EventBridge one", cron: "0 * * * *", zone: "America/New_York", now: "2026-11-01T05:30:00Z",
			serve: "2026-11-01T01:00:00-05:00", deploy: "2026-11-01T02:00:00-05:00", eb: []string{"cron(0 * * * ? *)"}},
		{name: "01:30 on the fall-back day runs once, at the first pass, in both", cron: "30 1 * * *", zone: "America/New_York", now: "2026-11-01T04:00:00Z",
			serve: "2026-11-01T01:30:00-04:00", deploy: "2026-11-01T01:30:00-04:00", eb: []string{"cron(30 1 * * ? *)"}},
		{name: "every 15 minutes", cron: "*/15 * * * *", zone: "Europe/Paris", now: "2027-03-28T00:50:00Z",
			serve: "2027-03-28T03:00:00+02:00", deploy: "2027-03-28T03:00:00+02:00", eb: []string{"cron(0/15 * * * ? *)"}},
		{name: "weekdays", cron: "0 9 * * 1-5", zone: "Asia/Tokyo", now: "2026-11-27T01:00:00Z",
			serve: "2026-11-30T09:00:00+09:00", deploy: "2026-11-30T09:00:00+09:00", eb: []string{"cron(0 9 ? * 2-6 *)"}},
		{name: "question mark day-of-month", cron: "0 0 ? * SUN", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2026-11-29T00:00:00Z", deploy: "2026-11-29T00:00:00Z", eb: []string{"cron(0 0 ? * 1 *)"}},
		{name: "quarterly", cron: "0 0 1 */3 *", zone: "UTC", now: "2026-11-23T15:00:00Z",
			serve: "2027-01-01T00:00:00Z", deploy: "2027-01-01T00:00:00Z", eb: []string{"cron(0 0 1 1/3 ? *)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			y := fmt.Sprintf("jobs:\n  j:\n    schedule: %q\n    timezone: %s\n    do: [deactivate: {}]\n", tc.cron, tc.zone)
			now, err := time.Parse(time.RFC3339, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := policy.Load("keywarden.yaml", []byte(y))
			var fires []Fire
			var buildErr error
			if err == nil {
				fires, err = NextFires(cfg, now)
				_, buildErr = Build(Options{Config: cfg, ConfigYAML: []byte(y)})
			}
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("deploy: err = %v, want it to contain %q", err, tc.refused)
				}
				if cfg != nil && (buildErr == nil || buildErr.Error() != err.Error()) {
					t.Fatalf("template: err = %v, want deploy's %v", buildErr, err)
				}
				return
			}
			if err != nil || buildErr != nil {
				t.Fatalf("deploy: %v; template: %v", err, buildErr)
			}
			sched := cfg.Jobs[0].Cron
			if got := sched.Next(now).Format(time.RFC3339); got != tc.serve {
				t.Errorf("serve next = %s, want %s", got, tc.serve)
			}
			if got := fires[0].Next.Format(time.RFC3339); got != tc.deploy {
				t.Errorf("deploy next = %s, want %s", got, tc.deploy)
			}
			if !slices.Equal(fires[0].EventBridge, tc.eb) {
				t.Errorf("deploy's EventBridge = %q, want %q", fires[0].EventBridge, tc.eb)
			}
			if got := templateExprs(t, cfg, y); !slices.Equal(got, tc.eb) {
				t.Errorf("template's EventBridge = %q, want %q", got, tc.eb)
			}
			warns, err := DSTWarnings(cfg, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{tc.warn}; tc.warn == "" && len(warns) > 0 || tc.warn != "" && !slices.Equal(warns, want) {
				t.Errorf("warnings = %q, want %q", warns, tc.warn)
			}

			// By meaning: EventBridge's own reading of what was emitted.
			end := now.Add(40 * 24 * time.Hour)
			eb := ebFires(t, tc.eb, sched.Location(), now, end)
			var deployRule, serveRule []time.Time
			for at := sched.NextSkippingGaps(now); at.Before(end); at = sched.NextSkippingGaps(at) {
				deployRule = append(deployRule, at)
			}
			for at := sched.Next(now); at.Before(end); at = sched.Next(at) {
				serveRule = append(serveRule, at)
			}
			if len(eb) == 0 {
				t.Fatal("EventBridge never fires in the window; the check would prove nothing")
			}
			if !slices.EqualFunc(eb, deployRule, time.Time.Equal) {
				t.Fatalf("EventBridge fires %d times, deploy's reader %d: first %v vs %v", len(eb), len(deployRule), eb[0], deployRule[0])
			}
			if !eb[0].Equal(fires[0].Next) {
				t.Errorf("deploy prints next %s, EventBridge fires first at %s", fires[0].Next, eb[0])
			}
			for _, at := range eb {
				if _, ok := slices.BinarySearchFunc(serveRule, at, time.Time.Compare); !ok {
					t.Fatalf("EventBridge fires at %s, serve does not", at)
				}
			}
		})
	}
}

func templateExprs(t *testing.T, cfg *policy.Config, y string) []string {
	t.Helper()
	tpl, err := Build(Options{Config: cfg, ConfigYAML: []byte(y)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::Scheduler::Schedule" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids) // ScheduleJ, ScheduleJDays2: the day-of-month one first, as emitted
	var out []string
	for _, id := range ids {
		out = append(out, tpl.Resources[id].Properties.(schedule).ScheduleExpression)
	}
	return out
}

// ebFires walks every minute instant in (from, end) and keeps those whose wall clock in loc
// one of the expressions matches, read with EventBridge's rules, at the first occurrence of
// that wall clock only (a repeated hour runs once). A wall time in a gap is never an instant,
// so the walk skips it as EventBridge does.
func ebFires(t *testing.T, exprs []string, loc *time.Location, from, end time.Time) []time.Time {
	var out []time.Time
	for at := from.Truncate(time.Minute).Add(time.Minute); at.Before(end); at = at.Add(time.Minute) {
		w := at.In(loc)
		hit := false
		for _, e := range exprs {
			hit = hit || ebMatches(t, e, w)
		}
		if hit && firstOccurrence(at, loc) {
			out = append(out, at)
		}
	}
	return out
}

func firstOccurrence(at time.Time, loc *time.Location) bool {
	w := at.In(loc)
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		p := at.Add(-d).In(loc)
		if p.Hour() == w.Hour() && p.Minute() == w.Minute() && p.YearDay() == w.YearDay() {
			return false
		}
	}
	return true
}
