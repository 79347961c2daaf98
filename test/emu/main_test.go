package emu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// srv is the moto every test of this package shares; each test Resets it.
var srv *Server

func TestMain(m *testing.M) {
	s, stop, err := Launch()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	stop()
	RemoveBinary()
	os.Exit(code)
}

// fresh resets the shared server for one test.
func fresh(t *testing.T) *Server {
	t.Helper()
	srv.Reset(t)
	return srv
}

// once disables SDK retries, so a test sees each injected fault itself.
func once(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	cfg.RetryMaxAttempts = 1
	return cfg
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func callerARN(t *testing.T, cfg aws.Config) (string, error) {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

func mustCreateUser(t *testing.T, cfg aws.Config, name string) {
	t.Helper()
	if _, err := iam.NewFromConfig(cfg).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
}

func mustCreateKey(t *testing.T, cfg aws.Config, user string) (id, secret string) {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("create key for %s: %v", user, err)
	}
	return *out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey
}

func userNames(t *testing.T, cfg aws.Config) []string {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).ListUsers(context.Background(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	var names []string
	for _, u := range out.Users {
		names = append(names, *u.UserName)
	}
	return names
}
