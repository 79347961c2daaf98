package apply

import (
	"context"

	"github.com/keywarden/keywarden/internal/inventory"
)

// tagsRead is the user's tags, read beside the re-read of its keys. The two reads do not
// depend on each other and a change needs both, so the change waits for one round trip, not
// two (issue 20: a Lambda's deactivation is six sequential calls otherwise). Whether the tags
// matter is known only once the keys are read: an action that changes nothing drops them.
type tagsRead struct {
	done   chan struct{}
	cancel context.CancelFunc
	tags   map[string]string
	err    error
}

func readTags(ctx context.Context, c IAM, user string) *tagsRead {
	ctx, cancel := context.WithCancel(ctx)
	t := &tagsRead{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(t.done)
		t.tags, t.err = inventory.ListTags(ctx, c, user)
	}()
	return t
}

// wait returns the read's result; a nil read returns nothing, and the record protocol then
// reads the tags itself.
func (t *tagsRead) wait() (map[string]string, error) {
	if t == nil {
		return nil, nil
	}
	<-t.done
	return t.tags, t.err
}

// stop ends a read whose result is no longer wanted, and waits for it, so no call of an
// action outlives it.
func (t *tagsRead) stop() {
	if t == nil {
		return
	}
	t.cancel()
	<-t.done
}
