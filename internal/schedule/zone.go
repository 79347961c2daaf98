package schedule

import (
	"math"
	"time"
)

// period is a stretch of time during which loc has one UTC offset.
type period struct {
	start int64 // Unix seconds; the first period starts at math.MinInt64
	off   int64 // seconds east of UTC
}

// dayZone lists loc's offsets around one local calendar day so that wall times
// of that day can be mapped to instants without relying on time.Date, whose
// choice for a wall time inside a gap is unspecified.
type dayZone struct {
	periods        []period
	minOff, maxOff int64
}

// margin exceeds any UTC offset a zone has ever used, so the window below holds
// every instant whose wall clock lies on the day.
const margin = 26 * 3600

func newDayZone(loc *time.Location, dayWall int64) *dayZone {
	lo, hi := dayWall-margin, dayWall+24*3600+margin
	z := &dayZone{minOff: math.MaxInt64, maxOff: math.MinInt64}
	t := time.Unix(lo, 0).In(loc)
	for {
		_, off := t.Zone()
		start := int64(math.MinInt64)
		if len(z.periods) > 0 {
			start = t.Unix()
		}
		z.periods = append(z.periods, period{start: start, off: int64(off)})
		z.minOff = min(z.minOff, int64(off))
		z.maxOff = max(z.maxOff, int64(off))
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Unix() > hi {
			return z
		}
		t = end.In(loc)
	}
}

func (z *dayZone) offsetAt(u int64) int64 {
	off := z.periods[0].off
	for _, p := range z.periods[1:] {
		if p.start > u {
			break
		}
		off = p.off
	}
	return off
}

// resolve returns, in ascending order, the instants whose wall clock reads w
// (wall seconds: the local date and time written as if it were UTC). A wall
// time in a gap yields the single instant at which the gap ends, and gap true.
func (z *dayZone) resolve(w int64, buf []int64) (out []int64, gap bool) {
	out = buf[:0]
	for i, p := range z.periods {
		if i > 0 && p.off == z.periods[i-1].off {
			continue
		}
		c := w - p.off
		if z.offsetAt(c) != p.off {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		sortInt64(out)
		return out, false
	}
	for i := 1; i < len(z.periods); i++ {
		t, prev, next := z.periods[i].start, z.periods[i-1].off, z.periods[i].off
		if t+prev <= w && w < t+next {
			return append(out, t), true
		}
	}
	return out, false
}

func sortInt64(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
