package deploy

import (
	"fmt"
	"strconv"
	"strings"

	cronsched "github.com/keywarden/keywarden/internal/schedule"
)

// field is the bounds of one position of an EventBridge cron expression.
type field struct{ min, max int }

var (
	minuteF = field{0, 59}
	hourF   = field{0, 23}
	domF    = field{1, 31}
	monthF  = field{1, 12}
	// EventBridge numbers days 1-7 from Sunday; internal/schedule numbers them 0-6.
	dowF = field{1, 7}
)

// EventBridgeCron writes a schedule parsed by internal/schedule (the reader serve and the
// config share) as EventBridge Scheduler cron(minutes hours day-of-month month day-of-week
// year) expressions that fire on the same wall times; ScheduleExpressionTimezone carries the
// zone. It reads the parsed values, never the text, so the two cannot disagree on what a
// field means.
//
// EventBridge differs in ways this handles or refuses:
//   - one of day-of-month and day-of-week must be "?", so it cannot say "days that match
//     both fields" (cron's rule when a day field begins with *, as "0 0 */2 * MON", odd-dated
//     Mondays): such a schedule is refused with an error saying what it can say instead;
//   - when both day fields are restricted and neither begins with *, cron fires on either
//     ("0 0 1 * MON" is the 1st and every Monday): that is a union, written as one expression
//     per day field, each its own schedule (a Monday the 1st then gets one invocation from
//     each);
//   - day-of-week counts 1-7 from Sunday and takes no step: days are written as a list.
//
// Every field is written back from its set of values as "*", "first/step" (where EventBridge
// takes steps), ranges and lists, so what EventBridge reads is unambiguous.
func EventBridgeCron(s *cronsched.Schedule) ([]string, error) {
	return eventBridge(s, s.Fields())
}

// eventBridge writes f, the fields of s or of s shifted (WarnCron), as EventBridgeCron does.
func eventBridge(s *cronsched.Schedule, f cronsched.Fields) ([]string, error) {
	min := minuteF.format(f.Minutes, true)
	hour := hourF.format(f.Hours, true)
	mon := monthF.format(f.Months, true)
	dom := domF.format(f.DaysOfMonth, true)
	eb := make([]int, len(f.DaysOfWeek))
	for i, d := range f.DaysOfWeek {
		eb[i] = d + 1
	}
	dow := dowF.format(eb, false)
	out := func(d, w string) string { return fmt.Sprintf("cron(%s %s %s %s %s *)", min, hour, d, mon, w) }
	everyDom, everyDow := dom == "*", dow == "*"
	switch {
	case everyDom && everyDow, f.Either() && (everyDom || everyDow):
		return []string{out("*", "?")}, nil
	case everyDow:
		return []string{out(dom, "?")}, nil
	case everyDom:
		return []string{out("?", dow)}, nil
	case !f.Either():
		return nil, bothDaysErr(s)
	}
	if !domCanFire(f) {
		// "0 0 30 2 MON": the 30th of February never comes, so only the Mondays remain.
		return []string{out("?", dow)}, nil
	}
	return []string{out(dom, "?"), out("?", dow)}, nil
}

// bothDaysErr says why a schedule whose days must match both day fields has no
// EventBridge form, and offers the two forms that restrict one field only.
func bothDaysErr(s *cronsched.Schedule) error {
	fs := strings.Fields(s.String())
	if len(fs) != 5 {
		return fmt.Errorf("schedule %q fires only on days that match both its day-of-month and its day-of-week, which EventBridge Scheduler cannot express; restrict one day field only", s)
	}
	onlyDom := strings.Join([]string{fs[0], fs[1], fs[2], fs[3], "*"}, " ")
	onlyDow := strings.Join([]string{fs[0], fs[1], "*", fs[3], fs[4]}, " ")
	return fmt.Errorf("schedule %q fires only on days that match both day-of-month %s and day-of-week %s (a day field beginning with * joins them with \"and\"), which EventBridge Scheduler cannot express; restrict one day field only, like %q or %q",
		s, fs[2], fs[4], onlyDom, onlyDow)
}

// domCanFire reports whether the day-of-month values occur in one of the months.
func domCanFire(f cronsched.Fields) bool {
	maxDay := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	for _, m := range f.Months {
		if len(f.DaysOfMonth) > 0 && f.DaysOfMonth[0] <= maxDay[m] {
			return true
		}
	}
	return false
}

// format writes sorted values as "*", "first/step" (when steps allowed and the values are
// every step-th from first to the end of the range), or ranges and single values.
func (f field) format(vals []int, steps bool) string {
	if len(vals) == f.max-f.min+1 {
		return "*"
	}
	if steps && len(vals) >= 3 {
		d := vals[1] - vals[0]
		ap := d > 1
		for i := 2; i < len(vals) && ap; i++ {
			ap = vals[i]-vals[i-1] == d
		}
		if ap && vals[len(vals)-1]+d > f.max {
			return fmt.Sprintf("%d/%d", vals[0], d)
		}
	}
	var parts []string
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j+1] == vals[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d-%d", vals[i], vals[j]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(vals[i]), strconv.Itoa(vals[j]))
		default:
			parts = append(parts, strconv.Itoa(vals[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
