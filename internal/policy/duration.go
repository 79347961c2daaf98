package policy

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Duration is a policy age limit such as 45d or 1d12h. time.Duration has no day unit, and
// key-age policies are written in days, so the config uses its own spelling.
type Duration time.Duration

// Day is the unit policies are written in. A day is 24 hours: ages are measured on the
// absolute timeline, so daylight-saving changes in a job's time zone do not stretch them.
const Day = 24 * time.Hour

var durationUnits = []struct {
	name string
	size time.Duration
}{{"w", 7 * Day}, {"d", Day}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}

const durationWant = "want a duration like 30s, 5m, 24h, 7d, 2w or 1d12h"

// ParseDuration reads a non-negative duration made of whole numbers with the units w, d, h, m
// and s, largest unit first, each at most once: "45d", "12h", "1d12h", "2w", "0d". Every
// duration keywarden takes, in keywarden.yaml or on a flag, is read here.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration: " + durationWant)
	}
	if s == "0" {
		// Zero needs no unit, as in Go's syntax; "--grace 0" reads as it is meant.
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("negative duration %q: want zero or more, like 0s or 24h", s)
	}
	var total time.Duration
	rest, next := s, 0 // next: index of the smallest unit still allowed
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("malformed duration %q: %s", s, durationWant)
		}
		unit := -1
		for j := next; j < len(durationUnits); j++ {
			if strings.HasPrefix(rest[i:], durationUnits[j].name) {
				unit = j
				break
			}
		}
		if unit < 0 {
			return 0, fmt.Errorf("malformed duration %q: %s", s, durationWant)
		}
		var n int64
		for _, c := range rest[:i] {
			if n > (math.MaxInt64-9)/10 {
				return 0, fmt.Errorf("duration %q is too long", s)
			}
			n = n*10 + int64(c-'0')
		}
		size := durationUnits[unit].size
		if n > (math.MaxInt64-int64(total))/int64(size) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += time.Duration(n) * size
		rest = rest[i+len(durationUnits[unit].name):]
		next = unit + 1
	}
	return Duration(total), nil
}

// String renders d so that ParseDuration reads it back: "45d", "1d12h", "30m", "0d".
func (d Duration) String() string {
	if d == 0 {
		return "0d"
	}
	v := time.Duration(d)
	var b strings.Builder
	if v < 0 { // not produced by ParseDuration, but print it honestly
		b.WriteByte('-')
		v = -v
	}
	for _, u := range durationUnits[1:] { // never weeks: "30d" stays 30d, not 4w2d
		if n := v / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			v -= n * u.size
		}
	}
	if v > 0 { // below a second: not a policy unit, show it anyway
		b.WriteString(v.String())
	}
	return b.String()
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// humanAge says how long ago something was, in the unit a person would use: whole days from
// two days up, hours below that, minutes below an hour. It rounds down, so it never
// overstates an age.
func humanAge(d time.Duration) string {
	switch {
	case d >= 2*Day:
		return fmt.Sprintf("%d days", d/Day)
	case d >= Day:
		return "1 day"
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d >= time.Hour:
		return "1 hour"
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	default:
		return "less than 2 minutes"
	}
}

// MarshalText writes the config spelling, so JSON output shows "45d", not nanoseconds.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what ParseDuration reads.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
