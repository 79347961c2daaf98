package rotate

import (
	"context"
	"time"
)

// WaitOptions pace WaitWorks; zero values take self-rotation's defaults.
type WaitOptions struct {
	Wait       time.Duration
	Successes  int
	Interval   time.Duration
	MaxBackoff time.Duration
	Now        func() time.Time
	Sleep      func(context.Context, time.Duration) error
	Progress   func(elapsed time.Duration, msg string)
}

// WaitWorks is self-rotation's proof that a new key works, for other rotations (service keys):
// STS, signed with the new key, must answer as userARN Successes times in a row, with the
// same adaptive backoff while IAM propagates the key. It returns the refusals it saw.
func WaitWorks(ctx context.Context, c STS, userARN string, o WaitOptions) (refusals int, err error) {
	r := &run{opts: Options{
		Wait: o.Wait, Successes: o.Successes, Interval: o.Interval, MaxBackoff: o.MaxBackoff,
		Now: o.Now, Sleep: o.Sleep, Progress: o.Progress,
	}, start: o.Now(), j: &Journal{UserARN: userARN}}
	r.defaults()
	return r.waitWorks(ctx, c)
}
