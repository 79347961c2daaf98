package emu

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
)

// moto answers authentication and authorization failures (InvalidClientTokenId,
// SignatureDoesNotMatch, AccessDenied) as
// <ErrorResponse><Errors><Error>…</Error></Errors></ErrorResponse>, unlike AWS
// and unlike moto's own service errors. The aws CLI copes; aws-sdk-go-v2 reads
// ErrorResponse>Error>Code only and reports "UnknownError", so a client could
// not tell AccessDenied from a bad key. Every endpoint this package hands out
// rewrites that shape to AWS's.
var motoErrorsRE = regexp.MustCompile(`(?s)<ErrorResponse>\s*<Errors>\s*(<Error>.*</Error>)\s*</Errors>\s*</ErrorResponse>`)

func fixErrorShape(res *http.Response) error {
	if res.StatusCode < 400 {
		return nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if m := motoErrorsRE.FindSubmatch(body); m != nil {
		id := res.Header.Get("X-Amzn-Requestid")
		if id == "" {
			id = requestID()
		}
		body = []byte(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">` + string(m[1]) + `<RequestId>` + id + `</RequestId></ErrorResponse>`)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// newReverseProxy forwards to target, keeping the Host the client signed
// (SigV4 covers it) and fixing moto's error shape.
func newReverseProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: fixErrorShape,
	}
}

// front serves moto through newReverseProxy on a loopback port of its own.
func front(target string) (addr string, stop func(), err error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: newReverseProxy(u)}
	go hs.Serve(l)
	return "http://" + l.Addr().String(), func() { hs.Close() }, nil
}
