package awsconfig

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func endpoint(t *testing.T, status int, ctype, body string) aws.Config {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""),
	}
	Normalize(&cfg)
	Normalize(&cfg) // twice is once
	return cfg
}

// moto's shape for auth failures, which the SDK alone reads as UnknownError.
const motoDenied = `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors><RequestId>r1</RequestId></ErrorResponse>`

func TestNormalizeReadsCodesAnywhere(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		call              func(aws.Config) error
		code              string
	}{
		{"moto's query-protocol shape", "text/xml", motoDenied, callSTS, "InvalidClientTokenId"},
		{"AWS's own shape untouched", "text/xml",
			`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`, callSTS, "AccessDenied"},
		{"a JSON-protocol service answered in XML", "text/xml", motoDenied, callSSM, "InvalidClientTokenId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call(endpoint(t, 403, c.ctype, c.body))
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != c.code {
				t.Fatalf("err = %v, want code %s", err, c.code)
			}
		})
	}
}

func TestNormalizeNamesAnEndpointThatIsNotAWS(t *testing.T) {
	for _, c := range []struct {
		status int
		ctype  string
	}{{200, "text/html; charset=utf-8"}, {404, "text/plain"}, {502, ""}} {
		err := callSTS(endpoint(t, c.status, c.ctype, "<!DOCTYPE html><html><body>hello</body></html>"))
		var na *NotAWSError
		if !errors.As(err, &na) || na.Status != c.status || na.Operation != "sts:GetCallerIdentity" || !strings.HasPrefix(na.Endpoint, "http://127.0.0.1:") {
			t.Fatalf("status %d %q: err = %v, want a NotAWSError", c.status, c.ctype, err)
		}
		if strings.Contains(na.Error(), "hello") {
			t.Errorf("the message echoes the body: %s", na.Error())
		}
	}
}

func callSTS(cfg aws.Config) error {
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	return err
}

func callSSM(cfg aws.Config) error {
	_, err := ssm.NewFromConfig(cfg).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("x")})
	return err
}
