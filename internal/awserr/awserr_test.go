package awserr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keywarden/keywarden/internal/awsconfig"
)

func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Class
	}{
		{"access denied", opErr("IAM", "UpdateAccessKey", apiErr("AccessDenied", "no")), AccessDenied},
		{"unknown key", opErr("STS", "GetCallerIdentity", apiErr("InvalidClientTokenId", "no")), BadCredentials},
		{"bad secret", opErr("IAM", "ListUsers", apiErr("SignatureDoesNotMatch", "no")), BadCredentials},
		{"no such entity", opErr("IAM", "GetUser", apiErr("NoSuchEntity", "no")), NotFound},
		{"S3 HeadBucket 404", opErr("S3", "HeadBucket", apiErr("NotFound", "Not Found")), NotFound},
		{"S3 no such bucket", opErr("S3", "CreateBucket", apiErr("NoSuchBucket", "no")), NotFound},
		{"two-key limit", opErr("IAM", "CreateAccessKey", apiErr("LimitExceeded", "no")), LimitExceeded},
		{"throttled", opErr("IAM", "ListUsers", apiErr("Throttling", "slow down")), Throttled},
		{"other API error", opErr("IAM", "ListUsers", apiErr("ServiceFailure", "oops")), Other},
		{"connection refused", opErr("IAM", "ListUsers", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), Network},
		{"deadline", fmt.Errorf("list: %w", context.DeadlineExceeded), Network},
		{"no credentials", errors.New("failed to refresh cached credentials, no EC2 IMDS role found"), NoCredentials},
		{"plain", errors.New("something"), Other},
		// An errno is a net.Error; only one from a connection is the network's.
		{"a program that is not there", &exec.Error{Name: "/no/such/prog", Err: syscall.ENOENT}, Other},
		{"a file that cannot be written", &fs.PathError{Op: "open", Path: "/ro/credentials", Err: syscall.EACCES}, Other},
		{"a refused connection", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, Network},
		{"a DNS failure", &net.DNSError{Err: "no such host", Name: "iam.example"}, Network},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Errorf("Classify = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDeniedNamesActionAndResource(t *testing.T) {
	cases := []struct {
		name           string
		err            error
		action, resour string
	}{
		{"from the message", opErr("IAM", "TagUser", apiErr("AccessDenied",
			"User: arn:aws:iam::123456789012:user/reader is not authorized to perform: iam:TagUser on resource: arn:aws:iam::123456789012:user/target")),
			"iam:TagUser", "arn:aws:iam::123456789012:user/target"},
		{"message without resource", opErr("IAM", "ListUsers", apiErr("AccessDenied",
			"User: arn:aws:iam::1:user/r is not authorized to perform: iam:ListUsers")), "iam:ListUsers", "*"},
		{"from the operation when the message says nothing", opErr("IAM", "UpdateAccessKey", apiErr("AccessDenied", "Access denied")),
			"iam:UpdateAccessKey", "*"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, r := Denied(c.err)
			if a != c.action || r != c.resour {
				t.Errorf("Denied = %q, %q; want %q, %q", a, r, c.action, c.resour)
			}
		})
	}
}

func TestMessageIsOneSentenceWithoutSDKDump(t *testing.T) {
	raw := opErr("IAM", "ListUsers", fmt.Errorf("https response error StatusCode: 0, RequestID: , request send failed, Post \"http://x\": %w",
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}))
	got := Message("read the inventory", raw)
	if !strings.HasPrefix(got, "read the inventory: could not reach AWS (connect: connection refused)") {
		t.Errorf("Message = %q", got)
	}
	if strings.Contains(got, "RequestID") || strings.Contains(got, "\n") {
		t.Errorf("Message leaks the SDK dump: %q", got)
	}
	denied := Message("deactivate AKIA1 of alice", opErr("IAM", "UpdateAccessKey", apiErr("AccessDenied", "Access denied")))
	if denied != "deactivate AKIA1 of alice: access denied: the credentials in use may not iam:UpdateAccessKey on *; grant it with the policy below" {
		t.Errorf("denied = %q", denied)
	}
}

func TestPolicyForIsValidJSONGrantingTheAction(t *testing.T) {
	p := PolicyFor("iam:TagUser", "arn:aws:iam::1:user/a\"b")
	if !strings.Contains(p, `"Action": "iam:TagUser"`) || !strings.Contains(p, `user/a\"b`) {
		t.Errorf("policy = %s", p)
	}
}

func httpErr(service, op string, status int, err error) error {
	return opErr(service, op, &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      err,
	})
}

// An endpoint not shaped like AWS gives the SDK's "UnknownError"; the status and the operation
// still tell what happened, and the word UnknownError never reaches the user.
func TestUnknownErrorClassifiedByStatus(t *testing.T) {
	unknown := apiErr("UnknownError", "UnknownError")
	cases := []struct {
		name string
		err  error
		want Class
	}{
		{"403 from sts is rejected credentials", httpErr("STS", "GetCallerIdentity", 403, unknown), BadCredentials},
		{"403 from iam is a denial", httpErr("IAM", "ListUsers", 403, unknown), AccessDenied},
		{"401 is rejected credentials", httpErr("IAM", "ListUsers", 401, unknown), BadCredentials},
		{"429 is throttling", httpErr("IAM", "ListUsers", 429, unknown), Throttled},
		{"500 is other", httpErr("IAM", "ListUsers", 500, unknown), Other},
		{"a known code wins over the status", httpErr("IAM", "ListUsers", 403, apiErr("InvalidClientTokenId", "no")), BadCredentials},
		{"not AWS at all", opErr("STS", "GetCallerIdentity", &awsconfig.NotAWSError{Endpoint: "http://x", Status: 200, ContentType: "text/html"}), NotAWS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Errorf("Classify = %v, want %v", got, c.want)
			}
			if m := Message("list users", c.err); strings.Contains(m, "UnknownError") {
				t.Errorf("Message says UnknownError: %q", m)
			}
		})
	}
}

func TestDeniedBuildsUserARNFromIAMWords(t *testing.T) {
	cases := []struct {
		name, msg, resource string
	}{
		{"account from the caller", "User: arn:aws:iam::111122223333:user/ops is not authorized to perform: iam:TagUser on resource: user alice",
			"arn:aws:iam::111122223333:user/alice"},
		{"no caller arn", "not authorized to perform: iam:TagUser on resource: user alice", "arn:aws:iam::*:user/alice"},
		{"not an arn at all", "not authorized to perform: iam:TagUser on resource: something", "*"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, r := Denied(opErr("IAM", "TagUser", apiErr("AccessDenied", c.msg)))
			if a != "iam:TagUser" || r != c.resource {
				t.Errorf("Denied = %q, %q; want iam:TagUser, %q", a, r, c.resource)
			}
			if !strings.Contains(PolicyFor(a, r), `"Resource": "`+c.resource+`"`) {
				t.Errorf("policy does not grant %s:\n%s", c.resource, PolicyFor(a, r))
			}
		})
	}
}

// A worded failure keeps its cause: the exit code and the retry decision read it with errors.As.
func TestWrapKeepsTheChain(t *testing.T) {
	cause := opErr("IAM", "TagUser", apiErr("AccessDenied", "no"))
	err := Wrap("remember the warnings sent about alice (iam:TagUser)", cause)
	if err.Error() != Message("remember the warnings sent about alice (iam:TagUser)", cause) {
		t.Errorf("Error() = %q, want Message's wording", err.Error())
	}
	if Classify(err) != AccessDenied {
		t.Errorf("Classify = %v, want AccessDenied through the chain", Classify(err))
	}
}
