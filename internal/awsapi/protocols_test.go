package awsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/awserr"
)

func TestErrorAnswersBecomeTheSDKsAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		decode    func(int, http.Header, []byte) error
		status    int
		header    http.Header
		body      string
		code, msg string
		fault     smithy.ErrorFault
	}{
		{"query", XMLError, 400, nil, `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
			"ValidationError", "Stack with id x does not exist", smithy.FaultClient},
		{"query throttle", XMLError, 400, nil, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`,
			"Throttling", "Rate exceeded", smithy.FaultClient},
		{"s3", XMLError, 409, nil, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>BucketAlreadyExists</Code><Message>taken</Message><RequestId>r</RequestId></Error>`,
			"BucketAlreadyExists", "taken", smithy.FaultClient},
		{"s3 head", XMLError, 404, nil, ``, "NotFound", "", smithy.FaultClient},
		{"server", XMLError, 503, nil, `<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>m</Message></Error></ErrorResponse>`,
			"ServiceUnavailable", "m", smithy.FaultServer},
		{"json 1.1", JSONError, 400, nil, `{"__type":"com.amazonaws.cloudtrail.v20131101#InvalidLookupAttributesException","message":"bad"}`,
			"InvalidLookupAttributesException", "bad", smithy.FaultClient},
		{"rest-json header", JSONError, 403, http.Header{"X-Amzn-Errortype": {"AccessDeniedException:http://internal.amazon.com/"}}, `{"Message":"no"}`,
			"AccessDeniedException", "no", smithy.FaultClient},
		{"rest-json code", JSONError, 400, nil, `{"Code":"InvalidInputException","Message":"bad filter"}`,
			"InvalidInputException", "bad filter", smithy.FaultClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			var ae *smithy.GenericAPIError
			if err := tc.decode(tc.status, h, []byte(tc.body)); !errors.As(err, &ae) || ae.Code != tc.code || ae.Message != tc.msg || ae.Fault != tc.fault {
				t.Fatalf("got %#v; want code %q message %q fault %v", err, tc.code, tc.msg, tc.fault)
			}
		})
	}
}

func TestQueryResultDecodesOnlyTheResult(t *testing.T) {
	var out struct {
		ID     string   `xml:"StackId"`
		Status []string `xml:"Stacks>member>StackStatus"`
	}
	body := `<CreateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><CreateStackResult><StackId>arn:1</StackId>` +
		`<Stacks><member><StackStatus>CREATE_COMPLETE</StackStatus></member><member><StackStatus>UPDATE_COMPLETE</StackStatus></member></Stacks>` +
		`</CreateStackResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateStackResponse>`
	if err := New(aws.Config{}, Service{ID: "CloudFormation"}).decodeResult("CreateStack", []byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != "arn:1" || strings.Join(out.Status, ",") != "CREATE_COMPLETE,UPDATE_COMPLETE" {
		t.Fatalf("got %+v", out)
	}
}

// A call is retried by the config's retryer, runs the config's APIOptions, and fails with the
// error chain the SDK's clients fail with, so awserr reads it as it reads theirs.
func TestCallsRetryAndFailAsTheSDKsDo(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/sns/aws4_request") {
			t.Errorf("request %d not signed for sns in us-east-1: %q", n, r.Header.Get("Authorization"))
		}
		w.Header().Set("X-Amzn-Requestid", "req-1")
		if n == 1 {
			w.WriteHeader(400)
			w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`))
			return
		}
		w.WriteHeader(404)
		w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>`))
	}))
	defer srv.Close()
	var throttled []string
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		}}
	awsconfig.Normalize(&cfg)
	ctx := awsconfig.OnThrottle(context.Background(), func(s string) { throttled = append(throttled, s) })
	err := New(cfg, Service{ID: "SNS", Prefix: "sns", SigningName: "sns"}).Query(ctx, "Publish", "2010-03-31", nil, nil)
	var oe *smithy.OperationError
	var re *awshttp.ResponseError
	if !errors.As(err, &oe) || oe.ServiceID != "SNS" || oe.OperationName != "Publish" || !errors.As(err, &re) || re.HTTPStatusCode() != 404 || re.RequestID != "req-1" {
		t.Fatalf("error chain: %#v", err)
	}
	if awserr.Code(err) != "NotFound" || calls.Load() != 2 || len(throttled) != 1 || throttled[0] != "SNS" {
		t.Fatalf("code %q after %d calls, throttle notices %v", awserr.Code(err), calls.Load(), throttled)
	}
}
