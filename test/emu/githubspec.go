package emu

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// githubOpenAPI is GitHub's published description pruned to what GitHub serves here, made by
// testdata/gen-github-openapi.sh (its info names the npm package, version and source sha256).
//
//go:embed testdata/github-openapi.json
var githubOpenAPI []byte

type ghSpec struct {
	doc    *openapi3.T
	router routers.Router
	errors *openapi3.Schema // basic-error: the body of every answer the operations do not list
}

var loadGHSpec = sync.OnceValues(func() (*ghSpec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(githubOpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load GitHub's OpenAPI description: %w", err)
	}
	dropNullExamples(doc)
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("GitHub's OpenAPI description: %w", err)
	}
	// Routed by path alone: the stand-in is reached at its own address, not api.github.com.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route GitHub's OpenAPI description: %w", err)
	}
	basic := doc.Components.Schemas["basic-error"]
	if basic == nil || basic.Value == nil {
		return nil, errors.New("GitHub's OpenAPI description has no basic-error schema")
	}
	return &ghSpec{doc, router, basic.Value}, nil
})

// dropNullExamples removes the examples GitHub writes as "value": null (an empty answer's):
// valid OpenAPI, but kin-openapi reads null as no value and refuses the description for it.
// Examples are documentation; nothing is validated against them.
func dropNullExamples(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				for _, mt := range resp.Value.Content {
					for name, ex := range mt.Examples {
						if ex.Value != nil && ex.Value.Value == nil && ex.Value.ExternalValue == "" {
							delete(mt.Examples, name)
						}
					}
				}
			}
		}
	}
}

// ghExchange is one request the stand-in served and what it answered.
type ghExchange struct {
	req         *http.Request // its Body is spent; reqBody holds it
	reqBody     []byte
	status      int
	header      http.Header
	body        []byte
	operationID string // set by check once the request is routed
}

// check holds the exchange to GitHub's description and returns what does not match, each as one
// line naming the operation: the request (method, path, path parameters, body) against the
// operation, the answer (status, body) against the operation's response for that status, or
// against GitHub's basic-error when it is an error the operation does not list.
func (s *ghSpec) check(x *ghExchange) []string {
	op := x.req.Method + " " + x.req.URL.Path
	route, params, err := s.router.FindRoute(x.req)
	if err != nil {
		return []string{fmt.Sprintf("GitHub OpenAPI: %s: no such operation in GitHub's description (%v)", op, err)}
	}
	x.operationID = route.Operation.OperationID
	op = fmt.Sprintf("%s (%s)", op, x.operationID)
	ctx := context.Background()
	req := x.req.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	var problems []string
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		problems = append(problems, fmt.Sprintf("GitHub OpenAPI: %s: request: %s", op, oneLine(err)))
	}
	if route.Operation.Responses.Status(x.status) == nil && x.status >= 400 {
		if p := s.checkError(x); p != "" {
			problems = append(problems, fmt.Sprintf("GitHub OpenAPI: %s: %d answer: %s", op, x.status, p))
		}
		return problems
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.status, Header: x.header,
		Body: io.NopCloser(bytes.NewReader(x.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, fmt.Sprintf("GitHub OpenAPI: %s: %d answer: %s", op, x.status, oneLine(err)))
	}
	return problems
}

func (s *ghSpec) checkError(x *ghExchange) string {
	if mt, _, _ := mime.ParseMediaType(x.header.Get("Content-Type")); mt != "application/json" {
		return fmt.Sprintf("Content-Type %q, not GitHub's application/json", x.header.Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(x.body, &v); err != nil {
		return "body is not JSON: " + err.Error()
	}
	if err := s.errors.VisitJSON(v); err != nil {
		return "not GitHub's basic-error: " + oneLine(err)
	}
	return ""
}

// oneLine is kin-openapi's error without the schema and value it dumps: the reason and where.
func oneLine(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		msg := se.Reason
		if p := se.JSONPointer(); len(p) > 0 {
			msg = fmt.Sprintf("at /%s: %s", strings.Join(p, "/"), msg)
		}
		var re *openapi3filter.RequestError
		if errors.As(err, &re) && re.Parameter != nil {
			msg = fmt.Sprintf("parameter %q %s", re.Parameter.Name, msg)
		}
		return msg
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
