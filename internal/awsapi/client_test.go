package awsapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var testCreds = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}

func testConfig(url string) aws.Config {
	return aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return testCreds, nil })}
}

// An S3 key with a character the path escapes is signed over the path as sent, as AWS checks
// it: the signature is recomputed here from what the server received.
func TestSignPathAsSent(t *testing.T) {
	for _, tc := range []struct {
		asSent bool
		match  bool
	}{{true, true}, {false, false}} {
		var got *http.Request
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Clone(context.Background()) }))
		c := New(testConfig(srv.URL), Service{ID: "S3", Prefix: "s3", SigningName: "s3", SignPathAsSent: tc.asSent})
		if _, err := c.Do(context.Background(), Call{Op: "HeadObject", Method: http.MethodHead, Path: "/b/a key.zip", ContentSHA256: true}); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if !strings.HasPrefix(got.RequestURI, "/b/a%20key.zip") {
			t.Fatalf("sent %s", got.RequestURI)
		}
		sent := got.Header.Get("Authorization")
		when, err := time.Parse("20060102T150405Z", got.Header.Get("X-Amz-Date"))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(got.Method, "http://"+got.Host+got.RequestURI, nil)
		_, signed, _ := strings.Cut(sent, "SignedHeaders=")
		signed, _, _ = strings.Cut(signed, ",")
		for _, h := range strings.Split(signed, ";") {
			if h != "host" {
				req.Header.Set(h, got.Header.Get(h))
			}
		}
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err := signer.SignHTTP(context.Background(), testCreds, req, got.Header.Get("X-Amz-Content-Sha256"), "s3", "eu-west-1", when); err != nil {
			t.Fatal(err)
		}
		if want := sig(req.Header.Get("Authorization")); (sig(sent) == want) != tc.match {
			t.Errorf("SignPathAsSent %v: signature %s, AWS's over the path as sent %s", tc.asSent, sig(sent), want)
		}
	}
}

func sig(auth string) string {
	_, s, _ := strings.Cut(auth, "Signature=")
	return s
}

func TestConfigured(t *testing.T) {
	for _, tc := range []struct {
		base *string
		want bool
	}{{aws.String("http://127.0.0.1:5000"), true}, {nil, false}} {
		cfg := testConfig("")
		cfg.BaseEndpoint = tc.base
		if got, err := New(cfg, Service{ID: "S3", Prefix: "s3"}).Configured(); err != nil || got != tc.want {
			t.Errorf("BaseEndpoint %v: Configured() = %v, %v; want %v", aws.ToString(tc.base), got, err, tc.want)
		}
	}
}
