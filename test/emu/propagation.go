package emu

import (
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// Window models IAM's eventual consistency for a new access key: real IAM
// refuses a key for some seconds after CreateAccessKey returns it. While a
// key is in its window, calls signed with it get InvalidClientTokenId (403).
// The zero Window turns this off.
type Window struct {
	// For refuses the key until this long after CreateAccessKey passed the proxy.
	For time.Duration
	// Requests refuses the key's first Requests calls, however long they take.
	Requests int
	// Flap, after For, refuses half the key's calls (at random, as IAM's replicas disagree)
	// for this long: a key that worked once may still be refused.
	Flap time.Duration
}

type newKey struct {
	created time.Time
	window  Window // as set when the key was created
	refused int
}

// SetPropagation applies w to keys created through the proxy from now on.
func (p *Proxy) SetPropagation(w Window) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.window = w
}

// inWindow reports whether a call signed with id must be refused, and counts
// it. p.mu is held.
func (p *Proxy) inWindow(id string) bool {
	k := p.newKeys[id]
	if k == nil {
		return false
	}
	age := time.Since(k.created)
	if age < k.window.For || k.refused < k.window.Requests {
		k.refused++
		return true
	}
	if age < k.window.For+k.window.Flap {
		if rand.IntN(2) == 0 {
			k.refused++
			return true
		}
		return false
	}
	delete(p.newKeys, id)
	return false
}

var accessKeyIDRE = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)

// createAccessKey forwards the call and starts the new key's window.
func (p *Proxy) createAccessKey(w http.ResponseWriter, r *http.Request, c Call) {
	// IAM checks a user's two-key limit and creates the key in one step; moto checks, then
	// creates, so two creates at the same moment could leave a user three keys, which IAM never
	// does and keywarden's concurrent rotations rely on. One create per user at a time here.
	user := c.Params.Get("UserName")
	if user == "" {
		user = "signer:" + c.AccessKeyID
	}
	m, _ := p.creating.LoadOrStore(user, new(sync.Mutex))
	m.(*sync.Mutex).Lock()
	status, header, body := p.forward(r)
	m.(*sync.Mutex).Unlock()
	if status == http.StatusOK {
		if m := accessKeyIDRE.FindSubmatch(body); m != nil {
			p.mu.Lock()
			if p.window != (Window{}) {
				p.newKeys[string(m[1])] = &newKey{created: time.Now(), window: p.window}
			}
			p.mu.Unlock()
		}
	}
	copyResponse(w, status, header, body)
}
