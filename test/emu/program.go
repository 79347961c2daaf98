package emu

import (
	"log"
	"os"
	"sync"
	"testing"
)

// ProgramTB lets the harness, written for tests, run in a plain program (the benchmarks under
// bench/cmd): it implements the testing.TB methods the harness calls, failing with log.Fatal.
// The embedded nil interface supplies the unexported method; any other call panics, which would
// be a bug in the program. Call Cleanup() before the program exits.
type ProgramTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

func (*ProgramTB) Helper()                           {}
func (*ProgramTB) Fatal(args ...any)                 { log.Fatal(args...) }
func (*ProgramTB) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (*ProgramTB) Error(args ...any)                 { log.Print(args...) }
func (*ProgramTB) Errorf(format string, args ...any) { log.Printf(format, args...) }

// TempDir makes a directory removed by Cleanup.
func (t *ProgramTB) TempDir() string {
	d, err := os.MkdirTemp("", "keywarden-bench-")
	if err != nil {
		log.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Cleanup registers f to run at Close.
func (t *ProgramTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// Close runs the registered cleanups, last first.
func (t *ProgramTB) Close() {
	t.mu.Lock()
	fs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// LaunchProgram starts moto for a benchmark program: the ProgramTB the harness needs and the
// server, stopped by the ProgramTB's Close. A moto that does not start ends the program.
func LaunchProgram() (*ProgramTB, *Server) {
	tb := &ProgramTB{}
	s, stop, err := Launch()
	if err != nil {
		log.Fatal(err)
	}
	tb.Cleanup(stop)
	return tb, s
}
