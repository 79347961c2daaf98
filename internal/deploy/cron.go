package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// field is one position of a cron expression: its bounds and the names it accepts.
type field struct {
	name     string
	min, max int
	names    []string // names[i] is value min+i
}

var (
	minuteF = field{name: "minute", min: 0, max: 59}
	hourF   = field{name: "hour", min: 0, max: 23}
	domF    = field{name: "day-of-month", min: 1, max: 31}
	monthF  = field{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	// cron numbers days 0-6 from Sunday; EventBridge numbers them 1-7 from Sunday.
	dowF = field{name: "day-of-week", min: 0, max: 6, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
)

// EventBridgeCron translates a 5-field cron expression (minute hour day-of-month month
// day-of-week, as keywarden.yaml and robfig/cron read it) into EventBridge Scheduler's
// cron(minutes hours day-of-month month day-of-week year) expressions that fire at the same
// minutes, in the same time zone (ScheduleExpressionTimezone carries the zone).
//
// EventBridge differs in three ways this handles:
//   - one of day-of-month and day-of-week must be "?";
//   - day-of-week counts 1-7 from Sunday, not 0-6, and takes no step ("/");
//   - cron fires when either day field matches if both are restricted ("0 0 1 * MON" is the
//     1st and every Monday), which one EventBridge expression cannot say: that case returns
//     two expressions, one per day field, and needs two schedules.
//
// Every field is expanded to its set of values and written back as "*", "first/step" (where
// EventBridge takes steps), ranges and lists, so what EventBridge reads is unambiguous.
func EventBridgeCron(expr string) ([]string, error) {
	fs := strings.Fields(expr)
	if len(fs) != 5 {
		return nil, fmt.Errorf("schedule %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(fs))
	}
	var sets [5][]int
	var star [5]bool
	for i, f := range []field{minuteF, hourF, domF, monthF, dowF} {
		s, st, err := f.parse(fs[i])
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %w", expr, err)
		}
		sets[i], star[i] = s, st
	}
	min := minuteF.format(sets[0], true)
	hour := hourF.format(sets[1], true)
	mon := monthF.format(sets[3], true)
	dom := domF.format(sets[2], true)
	dow := eventBridgeDOW(sets[4])
	out := func(d, w string) string { return fmt.Sprintf("cron(%s %s %s %s %s *)", min, hour, d, mon, w) }
	switch {
	case star[2] && star[4]:
		return []string{out("*", "?")}, nil
	case star[4]:
		return []string{out(dom, "?")}, nil
	case star[2]:
		return []string{out("?", dow)}, nil
	}
	return []string{out(dom, "?"), out("?", dow)}, nil
}

// eventBridgeDOW writes cron days (0-6 from Sunday) as EventBridge days (1-7 from Sunday).
func eventBridgeDOW(days []int) string {
	eb := make([]int, len(days))
	for i, d := range days {
		eb[i] = d + 1
	}
	return field{min: 1, max: 7}.format(eb, false)
}

// parse expands a field to its sorted values. star says the field is "*" or "?" (unrestricted
// in cron's sense, which decides how the two day fields combine).
func (f field) parse(s string) (vals []int, star bool, err error) {
	seen := map[int]bool{}
	for _, item := range strings.Split(s, ",") {
		base, stepS, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			step, err = strconv.Atoi(stepS)
			if err != nil || step < 1 {
				return nil, false, fmt.Errorf("%s %q: bad step %q", f.name, item, stepS)
			}
		}
		var lo, hi int
		switch {
		case base == "*" || base == "?": // robfig/cron reads "?" as "*" in any field
			lo, hi = f.min, f.max
			star = star || step == 1
		default:
			a, b, isRange := strings.Cut(base, "-")
			if lo, err = f.value(a); err != nil {
				return nil, false, err
			}
			hi = lo
			if isRange {
				if hi, err = f.value(b); err != nil {
					return nil, false, err
				}
			} else if hasStep {
				hi = f.max // "5/20" is 5-max/20, as in robfig/cron
			}
			if lo > hi {
				return nil, false, fmt.Errorf("%s %q: range runs backwards", f.name, item)
			}
		}
		for v := lo; v <= hi; v += step {
			seen[v] = true
		}
	}
	for v := range seen {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return vals, star, nil
}

func (f field) value(s string) (int, error) {
	if i := slices.Index(f.names, strings.ToUpper(s)); i >= 0 {
		return f.min + i, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%s %q: want %d-%d", f.name, s, f.min, f.max)
	}
	return v, nil
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
