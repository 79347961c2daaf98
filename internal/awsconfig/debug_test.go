package awsconfig

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// A throttled call retried once shows as two lines, attempts 1 and 2 with their statuses
// and durations, and nothing secret.
func TestDebugCallsLogsEachAttempt(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`))
			return
		}
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", secret, ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff = retry.BackoffDelayerFunc(noDelay) })
		},
		APIOptions: []func(*middleware.Stack) error{DebugCalls(log, now)},
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per attempt, got:\n%s", logs.String())
	}
	for i, want := range []string{
		"msg=\"aws call\" service=STS operation=GetCallerIdentity status=503 duration=250ms attempt=1",
		"msg=\"aws call\" service=STS operation=GetCallerIdentity status=200 duration=250ms attempt=2",
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want %s", i+1, lines[i], want)
		}
	}
	for _, leak := range []string{secret, "Signature", "Authorization", "Credential="} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("debug log holds %q:\n%s", leak, logs.String())
		}
	}
}

func noDelay(int, error) (time.Duration, error) { return 0, nil }

func TestLoadWiresDebugCalls(t *testing.T) {
	plain, err := Load(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Skipf("no AWS config here: %v", err)
	}
	debug, err := Load(context.Background(), Options{Region: "us-east-1", Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(debug.APIOptions) != len(plain.APIOptions)+1 {
		t.Errorf("--debug adds %d stack options, want 1", len(debug.APIOptions)-len(plain.APIOptions))
	}
}
