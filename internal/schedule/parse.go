package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed cron expression bound to a time zone. It is immutable
// and safe for concurrent use.
type Schedule struct {
	expr string
	loc  *time.Location

	minutes []int // ascending
	hours   []int // ascending
	dom     uint64
	month   uint64
	dow     uint64
	// domStar and dowStar say the field began with * or ?, which switches day
	// matching from "either" to "both" as in crontab(5).
	domStar, dowStar bool
	// everyHour marks an interval job: it fires in both passes of a repeated hour.
	everyHour bool
}

const fieldsWant = "want 5 fields (minute hour day-of-month month day-of-week)"

var descriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

var fieldNames = [5]string{"minute", "hour", "day-of-month", "month", "day-of-week"}

var fieldRanges = [5]string{"0-59", "0-23", "1-31", "1-12 or JAN-DEC", "0-7 or SUN-SAT (0 and 7 are Sunday)"}

// fieldParser parses one field at a time so that an error can name the field.
var fieldParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// starBit is how robfig/cron marks a field given as * or ?; it is not a value.
const starBit = 1 << 63

// Parse parses a 5-field cron expression whose wall times are in loc.
func Parse(expr string, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		return nil, parseErr(expr, "no time zone given")
	}
	text := strings.TrimSpace(expr)
	if strings.HasPrefix(text, "TZ=") || strings.HasPrefix(text, "CRON_TZ=") {
		return nil, parseErr(expr, "a TZ= prefix is not supported; set the time zone separately")
	}
	if strings.HasPrefix(text, "@") {
		name := strings.ToLower(strings.Fields(text)[0])
		if name == "@every" {
			return nil, parseErr(expr, "@every is not supported; %s", fieldsWant)
		}
		d, ok := descriptors[name]
		if !ok || len(strings.Fields(text)) != 1 {
			return nil, parseErr(expr, "unknown descriptor; want @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
		}
		text = d
	}
	fields := strings.Fields(text)
	if len(fields) != 5 {
		hint := ""
		if len(fields) == 6 {
			hint = " (a seconds field is not supported)"
		}
		return nil, parseErr(expr, "%s, got %d%s", fieldsWant, len(fields), hint)
	}
	var bits [5]uint64
	for i, f := range fields {
		b, err := parseField(i, f)
		if err != nil && i == 4 {
			b, err = parseDowWith7(f, err)
		}
		if err != nil {
			// robfig/cron's sentence ("end of range (25) above maximum (23): 25") is a
			// library's; say which values the field takes.
			return nil, parseErr(expr, "%s field %q: want %s, or a list, range or step of them (like 1,15 or 9-17 or */5)", fieldNames[i], f, fieldRanges[i])
		}
		bits[i] = b &^ starBit
	}
	s := &Schedule{
		expr:    expr,
		loc:     loc,
		minutes: setBits(bits[0], 0, 59),
		hours:   setBits(bits[1], 0, 23),
		dom:     bits[2],
		month:   bits[3],
		dow:     bits[4],
		domStar: isStar(fields[2]),
		dowStar: isStar(fields[4]),
	}
	s.everyHour = len(s.hours) == 24
	if !s.canFire() {
		return nil, parseErr(expr, "never fires: day-of-month %s does not occur in month %s", fields[2], fields[3])
	}
	return s, nil
}

// Error is a refused expression. Reason says why without repeating the
// expression, for callers that name it in their own words.
type Error struct {
	Expr   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("cron %q: %s", e.Expr, e.Reason) }

func parseErr(expr, format string, a ...any) error {
	return &Error{Expr: expr, Reason: fmt.Sprintf(format, a...)}
}

// parseField parses field i alone by putting * in every other place.
func parseField(i int, f string) (uint64, error) {
	spec := [5]string{"*", "*", "*", "*", "*"}
	spec[i] = f
	sched, err := fieldParser.Parse(strings.Join(spec[:], " "))
	if err != nil {
		return 0, err
	}
	ss, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return 0, fmt.Errorf("unexpected schedule type %T", sched)
	}
	return [5]uint64{ss.Minute, ss.Hour, ss.Dom, ss.Month, ss.Dow}[i], nil
}

var dayNames = strings.NewReplacer("sun", "0", "mon", "1", "tue", "2", "wed", "3", "thu", "4", "fri", "5", "sat", "6")

// parseDowWith7 accepts 7 for Sunday in the day-of-week field, as crontab(5)
// does and robfig/cron does not, by parsing the field with the minute field's
// wider bounds and folding 7 onto 0. Any other failure keeps the first error.
func parseDowWith7(f string, firstErr error) (uint64, error) {
	if !strings.Contains(f, "7") || strings.HasPrefix(f, "*") || strings.HasPrefix(f, "?") {
		return 0, firstErr
	}
	b, err := parseField(0, dayNames.Replace(strings.ToLower(f)))
	if err != nil || b&^0xff != 0 {
		return 0, firstErr
	}
	if b&(1<<7) != 0 {
		b = b&^(1<<7) | 1
	}
	return b, nil
}

func isStar(field string) bool {
	return strings.HasPrefix(field, "*") || strings.HasPrefix(field, "?")
}

func setBits(b uint64, lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		if b&(1<<uint(v)) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// canFire reports whether some calendar day matches. Only an expression whose
// days come from the day-of-month field alone can miss every day (31 February);
// any matching weekday falls on every valid date in some year.
func (s *Schedule) canFire() bool {
	if len(s.minutes) == 0 || len(s.hours) == 0 || s.month == 0 {
		return false
	}
	maxDay := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	anyDow := s.dow != 0
	for m := 1; m <= 12; m++ {
		if s.month&(1<<uint(m)) == 0 {
			continue
		}
		for d := 1; d <= maxDay[m]; d++ {
			domOK := s.dom&(1<<uint(d)) != 0
			if s.domStar || s.dowStar {
				if domOK && anyDow {
					return true
				}
			} else if domOK || anyDow {
				return true
			}
		}
	}
	return false
}

// String returns the expression as given to Parse.
func (s *Schedule) String() string { return s.expr }

// Location returns the time zone the expression's wall times are in.
func (s *Schedule) Location() *time.Location { return s.loc }
