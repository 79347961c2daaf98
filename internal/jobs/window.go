package jobs

// StartAccounts is how many accounts a fan-out opens at once before it has seen any finish: the
// fixed number keywarden used before the window adapted, known not to trouble STS.
const StartAccounts = 8

// window is how many accounts the fan-out works on at once, adapted as TCP adapts its
// congestion window: it grows while accounts open without STS throttling the caller, and halves
// when it does. AssumeRole is throttled per caller, so it is the one signal that more accounts
// at once cost more than they give; IAM throttles per account, so an account's own throttling
// is its retryer's business (each account has its own) and never shrinks the window of the
// others. Pure: the fan-out tells it what happened and asks it for the limit.
type window struct {
	limit, max int
	// probing is slow start: one more account at once per account opened cleanly, until the
	// first throttle; after it, one more per window's worth of accounts opened.
	probing bool
	clean   int // accounts opened cleanly since the window last grew, once past probing
	// epoch counts the cuts. A throttle met by an account that started before the latest cut
	// is the same congestion the cut answered: the window halves once per round, not once per
	// throttled call in flight.
	epoch int
}

// newWindow starts at StartAccounts (or max, when lower) and never passes max nor goes below 1.
func newWindow(max int) window {
	if max < 1 {
		max = 1
	}
	return window{limit: min(StartAccounts, max), max: max, probing: true}
}

// Opened is an account that opened without the caller being throttled.
func (w *window) Opened() {
	if w.limit >= w.max {
		return
	}
	if w.probing {
		w.limit++
		return
	}
	w.clean++
	if w.clean >= w.limit {
		w.limit++
		w.clean = 0
	}
}

// Throttled is the caller throttled while opening an account that started in epoch.
func (w *window) Throttled(epoch int) {
	if epoch < w.epoch {
		return
	}
	w.limit = max(w.limit/2, 1)
	w.probing, w.clean = false, 0
	w.epoch++
}
