package emu

import (
	"sync"
	"testing"
)

// hold stops one call at the proxy until released: a test uses it to put a run's call
// exactly between another run's steps, with no sleep.
type hold struct {
	match    func(Call) bool
	held     chan struct{}
	released chan struct{}
}

// HoldNext holds the next call of action before it reaches moto. held is closed once the call
// is waiting; release lets it (and any later call) through. The test's end releases it too.
func (p *Proxy) HoldNext(t testing.TB, action string) (held <-chan struct{}, release func()) {
	return p.HoldWhen(t, func(c Call) bool { return c.Action == action })
}

// HoldWhen is HoldNext for the next call for which match is true.
func (p *Proxy) HoldWhen(t testing.TB, match func(Call) bool) (held <-chan struct{}, release func()) {
	h := &hold{match: match, held: make(chan struct{}), released: make(chan struct{})}
	p.mu.Lock()
	p.holds = append(p.holds, h)
	p.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h.released) }) }
	t.Cleanup(release)
	return h.held, release
}

// takeHold returns the hold for c, if any, and uses it up. p.mu is held.
func (p *Proxy) takeHold(c Call) *hold {
	for i, h := range p.holds {
		if h.match(c) {
			p.holds = append(p.holds[:i], p.holds[i+1:]...)
			return h
		}
	}
	return nil
}
