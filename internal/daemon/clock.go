package daemon

import "time"

// Clock is the daemon's only source of time, so tests can drive the loop
// through days of schedule without waiting.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock; it is the default when Options.Clock is nil.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// After waits for d on the system timer.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
