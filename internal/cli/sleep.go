package cli

import (
	"context"
	"time"
)

// Sleep is the real sleeper core packages take as an argument (they never call time.Sleep),
// so tests can wait without waiting. The Lambda entry is handed it too.
func Sleep(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d) }

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

// systemClock is the real clock the daemon is given; the daemon itself reads none.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
