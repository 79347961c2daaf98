package emu

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func createUsers(t *testing.T, cfg aws.Config, n int) {
	t.Helper()
	c := iam.NewFromConfig(cfg)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%03d", i))})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestProxyPagesListUsersLikeIAM(t *testing.T) {
	s := fresh(t)
	createUsers(t, s.Config("k", "s"), 250)
	p := s.Proxy(t)
	cfg := p.Config("k", "s")
	ctx := context.Background()

	// Bare moto: one page, whatever was asked. This is the gap.
	if got := userNames(t, s.Config("k", "s")); len(got) != 250 {
		t.Fatalf("moto returned %d users in one call, want all 250", len(got))
	}

	t.Run("paginator", func(t *testing.T) {
		p.ResetCounts()
		pg := iam.NewListUsersPaginator(iam.NewFromConfig(cfg), &iam.ListUsersInput{})
		var sizes []int
		seen := map[string]bool{}
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(out.Users))
			for _, u := range out.Users {
				seen[*u.UserName] = true
			}
		}
		if !slices.Equal(sizes, []int{100, 100, 50}) || len(seen) != 250 {
			t.Fatalf("pages %v, %d distinct users; want [100 100 50], 250", sizes, len(seen))
		}
		if n := p.Count("ListUsers"); n != 3 {
			t.Fatalf("ListUsers calls = %d, want 3", n)
		}
	})
	t.Run("first page only", func(t *testing.T) {
		out, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Users) != 100 || !out.IsTruncated || aws.ToString(out.Marker) == "" {
			t.Fatalf("got %d users, truncated %v, marker %q", len(out.Users), out.IsTruncated, aws.ToString(out.Marker))
		}
	})
	t.Run("MaxItems", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			max   int32
			pages int
		}{{"smaller", 30, 9}, {"larger than default", 200, 2}, {"all", 1000, 1}} {
			t.Run(tc.name, func(t *testing.T) {
				pg := iam.NewListUsersPaginator(iam.NewFromConfig(cfg), &iam.ListUsersInput{MaxItems: aws.Int32(tc.max)})
				pages, total := 0, 0
				for pg.HasMorePages() {
					out, err := pg.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if len(out.Users) > int(tc.max) {
						t.Fatalf("page of %d users, MaxItems %d", len(out.Users), tc.max)
					}
					pages, total = pages+1, total+len(out.Users)
				}
				if pages != tc.pages || total != 250 {
					t.Fatalf("%d pages, %d users; want %d, 250", pages, total, tc.pages)
				}
			})
		}
	})
	t.Run("bad marker", func(t *testing.T) {
		_, err := iam.NewFromConfig(once(cfg)).ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("bm90LWEtbWFya2Vy")})
		if got := errorCode(err); got != "InvalidInput" {
			t.Fatalf("err = %v, want InvalidInput", err)
		}
	})
}

func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestProxyFaults(t *testing.T) {
	for _, tc := range []struct {
		fault       Fault
		code        string // API error code the SDK reports; "" for a transport error
		status      int
		reachedMoto bool
	}{
		{Throttle, "Throttling", 400, false},
		{ServerError, "InternalFailure", 500, false},
		{Unavailable, "ServiceUnavailable", 503, false},
		{ResetBefore, "", 0, false},
		{ResetAfter, "", 0, true},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			s := fresh(t)
			p := s.Proxy(t)
			p.FailNext("CreateUser", 1, tc.fault)
			c := iam.NewFromConfig(once(p.Config("k", "s")))
			_, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("carol")})
			if err == nil {
				t.Fatal("CreateUser succeeded through the fault")
			}
			if got := errorCode(err); got != tc.code || statusOf(err) != tc.status {
				t.Fatalf("err = %v: code %q status %d, want %q %d", err, got, statusOf(err), tc.code, tc.status)
			}
			created := slices.Contains(userNames(t, s.Config("k", "s")), "carol")
			if created != tc.reachedMoto {
				t.Fatalf("user created = %v, want %v", created, tc.reachedMoto)
			}
			// One call used the fault up: the next goes through.
			if _, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("dave")}); err != nil {
				t.Fatalf("second call: %v", err)
			}
		})
	}
}

