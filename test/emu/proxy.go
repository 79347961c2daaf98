package emu

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Proxy sits between a client and moto and makes moto behave more like IAM:
// it pages ListUsers, adds latency, injects faults, refuses new keys for a
// propagation window and counts calls. Every setting may change while
// requests are in flight.
type Proxy struct {
	URL    string // http://127.0.0.1:PORT
	Region string

	target *url.URL
	dir    string
	rp     *httputil.ReverseProxy

	mu       sync.Mutex
	calls    map[string]int
	latency  time.Duration
	pageSize int
	faults   []*fault
	window   Window
	newKeys  map[string]*newKey
	holds    []*hold
	trail    []TrailEvent  // CloudTrail's event history (cloudtrail.go)
	skew     time.Duration // moto's clock minus the proxy's
	creating sync.Map      // user → *sync.Mutex: CreateAccessKey made atomic (propagation.go)
}

// Proxy starts a proxy in front of s for the length of the test.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	p := NewProxy(t, s.MotoURL)
	p.Region = s.Region
	p.dir = s.dir
	return p
}

// NewProxy starts a proxy in front of the endpoint target for the length of
// the test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("emu: proxy target %q: %v", target, err)
	}
	p := &Proxy{
		Region:   DefaultRegion,
		target:   u,
		dir:      t.TempDir(),
		calls:    map[string]int{},
		pageSize: iamPageSize,
		newKeys:  map[string]*newKey{},
	}
	p.rp = newReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Config returns an SDK config signed with the given key and aimed at the proxy.
func (p *Proxy) Config(keyID, secret string) aws.Config {
	return newConfig(p.URL, p.Region, keyID, secret)
}

// Env is Server.Env aimed at the proxy.
func (p *Proxy) Env(keyID, secret string) []string {
	return newEnv(p.dir, p.URL, p.Region, keyID, secret)
}

// SetLatency delays every request by d before it is handled, to model the
// round trip to a real AWS region.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Calls returns how many requests of each action reached the proxy, retries
// and faulted requests included. Requests whose action cannot be told (S3)
// count under "".
func (p *Proxy) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]int, len(p.calls))
	for k, v := range p.calls {
		m[k] = v
	}
	return m
}

// Count returns how many requests of action reached the proxy.
func (p *Proxy) Count(action string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[action]
}

// ResetCounts sets every count back to zero.
func (p *Proxy) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = map[string]int{}
}

// Call is what the proxy knows about a request, for fault predicates.
type Call struct {
	Action      string     // IAM/STS Action, or the operation of X-Amz-Target
	AccessKeyID string     // from the SigV4 Authorization header
	Params      url.Values // the form body of a query-protocol request
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	c, err := readCall(r)
	if err != nil {
		http.Error(w, "emu proxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.calls[c.Action]++
	delay := p.latency
	f := p.takeFault(c)
	refuse := f == nil && p.inWindow(c.AccessKeyID)
	h := p.takeHold(c)
	p.mu.Unlock()

	if h != nil {
		close(h.held)
		select {
		case <-h.released:
		case <-r.Context().Done():
			return
		}
	}

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	rec := &recorder{ResponseWriter: w}
	defer func() { p.record(r, c, rec, time.Now()) }()
	w = rec
	switch {
	case f != nil:
		p.inject(w, r, c, f.kind)
	case refuse:
		writeError(w, r, c, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case c.Action == "LookupEvents":
		p.lookupEvents(w, r, c)
	case c.Action == "ListUsers":
		p.listUsers(w, r, c)
	case c.Action == "CreateAccessKey":
		p.createAccessKey(w, r, c)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

var credentialRE = regexp.MustCompile(`Credential=([^/,\s]+)/`)

// readCall reads the action and signer of r and leaves r's body intact for
// forwarding: the signature covers it byte for byte.
func readCall(r *http.Request) (Call, error) {
	c := Call{}
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.AccessKeyID = m[1]
	} else {
		c.AccessKeyID = r.URL.Query().Get("X-Amz-Credential")
		c.AccessKeyID, _, _ = strings.Cut(c.AccessKeyID, "/")
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		// The last part: CloudTrail's documented target is com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.X.
		c.Action = t[strings.LastIndex(t, ".")+1:]
		return c, nil
	}
	c.Params = r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return c, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return c, err
		}
		for k, v := range form {
			c.Params[k] = v
		}
	}
	c.Action = c.Params.Get("Action")
	return c, nil
}
