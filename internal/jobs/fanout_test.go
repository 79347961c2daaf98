package jobs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/policy"
)

// STS throttling the caller's AssumeRole calls shrinks the accounts in flight; every account is
// still opened (its retryer waits the throttle out) and none is its failure.
func TestEachShrinksTheWindowWhenAssumeRoleIsThrottled(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		role := r.Form.Get("RoleArn")
		mu.Lock()
		first := !seen[role]
		seen[role] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-Requestid", "r-1")
		if first {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`))
			return
		}
		_, _ = w.Write([]byte(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>` +
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `</Expiration></Credentials><AssumedRoleUser><Arn>` + role + `</Arn><AssumedRoleId>AROA:keywarden</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`))
	}))
	defer srv.Close()
	base := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimitNone{}
			})
		},
	}
	awsconfig.Normalize(&base)
	spec := policy.Accounts{Role: "KeywardenMember"}
	for i := range 40 {
		spec.IDs = append(spec.IDs, strconv.Itoa(100000000000+i))
	}
	accts, err := accounts.Resolve(context.Background(), base, nil, spec, "999999999999")
	if err != nil {
		t.Fatal(err)
	}
	outs, g := each(context.Background(), accts, 64, func(context.Context, accounts.Account, Session) (int, error) { return 1, nil })
	for _, o := range outs {
		if o.Err != nil || o.Value != 1 {
			t.Fatalf("account %s: %v, %d; want opened", o.Account.ID, o.Err, o.Value)
		}
	}
	if g.throttles != len(accts) || g.w.limit >= StartAccounts || g.peak > StartAccounts {
		t.Fatalf("%d throttles told, window %d, peak %d in flight; want %d told, a window below %d and no peak above it",
			g.throttles, g.w.limit, g.peak, len(accts), StartAccounts)
	}
}

type ratelimitNone struct{}

func (ratelimitNone) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (ratelimitNone) AddTokens(uint) error { return nil }
