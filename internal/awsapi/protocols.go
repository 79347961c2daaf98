package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/smithy-go"
)

// Query calls op of a query-protocol service (CloudFormation, SES, SNS): the parameters as a
// form, the answer's <OpResult> unmarshalled into out (nil ignores it).
func (c *Client) Query(ctx context.Context, op, version string, params url.Values, out any) error {
	form := url.Values{"Action": {op}, "Version": {version}}
	for k, vs := range params {
		form[k] = vs
	}
	resp, err := c.Do(ctx, Call{Op: op, Body: []byte(form.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if err != nil || out == nil {
		return err
	}
	return c.decodeResult(op, resp.Body, out)
}

// decodeResult unmarshals <OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>'s
// result into out; an answer without one leaves out as it was.
func (c *Client) decodeResult(op string, body []byte, out any) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return deserialization(c.svc.ID, op, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == op+"Result" {
				if err := dec.DecodeElement(out, &t); err != nil {
					return deserialization(c.svc.ID, op, err)
				}
				return nil
			}
		case xml.EndElement:
			depth--
		}
	}
}

// JSON calls op of a JSON 1.1 service (CloudTrail): in as the body, the answer into out (nil
// ignores it). target is the X-Amz-Target prefix, e.g.
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101".
func (c *Client) JSON(ctx context.Context, target, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return c.SerializationError(op, err)
	}
	resp, err := c.Do(ctx, Call{Op: op, Body: body, DecodeError: JSONError, Header: http.Header{
		"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {target + "." + op}}})
	if err != nil {
		return err
	}
	return c.decodeJSON(op, resp.Body, out)
}

// RESTJSON calls op of a REST-JSON service (Security Hub) at method and path.
func (c *Client) RESTJSON(ctx context.Context, op, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return c.SerializationError(op, err)
		}
	}
	resp, err := c.Do(ctx, Call{Op: op, Method: method, Path: path, Body: body, DecodeError: JSONError,
		Header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		return err
	}
	return c.decodeJSON(op, resp.Body, out)
}

func (c *Client) decodeJSON(op string, body []byte, out any) error {
	if out == nil || len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return deserialization(c.svc.ID, op, err)
	}
	return nil
}

// SerializationError is the error of a request that could not be written, as the SDK's
// clients return it.
func (c *Client) SerializationError(op string, err error) error {
	return &smithy.OperationError{ServiceID: c.svc.ID, OperationName: op, Err: &smithy.SerializationError{Err: err}}
}

func deserialization(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op,
		Err: &smithy.DeserializationError{Err: fmt.Errorf("the answer is not the %s API's: %w", service, err)}}
}

// XMLError is the API error of a query or REST-XML answer: <ErrorResponse><Error>…, S3's
// <Error>…, or, for a body-less answer (S3's HEAD), the status's usual code.
func XMLError(status int, _ http.Header, body []byte) error {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Type    string `xml:"Type"`
		Inner   *struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
			Type    string `xml:"Type"`
		} `xml:"Error"`
	}
	if xml.Unmarshal(body, &e) == nil && e.Inner != nil {
		e.Code, e.Message, e.Type = e.Inner.Code, e.Inner.Message, e.Inner.Type
	}
	if e.Code == "" {
		e.Code = statusCode(status)
	}
	fault := smithy.FaultUnknown
	switch {
	case e.Type == "Sender" || status < 500:
		fault = smithy.FaultClient
	case e.Type == "Receiver" || status >= 500:
		fault = smithy.FaultServer
	}
	return &smithy.GenericAPIError{Code: e.Code, Message: e.Message, Fault: fault}
}

// JSONError is the API error of a JSON answer: the code from X-Amzn-ErrorType or the body's
// __type (code, Code), without its namespace.
func JSONError(status int, h http.Header, body []byte) error {
	var e struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		CodeUp   string `json:"Code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &e)
	code := h.Get("X-Amzn-ErrorType")
	for _, c := range []string{e.Type, e.Code, e.CodeUp} {
		if code == "" {
			code = c
		}
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = statusCode(status)
	}
	msg := e.Message
	if msg == "" {
		msg = e.MessageU
	}
	fault := smithy.FaultClient
	if status >= 500 {
		fault = smithy.FaultServer
	}
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: fault}
}

func statusCode(status int) string {
	switch status {
	case http.StatusMovedPermanently:
		return "PermanentRedirect"
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	}
	return "HTTP" + strconv.Itoa(status)
}
