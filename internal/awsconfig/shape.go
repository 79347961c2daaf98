package awsconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// NotAWSError is an answer that is neither AWS XML nor AWS JSON: AWS_ENDPOINT_URL names a web
// server, a proxy's error page, or a captive portal. The SDK would report an XML syntax error.
type NotAWSError struct {
	Endpoint    string // scheme://host of the request
	Operation   string // e.g. "sts:GetCallerIdentity"
	Status      int
	ContentType string
}

func (e *NotAWSError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("the endpoint %s answered %s with HTTP %d (%s), which is not an AWS answer; check AWS_ENDPOINT_URL and --region",
		e.Endpoint, e.Operation, e.Status, ct)
}

// Normalize makes every client built from cfg read error answers of endpoints that are not
// shaped exactly like AWS. moto wraps its authentication and authorization failures as
// <ErrorResponse><Errors><Error>…, which aws-sdk-go-v2 reads as "UnknownError"; keywarden finds
// the <Code> itself and hands the SDK AWS's shape, so a rejected key is InvalidClientTokenId and a
// denial is AccessDenied whatever the endpoint. An answer that is not XML or JSON at all becomes
// a NotAWSError naming the endpoint and what came back; such an answer with a 5xx, or a 5xx
// without a request id, is sent at most ForeignServerErrorAttempts times.
func Normalize(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, addShapeMiddleware, addAttemptMiddleware)
}

func addShapeMiddleware(s *middleware.Stack) error {
	if _, ok := s.Deserialize.Get(shapeID); ok {
		return nil
	}
	// After: innermost in the deserialize step, so it sees the raw answer before the SDK parses it.
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc(shapeID, fixShape), middleware.After)
}

const shapeID = "keywarden.ErrorShape"

// maxErrorBody bounds what is read of an error answer; AWS's are a few hundred bytes.
const maxErrorBody = 1 << 20

func fixShape(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp == nil {
		return out, md, nil
	}
	service := awsmiddleware.GetServiceID(ctx)
	if service == "S3" {
		// Objects carry any content type; S3's errors are read well by the SDK already.
		return out, md, nil
	}
	ct := resp.Header.Get("Content-Type")
	kind := bodyKind(ct)
	if resp.StatusCode < 300 && kind != kindOther {
		return out, md, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if rerr != nil {
		return out, md, rerr
	}
	if kind == kindOther {
		kind = sniff(body)
	}
	if kind == kindOther {
		endpoint := ""
		if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
			endpoint = req.URL.Scheme + "://" + req.URL.Host
		}
		return out, md, &NotAWSError{
			Endpoint:    endpoint,
			Operation:   strings.ToLower(strings.ReplaceAll(service, " ", "")) + ":" + awsmiddleware.GetOperationName(ctx),
			Status:      resp.StatusCode,
			ContentType: ct,
		}
	}
	if kind == kindXML && resp.StatusCode >= 300 {
		if code, msg, ok := findCode(body); ok {
			switch {
			case jsonProtocol(in.Request):
				// A JSON-protocol service (Secrets Manager, SSM) answered in XML: moto's auth errors.
				body = jsonShape(code, msg)
				resp.Header.Set("Content-Type", "application/x-amz-json-1.1")
			case !wellShaped(body):
				body = awsShape(code, msg, resp.Header.Get("X-Amzn-Requestid"))
			}
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return out, md, nil
}

type kind int

const (
	kindOther kind = iota
	kindXML
	kindJSON
)

func bodyKind(contentType string) kind {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return kindOther
	}
	switch {
	case strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml"):
		return kindXML
	case strings.HasSuffix(mt, "/json") || strings.HasSuffix(mt, "+json") || strings.HasPrefix(mt, "application/x-amz-json"):
		return kindJSON
	}
	return kindOther
}

// sniff decides by the body when the content type says nothing useful (some servers send none).
func sniff(body []byte) kind {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0:
		// An empty answer: the SDK's own reading (by status) is the best there is.
		return kindXML
	case b[0] == '{':
		return kindJSON
	case bytes.HasPrefix(b, []byte("<?xml")) || (b[0] == '<' && !bytes.HasPrefix(bytes.ToLower(b), []byte("<!doctype html")) && !bytes.HasPrefix(bytes.ToLower(b), []byte("<html"))):
		return kindXML
	}
	return kindOther
}

// wellShaped is AWS's query-protocol error: <ErrorResponse><Error><Code>, which the SDK reads.
func wellShaped(body []byte) bool {
	var v struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Error   struct {
			Code string `xml:"Code"`
		} `xml:"Error"`
	}
	return xml.Unmarshal(body, &v) == nil && v.Error.Code != ""
}

// findCode returns the first <Code> and <Message> anywhere in an XML document.
func findCode(body []byte) (code, msg string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return code, msg, code != ""
		}
		se, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		var s string
		switch se.Name.Local {
		case "Code":
			if code == "" && d.DecodeElement(&s, &se) == nil {
				code = strings.TrimSpace(s)
			}
		case "Message":
			if msg == "" && d.DecodeElement(&s, &se) == nil {
				msg = strings.TrimSpace(s)
			}
		}
	}
}

func jsonProtocol(r any) bool {
	req, ok := r.(*smithyhttp.Request)
	return ok && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-amz-json")
}

func jsonShape(code, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	return b
}

func awsShape(code, msg, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse><Error><Type>Sender</Type><Code>`)
	xml.EscapeText(&b, []byte(code))
	b.WriteString(`</Code><Message>`)
	xml.EscapeText(&b, []byte(msg))
	b.WriteString(`</Message></Error><RequestId>`)
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString(`</RequestId></ErrorResponse>`)
	return b.Bytes()
}