func TestProxyThrottleIsRetriedBySDK(t *testing.T) {
	p := fresh(t).Proxy(t)
	p.FailNext("GetCallerIdentity", 1, Throttle)
	if _, err := callerARN(t, p.Config("k", "s")); err != nil {
		t.Fatalf("one throttle with retries on: %v", err)
	}
	if n := p.Count("GetCallerIdentity"); n != 2 {
		t.Fatalf("GetCallerIdentity attempts = %d, want 2 (throttled, then retried)", n)
	}
}

func TestProxyFailWhen(t *testing.T) {
	s := fresh(t)
	p := s.Proxy(t)
	cfg := once(p.Config("k", "s"))
	mustCreateUser(t, cfg, "bob")
	mustCreateUser(t, cfg, "eve")
	remove := p.FailWhen(func(c Call) bool {
		return c.Action == "CreateAccessKey" && c.Params.Get("UserName") == "bob" && c.AccessKeyID == "k"
	}, Unavailable)
	c := iam.NewFromConfig(cfg)
	for range 2 {
		_, err := c.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
		if statusOf(err) != http.StatusServiceUnavailable {
			t.Fatalf("bob: err = %v, want 503 every time", err)
		}
	}
	mustCreateKey(t, cfg, "eve")
	remove()
	mustCreateKey(t, cfg, "bob")
}

func TestProxyPropagationWindow(t *testing.T) {
	s := fresh(t)
	admin := s.EnableAuth(t)
	p := s.Proxy(t)
	adminCfg := p.Config(admin.AccessKeyID, admin.SecretAccessKey)
	mustCreateUser(t, adminCfg, "frank")

	t.Run("requests", func(t *testing.T) {
		p.SetPropagation(Window{Requests: 2})
		id, secret := mustCreateKey(t, adminCfg, "frank")
		cfg := once(p.Config(id, secret))
		for i := range 2 {
			if _, err := callerARN(t, cfg); errorCode(err) != "InvalidClientTokenId" || statusOf(err) != 403 {
				t.Fatalf("call %d with the new key: %v, want 403 InvalidClientTokenId", i+1, err)
			}
		}
		if arn, err := callerARN(t, cfg); err != nil {
			t.Fatalf("after the window: %v", err)
		} else if arn != "arn:aws:iam::123456789012:user/frank" {
			t.Fatalf("arn = %s", arn)
		}
		// Other keys never wait.
		if _, err := callerARN(t, adminCfg); err != nil {
			t.Fatalf("admin during window: %v", err)
		}
	})
	t.Run("duration", func(t *testing.T) {
		p.SetPropagation(Window{For: 300 * time.Millisecond})
		id, secret := mustCreateKey(t, adminCfg, "frank")
		cfg := once(p.Config(id, secret))
		if _, err := callerARN(t, cfg); errorCode(err) != "InvalidClientTokenId" {
			t.Fatalf("at once: %v, want InvalidClientTokenId", err)
		}
		time.Sleep(350 * time.Millisecond)
		if _, err := callerARN(t, cfg); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestProxyCountsAndLatency(t *testing.T) {
	p := fresh(t).Proxy(t)
	cfg := p.Config("k", "s")
	for range 3 {
		if _, err := callerARN(t, cfg); err != nil {
			t.Fatal(err)
		}
	}
	userNames(t, cfg)
	want := map[string]int{"GetCallerIdentity": 3, "ListUsers": 1}
	if got := p.Calls(); !maps.Equal(got, want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}
	p.ResetCounts()
	if n := p.Count("GetCallerIdentity"); n != 0 {
		t.Fatalf("after ResetCounts: %d", n)
	}

	p.SetLatency(200 * time.Millisecond)
	start := time.Now()
	if _, err := callerARN(t, cfg); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("call took %v with 200ms latency", d)
	}
}
