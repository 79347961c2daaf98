package emu

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
)

// Fault is a failure the proxy answers with instead of moto's answer.
type Fault int

const (
	// Throttle answers HTTP 400 with IAM's Throttling error, which the SDK
	// retries.
	Throttle Fault = iota + 1
	// ServerError answers HTTP 500 InternalFailure.
	ServerError
	// Unavailable answers HTTP 503 ServiceUnavailable.
	Unavailable
	// ResetBefore drops the connection before the request reaches moto:
	// nothing happened.
	ResetBefore
	// ResetAfter forwards the request to moto, then drops the connection
	// instead of answering: it happened, but the client cannot know. This is
	// the ambiguous CreateAccessKey.
	ResetAfter
	// Denied answers HTTP 403 AccessDenied, as IAM or STS refuses a caller whose policy (or a
	// role's trust policy) does not allow the call.
	Denied
	// TagLimit answers HTTP 409 LimitExceeded, as IAM refuses a tag past a user's 50 (moto
	// does not count them).
	TagLimit
)

func (f Fault) String() string {
	switch f {
	case Throttle:
		return "throttle"
	case ServerError:
		return "server error"
	case Unavailable:
		return "unavailable"
	case ResetBefore:
		return "reset before"
	case ResetAfter:
		return "reset after"
	case Denied:
		return "denied"
	case TagLimit:
		return "tag limit"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

type fault struct {
	kind  Fault
	match func(Call) bool
	left  int // calls still to fail; <0: until removed
}

// FailNext makes the next n calls of action fail with f. Faults are checked
// in the order they were added; one call takes at most one.
func (p *Proxy) FailNext(action string, n int, f Fault) {
	if n <= 0 {
		return
	}
	p.addFault(&fault{kind: f, left: n, match: func(c Call) bool { return c.Action == action }})
}

// FailWhen makes every call for which match is true fail with f, until
// the returned function is called.
func (p *Proxy) FailWhen(match func(Call) bool, f Fault) (remove func()) {
	ft := &fault{kind: f, left: -1, match: match}
	p.addFault(ft)
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for i, x := range p.faults {
			if x == ft {
				p.faults = append(p.faults[:i], p.faults[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every pending fault.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

func (p *Proxy) addFault(f *fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, f)
}

// takeFault returns the fault for c, if any, and uses it up. p.mu is held.
func (p *Proxy) takeFault(c Call) *fault {
	for i, f := range p.faults {
		if !f.match(c) {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				p.faults = append(p.faults[:i], p.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

func (p *Proxy) inject(w http.ResponseWriter, r *http.Request, c Call, f Fault) {
	switch f {
	case Throttle:
		writeError(w, r, c, http.StatusBadRequest, "Throttling", "Rate exceeded")
	case Denied:
		writeError(w, r, c, http.StatusForbidden, "AccessDenied", "User is not authorized to perform: "+actionName(c)+" (injected by the test proxy)")
	case TagLimit:
		writeError(w, r, c, http.StatusConflict, "LimitExceeded", "Cannot exceed quota for TagsPerUser: 50.")
	case ServerError:
		writeError(w, r, c, http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again.")
	case Unavailable:
		writeError(w, r, c, http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Please try again.")
	case ResetBefore:
		resetConn(w)
	case ResetAfter:
		// Let moto finish the call completely, then lose its answer.
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		resetConn(w)
	default:
		panic("emu: unknown fault " + f.String())
	}
}

// resetConn closes the client's connection with a TCP RST, as a dropped
// connection or a load balancer timing out looks to the SDK.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("emu: hijack: " + err.Error())
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// writeError answers in the error shape of the request's protocol: query
// (IAM, STS: XML, ErrorResponse>Error>Code, which the SDK reads) or JSON
// (services called with X-Amz-Target).
func writeError(w http.ResponseWriter, r *http.Request, c Call, status int, code, msg string) {
	id := requestID()
	w.Header().Set("X-Amzn-Requestid", id)
	if r.Header.Get("X-Amz-Target") != "" {
		if code == "Throttling" {
			code = "ThrottlingException"
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
		return
	}
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		namespace(c.Action), typ, code, html.EscapeString(msg), id)
}

var stsActions = map[string]bool{
	"GetCallerIdentity": true, "AssumeRole": true, "GetSessionToken": true,
	"AssumeRoleWithWebIdentity": true, "GetAccessKeyInfo": true, "GetFederationToken": true,
}

func namespace(action string) string {
	if stsActions[action] {
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	return "https://iam.amazonaws.com/doc/2010-05-08/"
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// forward sends r to moto and returns its whole answer.
func (p *Proxy) forward(r *http.Request) (status int, header http.Header, body []byte) {
	rec := httptest.NewRecorder()
	p.rp.ServeHTTP(rec, r)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func copyResponse(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		if k == "Content-Length" {
			continue
		}
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	io.Copy(w, bytes.NewReader(body))
}

// actionName is the IAM action of c as a denial names it, e.g. sts:AssumeRole.
func actionName(c Call) string {
	if stsActions[c.Action] {
		return "sts:" + c.Action
	}
	return "iam:" + c.Action
}
