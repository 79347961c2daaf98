package schedule

import (
	"slices"
	"time"
)

// Skip is a fire whose wall time does not exist because the clock jumps over
// it (spring forward). Next fires it at the end of the gap; NextSkippingGaps,
// like EventBridge Scheduler, does not fire it at all.
type Skip struct {
	Wall string    // the local date and time that does not exist, "2006-01-02 15:04"
	At   time.Time // where Next fires it: the end of the gap, in the schedule's location
}

// Skips lists the fires in (from, to] whose wall time falls in a gap and which
// NextSkippingGaps therefore loses, one per gap: several missing wall times of
// one gap fire once, at its end, and are named by the first of them. A gap's
// end that the schedule matches anyway ("0 * * * *" at 03:00) is no loss: both
// rules fire there, so it is not listed.
func (s *Schedule) Skips(from, to time.Time) []Skip {
	var out []Skip
	a, b := from.Unix(), to.Unix()
	y, m, d := from.In(s.loc).Date()
	var buf [4]int64
	for i := -1; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if day.Unix()-margin > b {
			return out
		}
		if !s.dayMatches(day) {
			continue
		}
		z := newDayZone(s.loc, day.Unix())
		if len(z.periods) == 1 {
			continue // no offset change near this day
		}
		for _, h := range s.hours {
			for _, mi := range s.minutes {
				w := day.Unix() + int64(h)*3600 + int64(mi)*60
				fires, gap := z.resolve(w, buf[:])
				if !gap || fires[0] <= a || fires[0] > b || s.matchesWall(time.Unix(fires[0], 0)) {
					continue
				}
				if n := len(out); n > 0 && out[n-1].At.Unix() == fires[0] {
					continue
				}
				out = append(out, Skip{Wall: time.Unix(w, 0).UTC().Format("2006-01-02 15:04"), At: time.Unix(fires[0], 0).In(s.loc)})
			}
		}
	}
}

// matchesWall reports whether the wall clock at t, which exists, is one the
// schedule names.
func (s *Schedule) matchesWall(t time.Time) bool {
	w := t.In(s.loc)
	y, m, d := w.Date()
	return s.dayMatches(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) &&
		slices.Contains(s.hours, w.Hour()) && slices.Contains(s.minutes, w.Minute())
}
