package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Client sends JSON requests to one cluster's API server as the configured user.
type Client struct {
	Config *Config
	http   *http.Client
	token  string // from the config or its exec plugin; a token file is read per request
	env    []string
	// renewed is set once the exec plugin was run again after a 401: a token that expired
	// during the run is renewed once, as kubectl does, and a refused new one is final.
	renewed bool
}

// Connect builds the client: TLS from the cluster's CA and the user's certificate, and the
// user's token, running the exec plugin once (env is what it inherits, as under kubectl).
func Connect(ctx context.Context, c *Config, env []string) (*Client, error) {
	tc := &tls.Config{InsecureSkipVerify: c.Insecure, ServerName: c.TLSServerName, MinVersion: tls.VersionTLS12}
	if len(c.CAData) > 0 && !c.Insecure {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(c.CAData) {
			return nil, &ConfigError{fmt.Sprintf("%s: the cluster's certificate authority is not PEM; fix certificate-authority(-data)", c.Source)}
		}
		tc.RootCAs = pool
	}
	cl := &Client{Config: c, token: c.Token, env: env}
	cert, key := c.CertData, c.KeyData
	if c.Exec != nil {
		cred, err := runExec(ctx, c, env)
		if err != nil {
			return nil, err
		}
		cl.token = cred.Token
		if cred.ClientCertificateData != "" {
			cert, key = []byte(cred.ClientCertificateData), []byte(cred.ClientKeyData)
		}
	}
	if cert != nil {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, &ConfigError{fmt.Sprintf("%s: the user's client certificate and key do not load as a PEM pair; fix client-certificate and client-key", c.Source)}
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	// A request the API server never answers must not hold a rotation (and its record) forever.
	cl.http = &http.Client{Transport: tr, Timeout: requestTimeout}
	return cl, nil
}

const requestTimeout = 30 * time.Second

// StatusError is the API server's refusal: its metav1.Status.
type StatusError struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason"` // NotFound, AlreadyExists, Conflict, Forbidden, Unauthorized, …
	Message string `json:"message"`
	Details struct {
		Name string `json:"name"`
		Kind string `json:"kind"` // "secrets", "namespaces", …
	} `json:"details"`
}

func (e *StatusError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s (%d)", e.Message, e.Code)
	}
	return fmt.Sprintf("%s (%d)", http.StatusText(e.Code), e.Code)
}

// Code is err's HTTP status when the API server refused, else 0.
func Code(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// Do sends body (JSON, or nil) to path with contentType and decodes the answer into out (nil
// to ignore it). A refusal is a *StatusError.
func (c *Client) Do(ctx context.Context, method, path, contentType string, body, out any) error {
	err := c.do(ctx, method, path, contentType, body, out)
	if Code(err) != http.StatusUnauthorized || c.Config.Exec == nil || c.renewed {
		return err
	}
	c.renewed = true
	cred, xerr := runExec(ctx, c.Config, c.env)
	if xerr != nil || cred.Token == "" {
		return err
	}
	c.token = cred.Token
	return c.do(ctx, method, path, contentType, body, out)
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Config.Server, "/")+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if err := c.authorize(req); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode/100 != 2 {
		se := &StatusError{}
		if json.Unmarshal(b, se) != nil || se.Code == 0 {
			se = &StatusError{Code: resp.StatusCode}
		}
		return se
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("the API server's answer is not JSON: %w", err)
		}
	}
	return nil
}

func (c *Client) authorize(req *http.Request) error {
	token := c.token
	// A token file wins over a token, as under kubectl: it is what kubelet keeps rotating.
	if c.Config.TokenFile != "" && c.Config.Exec == nil {
		b, err := os.ReadFile(c.Config.TokenFile)
		if err != nil {
			return &ConfigError{fmt.Sprintf("%s: cannot read the token file %s: %v", c.Config.Source, c.Config.TokenFile, errors.Unwrap(err))}
		}
		token = strings.TrimSpace(string(b))
	}
	switch {
	case token != "":
		req.Header.Set("Authorization", "Bearer "+token)
	case c.Config.Username != "":
		req.SetBasicAuth(c.Config.Username, c.Config.Password)
	}
	return nil
}
