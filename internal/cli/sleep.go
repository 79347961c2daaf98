package cli

import (
	"context"
	"time"
)

// sleepCtx is the real sleeper core packages take as an argument (they never call time.Sleep),
// so tests can wait without waiting.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sleep is sleepCtx for the Lambda entry, which cmd/keywarden wires to it: the one real
// sleeper stays at the edge.
func Sleep(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d) }

// systemClock is the real clock the daemon is given; the daemon itself reads none.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
