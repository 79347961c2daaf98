package notify

import (
	"context"
	"time"
)

// Result is what one channel did with a run.
type Result struct {
	Channel string   `json:"channel"`
	Sent    int      `json:"sent"`
	Failed  []string `json:"failed,omitempty"` // one sentence per message that never went out
}

// OK reports whether every message of the channel went out.
func (r Result) OK() bool { return len(r.Failed) == 0 }

// Sender sends a run through its channels. A message that fails is retried Attempts times with
// a doubling backoff (Sleep is injected so tests do not wait); a channel that still fails is
// reported, never fatal: notifying never undoes or blocks a key change.
type Sender struct {
	Channels []Channel
	Attempts int           // default 3
	Backoff  time.Duration // first wait, default 1s
	Sleep    func(context.Context, time.Duration) error
}

// Send delivers r through every channel and returns one Result per channel.
func (s *Sender) Send(ctx context.Context, r Run) []Result {
	attempts, wait := s.Attempts, s.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = time.Second
	}
	var out []Result
	for _, c := range s.Channels {
		res := Result{Channel: c.Name()}
		for _, m := range c.Messages(r) {
			var err error
			d := wait
			for try := 1; try <= attempts; try++ {
				if err = m.Send(ctx); err == nil || try == attempts {
					break
				}
				if s.Sleep == nil || s.Sleep(ctx, d) != nil {
					break
				}
				d *= 2
			}
			if err != nil {
				res.Failed = append(res.Failed, err.Error())
			} else {
				res.Sent++
			}
		}
		out = append(out, res)
	}
	return out
}
