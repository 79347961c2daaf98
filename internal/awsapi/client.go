// Package awsapi calls the AWS services keywarden makes only a few calls to (CloudFormation,
// S3, Security Hub, CloudTrail, SES, SNS) without linking the SDK's generated client for each.
// Every generated client builds its endpoint table and compiles its partitions' regexps at
// package init, in every run of the binary whether the run calls that service or not: about
// 0.37 ms of start-up each (docs/benchmarks.md). A call here goes through the SDK's own
// middleware stack as a generated client's does (the config's credentials, region, HTTP
// client and retryer; SigV4; keywarden's APIOptions: --debug, the error shape, throttle
// notices), and its errors wrap the same types (smithy.OperationError around
// awshttp.ResponseError around a smithy.APIError), so internal/awserr classifies them as it
// classifies the SDK's. What is left to each service's package is its wire format: the few
// operations keywarden calls, with the SDK's names for their inputs and outputs.
package awsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Service names one AWS service.
type Service struct {
	// ID is the SDK's service ID ("CloudFormation"): errors name it, and it selects
	// AWS_ENDPOINT_URL_<ID> and the config file's services section.
	ID string
	// Prefix is the endpoint's first label: https://<Prefix>.<region>.amazonaws.com.
	Prefix string
	// SigningName is SigV4's service name.
	SigningName string
	// Global services (Organizations) have one endpoint per partition, in that partition's
	// first region, whatever region the config names.
	Global bool
	// Typed, if set, returns the service's own error type for an API error whose code it
	// models (as the SDK's clients return *types.ResourceNotFoundException), or e unchanged.
	Typed func(e *smithy.GenericAPIError) error
	// SignPathAsSent signs the request's path as it goes on the wire instead of escaping it
	// again: S3's object keys are escaped once, and AWS checks the signature over that.
	SignPathAsSent bool
}

// Client calls one service with one aws.Config.
type Client struct {
	cfg aws.Config
	svc Service
	// One retryer for the client's life, as the SDK's clients have: the adaptive mode's rate
	// and retry tokens are learnt across calls.
	retryer aws.Retryer
	// endpoint is resolved on the first call and kept (Endpoint).
	endpoint func() (endpoint, error)
}

// New returns the client of svc for cfg.
func New(cfg aws.Config, svc Service) *Client {
	r := aws.Retryer(nil)
	if cfg.Retryer != nil {
		r = cfg.Retryer()
	}
	if r == nil {
		r = retry.NewStandard()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = awshttp.NewBuildableClient()
	}
	c := &Client{cfg: cfg, svc: svc, retryer: r}
	c.endpoint = sync.OnceValues(c.resolve)
	return c
}

// Region is the region calls go to and are signed for.
func (c *Client) Region() string {
	if !c.svc.Global {
		return c.cfg.Region
	}
	switch suffix := dnsSuffix(c.cfg.Region); {
	case suffix == "amazonaws.com.cn":
		return "cn-northwest-1"
	case strings.HasPrefix(c.cfg.Region, "us-gov-"):
		return "us-gov-west-1"
	case suffix != "amazonaws.com":
		return c.cfg.Region
	}
	return "us-east-1"
}

// Call is one HTTP request to the service.
type Call struct {
	Op     string // the operation's name, for errors and --debug
	Method string
	// Path is joined to the endpoint's own path; "" is "/".
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// URL, if set, rewrites the resolved URL (S3's virtual-hosted buckets).
	URL func(*url.URL)
	// ContentSHA256 sends the payload's hash as x-amz-content-sha256 (S3 requires it).
	ContentSHA256 bool
	// DecodeError turns an answer of status 300 or more into the service's API error.
	DecodeError func(status int, h http.Header, body []byte) error
}

// Response is a successful answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends call and returns the answer, or the error the SDK would return for it.
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	ctx = middleware.ClearStackValues(ctx)
	ctx = middleware.WithServiceID(ctx, c.svc.ID)
	ctx = middleware.WithOperationName(ctx, call.Op)
	stack := middleware.NewStack(call.Op, smithyhttp.NewStackRequest)
	if err := c.build(stack, call); err != nil {
		return nil, &smithy.OperationError{ServiceID: c.svc.ID, OperationName: call.Op, Err: err}
	}
	out, _, err := middleware.DecorateHandler(smithyhttp.NewClientHandler(c.cfg.HTTPClient), stack).Handle(ctx, nil)
	if err != nil {
		return nil, &smithy.OperationError{ServiceID: c.svc.ID, OperationName: call.Op, Err: err}
	}
	return out.(*Response), nil
}

