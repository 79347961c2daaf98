package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// consume reads every destination over and over while the trial runs, as a service would, and
// checks each key it reads. A read is bad when the key does not work and the destination still
// holds it when read again: a key retired a moment after the read (the old key, deactivated just
// after delivery) is what a consumer's next read replaces, not a failure. stop ends it and
// returns the reads and the bad ones.
func (t *trial) consume() (stop func() (reads int, bad []string)) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	reads := 0
	var bad []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			for _, d := range t.dests {
				c, err := t.b.readDest(ctx, d)
				if err != nil {
					if ctx.Err() == nil {
						bad = append(bad, fmt.Sprintf("%s: read: %v", d, err))
					}
					continue
				}
				reads++
				if ok, why := t.b.works(ctx, t.user, c); !ok && ctx.Err() == nil {
					if again, err := t.b.readDest(ctx, d); err == nil && again.AccessKeyId == c.AccessKeyId {
						bad = append(bad, fmt.Sprintf("%s: read %s, which does not work: %s", d, c.AccessKeyId, why))
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() (int, []string) {
		cancel()
		wg.Wait()
		return reads, bad
	}
}
