package emu

import (
	"fmt"
	"sync"
	"testing"
)

// Pool hands out moto servers, one test at a time each, so that independent tests run in
// parallel without sharing a backend or an auth switch. Servers start on first demand, up to
// Size, and are reset between leases.
type Pool struct {
	size int
	mu   sync.Mutex
	all  []*Server
	idle chan *Server
	made int
}

// NewPool makes a pool of at most size servers; none is started yet.
func NewPool(size int) *Pool {
	if size < 1 {
		size = 1
	}
	return &Pool{size: size, idle: make(chan *Server, size)}
}

// Size is the most servers the pool runs at once.
func (p *Pool) Size() int { return p.size }

// Acquire returns a clean server of the pool's, starting one if fewer than Size run and none is
// idle, or waiting for one to be released.
func (p *Pool) Acquire() (*Server, error) {
	select {
	case s := <-p.idle:
		return s, nil
	default:
	}
	p.mu.Lock()
	if p.made < p.size {
		p.made++
		p.mu.Unlock()
		s, err := start(nil)
		if err != nil {
			p.mu.Lock()
			p.made--
			p.mu.Unlock()
			return nil, err
		}
		p.mu.Lock()
		p.all = append(p.all, s)
		p.mu.Unlock()
		return s, nil
	}
	p.mu.Unlock()
	return <-p.idle, nil
}

// Release resets s (auth off, every backend empty) and gives it to the next test.
func (p *Pool) Release(s *Server) error {
	err := s.reset()
	if err != nil {
		// A server that cannot be reset would hand the next test another test's state.
		s.stop()
		p.mu.Lock()
		p.made--
		p.mu.Unlock()
		return fmt.Errorf("emu: reset moto for the next test: %w", err)
	}
	p.idle <- s
	return nil
}

// Lease acquires a server for t and releases it when t ends.
func (p *Pool) Lease(t testing.TB) *Server {
	t.Helper()
	s, err := p.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Release(s); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Close stops every server the pool started.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.all {
		s.stop()
	}
}
