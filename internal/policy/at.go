package policy

import (
	"fmt"
	"strings"
	"time"
)

const atWant = "--at: want a date (2027-03-01), an RFC 3339 time or +30d"

// ParseAt reads the --at flag: a date (midnight UTC), an RFC 3339 time, or a signed offset
// from now ("+30d", "+12h", "-7d", "+1d12h"). The sign is required: "30d" alone could mean
// either way.
func ParseAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if sign := s[:min(1, len(s))]; sign == "+" || sign == "-" {
		d, err := ParseDuration(s[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %v", atWant, err)
		}
		if sign == "-" {
			return now.Add(-d.Std()), nil
		}
		return now.Add(d.Std()), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	var y, m, d int
	if n, _ := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &d); n == 3 && len(s) == 10 {
		// Shaped like a date, but not one: say which part, not Go's "day out of range".
		if m < 1 || m > 12 {
			return time.Time{}, fmt.Errorf("--at %s: there is no month %d; want a date like 2027-03-01", s, m)
		}
		return time.Time{}, fmt.Errorf("--at %s: %s %d has no day %d; want a date like 2027-03-01", s, time.Month(m), y, d)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s, got %q", atWant, s)
}
