package daemon

import "time"

// Clock is the daemon's only source of time, so tests can drive the loop through days of
// schedule without waiting. The daemon reads no clock of its own: the serve command passes the
// system clock, tests a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}
