package emu

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestParallelRunsEachOnceAndReportsAnError(t *testing.T) {
	var seen [100]atomic.Int32
	if err := Parallel(100, 8, func(i int) error { seen[i].Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("f(%d) ran %d times", i, n)
		}
	}
	boom := errors.New("boom")
	if err := Parallel(10, 3, func(i int) error {
		if i == 7 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}