func (c *Client) build(stack *middleware.Stack, call Call) error {
	steps := []func() error{
		func() error {
			return stack.Initialize.Add(&awsmiddleware.RegisterServiceMetadata{
				ServiceID: c.svc.ID, SigningName: c.svc.SigningName, Region: c.Region(), OperationName: call.Op,
			}, middleware.Before)
		},
		func() error { return stack.Serialize.Add(&serializer{call: call, c: c}, middleware.After) },
		func() error { return stack.Finalize.Add(&resolveEndpoint{c: c, call: call}, middleware.After) },
		func() error { return v4.AddComputePayloadSHA256Middleware(stack) },
		func() error {
			if !call.ContentSHA256 {
				return nil
			}
			return v4.AddContentSHA256HeaderMiddleware(stack)
		},
		func() error {
			//lint:ignore SA1019 the generated clients' replacement is internal to each of them.
			return stack.Finalize.Add(v4.NewSignHTTPRequestMiddleware(v4.SignHTTPRequestMiddlewareOptions{ //nolint:staticcheck
				CredentialsProvider: c.cfg.Credentials, Signer: v4.NewSigner(func(o *v4.SignerOptions) {
					o.DisableURIPathEscaping = c.svc.SignPathAsSent
				}),
			}), middleware.After)
		},
		func() error {
			return retry.AddRetryMiddlewares(stack, retry.AddRetryMiddlewaresOptions{Retryer: c.retryer})
		},
		func() error { return smithyhttp.AddComputeContentLengthMiddleware(stack) },
		func() error { return awsmiddleware.AddClientRequestIDMiddleware(stack) },
		func() error { return awsmiddleware.AddRequestUserAgentMiddleware(stack) },
		func() error {
			return stack.Deserialize.Add(&deserializer{call: call, typed: c.svc.Typed}, middleware.After)
		},
		func() error { return awsmiddleware.AddRawResponseToMetadata(stack) },
		func() error { return awsmiddleware.AddRequestIDRetrieverMiddleware(stack) },
		func() error { return awshttp.AddResponseErrorMiddleware(stack) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, fn := range c.cfg.APIOptions {
		if err := fn(stack); err != nil {
			return err
		}
	}
	return nil
}

type serializer struct {
	call Call
	c    *Client
}

func (*serializer) ID() string { return "OperationSerializer" }

func (m *serializer) HandleSerialize(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
	}
	req.Method = m.call.Method
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	req.URL.Path = m.call.Path
	if req.URL.Path == "" {
		req.URL.Path = "/"
	}
	req.URL.RawQuery = m.call.Query.Encode()
	for k, vs := range m.call.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if m.call.Body != nil {
		var err error
		if req, err = req.SetStream(bytes.NewReader(m.call.Body)); err != nil {
			return middleware.SerializeOutput{}, middleware.Metadata{}, err
		}
	}
	in.Request = req
	// Where SigV4's signer finds its scope (RegisterServiceMetadata sets the endpoint's region).
	ctx = awsmiddleware.SetSigningName(ctx, m.c.svc.SigningName)
	ctx = awsmiddleware.SetSigningRegion(ctx, m.c.Region())
	return next.HandleSerialize(ctx, in)
}

// resolveEndpoint puts the endpoint under the serialized path, inside the retry loop's reach of
// no state: the URL is all it sets.
type resolveEndpoint struct {
	c    *Client
	call Call
}

func (*resolveEndpoint) ID() string { return "ResolveEndpointV2" }

func (m *resolveEndpoint) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
	}
	base, err := m.c.Endpoint()
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	req.URL.Scheme, req.URL.Host = base.Scheme, base.Host
	req.URL.Path = strings.TrimSuffix(base.Path, "/") + req.URL.Path
	req.URL.RawPath = ""
	if m.call.URL != nil {
		m.call.URL(req.URL)
	}
	req.Host = ""
	return next.HandleFinalize(ctx, in)
}

type deserializer struct {
	call  Call
	typed func(*smithy.GenericAPIError) error
}

func (*deserializer) ID() string { return "OperationDeserializer" }

func (m *deserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("unexpected response type %T", out.RawResponse)}
	}
	body, err := readBody(resp)
	if err != nil {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("read the answer: %w", err)}
	}
	if resp.StatusCode >= 300 {
		decode := m.call.DecodeError
		if decode == nil {
			decode = XMLError
		}
		err := decode(resp.StatusCode, resp.Header, body)
		var ge *smithy.GenericAPIError
		if m.typed != nil && errors.As(err, &ge) {
			err = m.typed(ge)
		}
		return out, md, err
	}
	out.Result = &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	return out, md, nil
}
