package deploy

import (
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
	cronsched "github.com/keywarden/keywarden/internal/schedule"
)

// WarnCron writes the schedule of a curfew's warning run for EventBridge Scheduler: s's times
// moved ahead by d on the wall clock, in the same time zone. Only a shift that one cron
// expression can say is accepted: d a whole number of minutes under a day, the shifted times
// again every minute of a set of hours, and a shift onto the day before only when the
// schedule runs every day (otherwise its day fields would have to move too).
func WarnCron(s *cronsched.Schedule, d time.Duration) ([]string, error) {
	const day = 24 * 60
	if d <= 0 || d >= 24*time.Hour || d%time.Minute != 0 {
		return nil, fmt.Errorf("warn: %s is not a whole number of minutes under a day, which the warning's EventBridge schedule needs; use minutes or hours, like warn: 1h", policy.Duration(d))
	}
	m, dur := int(d/time.Minute), policy.Duration(d)
	f := s.Fields()
	everyDay := len(f.DaysOfMonth) == 31 && len(f.Months) == 12 && len(f.DaysOfWeek) == 7
	hours, mins := map[int]bool{}, map[int]bool{}
	pairs := map[int]bool{}
	for _, h := range f.Hours {
		for _, mi := range f.Minutes {
			t := h*60 + mi - m
			if t < 0 && !everyDay {
				return nil, fmt.Errorf("warn: %s before %q falls on the day before, which EventBridge Scheduler cannot say for a schedule that restricts its days; use a shorter warn:, or run the curfew with keywarden serve", dur, s)
			}
			t = (t + day) % day
			hours[t/60], mins[t%60], pairs[t] = true, true, true
		}
	}
	if len(pairs) != len(hours)*len(mins) {
		return nil, fmt.Errorf("warn: %s before %q gives times no single cron expression holds; use a warn: of whole hours, or run the curfew with keywarden serve", dur, s)
	}
	f.Hours, f.Minutes = sorted(hours), sorted(mins)
	return eventBridge(s, f)
}

func sorted(set map[int]bool) []int {
	var out []int
	for i := 0; i < 60; i++ {
		if set[i] {
			out = append(out, i)
		}
	}
	return out
}
