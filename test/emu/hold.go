package emu

import (
	"sync"
	"testing"
)

// hold stops one call at the proxy until released: a test uses it to put a run's call
// exactly between another run's steps, with no sleep.
type hold struct {
	action   string
	held     chan struct{}
	released chan struct{}
}

// HoldNext holds the next call of action before it reaches moto. held is closed once the call
// is waiting; release lets it (and any later call) through. The test's end releases it too.
func (p *Proxy) HoldNext(t testing.TB, action string) (held <-chan struct{}, release func()) {
	h := &hold{action: action, held: make(chan struct{}), released: make(chan struct{})}
	p.mu.Lock()
	p.holds = append(p.holds, h)
	p.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h.released) }) }
	t.Cleanup(release)
	return h.held, release
}

// takeHold returns the hold for action, if any, and uses it up. p.mu is held.
func (p *Proxy) takeHold(action string) *hold {
	for i, h := range p.holds {
		if h.action == action {
			p.holds = append(p.holds[:i], p.holds[i+1:]...)
			return h
		}
	}
	return nil
}
