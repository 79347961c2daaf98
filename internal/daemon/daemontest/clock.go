// Package daemontest gives tests of the daemon and of `keywarden serve` a clock they move
// by hand, so a schedule's days pass without waiting.
package daemontest

import (
	"sync"
	"testing"
	"time"
)

// Clock satisfies daemon.Clock. It moves only on Set; timers whose instant has come fire then.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waits   chan time.Time // nil until Waits is first called
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a clock stopped at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives once the clock is Set at or past now+d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := c.now.Add(d)
	if d <= 0 {
		ch <- c.now
	} else {
		c.waiters = append(c.waiters, waiter{at, ch})
	}
	if c.waits != nil {
		c.waits <- at
	}
	return ch
}

// Set moves the clock to t and fires every timer due by then.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	c.waiters = kept
}

// Waits reports the instant of every After call from now on, so a test knows the code under
// test has planned and is waiting. Call it before starting that code; read what it reports.
func (c *Clock) Waits() <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waits == nil {
		c.waits = make(chan time.Time, 1000)
	}
	return c.waits
}

// NextWait returns the next reported wait, failing t if none comes within timeout.
func (c *Clock) NextWait(t testing.TB, timeout time.Duration) time.Time {
	t.Helper()
	select {
	case w := <-c.Waits():
		return w
	case <-time.After(timeout):
		t.Fatal("the scheduler never waited")
		return time.Time{}
	}
}

// DrainWaits forgets the waits reported so far, so NextWait sees only new ones.
func (c *Clock) DrainWaits() {
	ch := c.Waits()
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
