package schedule

import "time"

// searchDays bounds the search for a matching day. Parse rejects expressions
// that never fire; the rarest that do (29 February on a given weekday) recur
// well within this.
const searchDays = 100 * 366

// rule is what a fire does at an offset change.
type rule struct {
	// skipGaps drops a wall time that does not exist instead of firing at the
	// end of the gap.
	skipGaps bool
	// oncePerWall fires a repeated wall time once even for an interval job.
	oncePerWall bool
}

var (
	// serveRule is the package's contract (see the package doc).
	serveRule = rule{}
	// eventBridgeRule is EventBridge Scheduler's documented behaviour (AWS
	// re:Post "eventbridge-scheduler-adjust-dst"): an invocation whose wall
	// time does not exist is skipped, and a repeated wall time runs only once.
	eventBridgeRule = rule{skipGaps: true, oncePerWall: true}
)

// Next returns the first fire instant strictly after after, in the schedule's
// location, or the zero Time if there is none within a century.
func (s *Schedule) Next(after time.Time) time.Time { return s.next(after, serveRule) }

// NextSkippingGaps is Next under EventBridge Scheduler's daylight-saving rule
// instead of the package's: a wall time that does not exist is skipped rather
// than fired at the end of the gap, and a repeated wall time fires once, at
// its first occurrence, even for an interval job. It is what a schedule
// deployed to EventBridge will do, so that deploy can say so.
func (s *Schedule) NextSkippingGaps(after time.Time) time.Time {
	return s.next(after, eventBridgeRule)
}

func (s *Schedule) next(after time.Time, r rule) time.Time {
	a := after.Unix() // fire instants are whole seconds, so flooring keeps "strictly after"
	y, m, d := after.In(s.loc).Date()
	// Start a day early: the second pass of a repeated hour can carry the
	// previous day's wall times past after.
	for i := -1; i < searchDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if !s.dayMatches(day) {
			continue
		}
		best, ok := s.firstOnDay(day, a, r)
		if !ok {
			continue
		}
		// A repeated hour across midnight can put this day's second pass after
		// the next day's first fires, so look one day further.
		next := day.AddDate(0, 0, 1)
		if s.dayMatches(next) {
			if t, ok := s.firstOnDay(next, a, r); ok && t < best {
				best = t
			}
		}
		return time.Unix(best, 0).In(s.loc)
	}
	return time.Time{}
}

// Between returns the fire instants t with from < t <= to, in order.
func (s *Schedule) Between(from, to time.Time) []time.Time {
	var out []time.Time
	for t := s.Next(from); !t.IsZero() && !t.After(to); t = s.Next(t) {
		out = append(out, t)
	}
	return out
}

func (s *Schedule) dayMatches(day time.Time) bool {
	if s.month&(1<<uint(day.Month())) == 0 {
		return false
	}
	domOK := s.dom&(1<<uint(day.Day())) != 0
	dowOK := s.dow&(1<<uint(day.Weekday())) != 0
	if s.domStar || s.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}

// firstOnDay returns the earliest fire instant (Unix seconds) after a among
// the wall times of day, a UTC midnight naming a local calendar date.
func (s *Schedule) firstOnDay(day time.Time, a int64, r rule) (int64, bool) {
	dayWall := day.Unix()
	z := newDayZone(s.loc, dayWall)
	var best int64
	found := false
	var buf [4]int64
	for _, h := range s.hours {
		for _, mi := range s.minutes {
			w := dayWall + int64(h)*3600 + int64(mi)*60
			if found && w-z.maxOff > best {
				return best, true // every instant of a later wall time is later still
			}
			if w-z.minOff <= a {
				continue // every instant of this wall time is at or before a
			}
			fires, gap := z.resolve(w, buf[:])
			if gap && r.skipGaps {
				continue
			}
			if (r.oncePerWall || !s.everyHour) && len(fires) > 1 {
				fires = fires[:1]
			}
			for _, c := range fires {
				if c > a && (!found || c < best) {
					best, found = c, true
				}
			}
		}
	}
	return best, found
}
