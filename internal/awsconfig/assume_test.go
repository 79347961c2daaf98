package awsconfig

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func TestAssumeRoleFailure(t *testing.T) {
	wrap := func(svc, op string, err error) error {
		return errors.Join(errors.New("failed to refresh cached credentials"), &smithy.OperationError{ServiceID: svc, OperationName: op, Err: err})
	}
	cases := []struct {
		name string
		err  error
		ok   bool
		want string
	}{
		{"denied", wrap("STS", "AssumeRole", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}), true,
			"assuming the profile's role (sts:AssumeRole) failed: AccessDenied: not authorized; check its role_arn and its source_profile or credential_source"},
		{"no answer", wrap("STS", "AssumeRole", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), true,
			"STS did not answer (dial tcp: connection refused); check the network, or AWS_ENDPOINT_URL"},
		{"another call", wrap("IAM", "ListUsers", errors.New("x")), false, ""},
		{"no operation", errors.New("no creds"), false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, ok := AssumeRoleFailure(c.err)
			if ok != c.ok || !strings.Contains(msg, c.want) {
				t.Fatalf("AssumeRoleFailure = %q, %v; want %v and …%s…", msg, ok, c.ok, c.want)
			}
		})
	}
}
