package awsconfig

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	htmlPage  = `<!doctype html><html lang=en><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>`
	awsFault  = `<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`
	noID      = `<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error></ErrorResponse>`
	throttled = `<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`
	identity  = `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`
)

// answer is what the stand-in endpoint says to one request.
type answer struct {
	status    int
	ctype     string
	requestID string
	body      string
}

// A 5xx that is not AWS's API (moto's HTML page for a feature it lacks, or a 5xx without a
// request id) is sent twice, not the retryer's full count; AWS's own 5xx and throttles keep
// every attempt, and a glitch that passes is still retried through.
func TestForeignServerErrorsAreRetriedOnce(t *testing.T) {
	const attempts = 6
	html := answer{500, "text/html; charset=utf-8", "", htmlPage}
	ok := answer{200, "text/xml", "r-2", identity}
	cases := []struct {
		name      string
		answers   []answer // the last one repeats
		wantCalls int
		wantErr   bool
		throttles int
	}{
		{"moto's HTML 500", []answer{html}, ForeignServerErrorAttempts, true, 0},
		{"a shaped 503 without a request id", []answer{{503, "text/xml", "", noID}}, ForeignServerErrorAttempts, true, 0},
		{"AWS's own 500 with a request id", []answer{{500, "text/xml", "r-1", awsFault}}, attempts, true, 0},
		{"throttling", []answer{{400, "text/xml", "r-1", throttled}}, attempts, true, attempts},
		{"a throttle before an HTML 500 does not use up its retry", []answer{{400, "text/xml", "r-1", throttled}, html, ok}, 3, false, 1},
		{"one HTML 500 then the answer", []answer{html, ok}, 2, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				a := c.answers[min(int(calls.Add(1)), len(c.answers))-1]
				w.Header().Set("Content-Type", a.ctype)
				if a.requestID != "" {
					w.Header().Set("X-Amzn-Requestid", a.requestID)
				}
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			}))
			defer srv.Close()
			cfg := aws.Config{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", secret, ""),
				Retryer: func() aws.Retryer {
					return retry.NewStandard(func(o *retry.StandardOptions) {
						o.Backoff = retry.BackoffDelayerFunc(noDelay)
						o.MaxAttempts = attempts
						o.RateLimiter = noRateLimit{}
					})
				},
			}
			Normalize(&cfg)
			var told atomic.Int32
			ctx := OnThrottle(context.Background(), func(service string) {
				if service != "STS" {
					t.Errorf("throttle told for %q, want STS", service)
				}
				told.Add(1)
			})
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if (err != nil) != c.wantErr || int(calls.Load()) != c.wantCalls || int(told.Load()) != c.throttles {
				t.Fatalf("err %v after %d calls, %d throttles told; want error %v after %d calls, %d told",
					err, calls.Load(), told.Load(), c.wantErr, c.wantCalls, c.throttles)
			}
			var na *NotAWSError
			if c.wantErr && c.answers[0].ctype == html.ctype && !errors.As(err, &na) {
				t.Fatalf("err = %v, want the NotAWSError still in the chain", err)
			}
		})
	}
}

// noRateLimit lets every retry through: the retry quota is not what these cases are about.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }
