package emu

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
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
	log  []leaseTime // kept only when KEYWARDEN_TEST_LEASES names a file
}

// leaseTime is how long one test waited for its server and then held it. Elapsed times in
// go test's output include the wait; the sum of holds over Size is what bounds the suite.
type leaseTime struct {
	test       string
	wait, held time.Duration
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

// Spare starts a server outside the pool for t alone and stops it when t ends. It is for a
// test whose ancestor already holds a lease: waiting on the pool there can deadlock, since the
// ancestor keeps its server until this test ends while every server may be held by tests that
// wait, in turn, for a slot of go test's -parallel that the waiting tests occupy.
func (p *Pool) Spare(t testing.TB) *Server {
	t.Helper()
	s, err := start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
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
	asked := time.Now()
	s, err := p.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	got := time.Now()
	t.Cleanup(func() {
		if os.Getenv("KEYWARDEN_TEST_LEASES") != "" {
			p.mu.Lock()
			p.log = append(p.log, leaseTime{t.Name(), got.Sub(asked), time.Since(got)})
			p.mu.Unlock()
		}
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
	if f := os.Getenv("KEYWARDEN_TEST_LEASES"); f != "" {
		p.writeLog(f)
	}
}

// writeLog writes the leases, longest hold first, for finding the tests that bound the suite.
func (p *Pool) writeLog(file string) {
	sort.Slice(p.log, func(i, j int) bool { return p.log[i].held > p.log[j].held })
	var b strings.Builder
	var wait, held time.Duration
	for _, l := range p.log {
		wait += l.wait
		held += l.held
	}
	fmt.Fprintf(&b, "# %d leases on %d servers: held %s in all, waited %s in all\n", len(p.log), p.size, held.Round(time.Second), wait.Round(time.Second))
	for _, l := range p.log {
		fmt.Fprintf(&b, "%8.2f %8.2f %s\n", l.held.Seconds(), l.wait.Seconds(), l.test)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "emu: write the lease log: %v\n", err)
	}
}
