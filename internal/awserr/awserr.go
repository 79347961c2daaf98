// Package awserr turns AWS SDK errors into one sentence a person can act on. The SDK's own
// messages are long operation dumps; keywarden classifies them by error code (errors.As on
// smithy.APIError) and names the action, the resource and the fix.
package awserr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keywarden/keywarden/internal/awsconfig"
)

// Class is the kind of failure, which decides the exit code and the hint.
type Class int

const (
	Other Class = iota
	AccessDenied
	NoCredentials
	BadCredentials
	NotFound
	LimitExceeded
	Throttled
	Network
	// NotAWS is an endpoint whose answer is not AWS XML or JSON (AWS_ENDPOINT_URL pointing at a
	// web server, a proxy's error page).
	NotAWS
)

// Code returns the AWS error code of err, or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Classify says what kind of failure err is.
func Classify(err error) Class {
	if err == nil {
		return Other
	}
	switch Code(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized":
		return AccessDenied
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredToken", "InvalidAccessKeyId", "ExpiredTokenException":
		return BadCredentials
	case "NoSuchEntity", "NoSuchEntityException", "NoSuchBucket", "NotFound":
		return NotFound
	case "LimitExceeded", "LimitExceededException":
		return LimitExceeded
	case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded":
		return Throttled
	}
	var na *awsconfig.NotAWSError
	if errors.As(err, &na) {
		return NotAWS
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return byStatus(err)
	}
	var mre *retry.MaxAttemptsError
	if errors.As(err, &mre) && Classify(mre.Err) != Other {
		return Classify(mre.Err)
	}
	if isNoCredentials(err) {
		return NoCredentials
	}
	var oe *net.OpError
	var ue *url.Error
	var de *net.DNSError
	if errors.As(err, &oe) || errors.As(err, &ue) || errors.As(err, &de) || errors.Is(err, context.DeadlineExceeded) {
		return Network
	}
	// A bare errno is a net.Error too (it has Timeout and Temporary), but one that did not come
	// from a connection is local: a file keywarden could not write, a program it could not run.
	var ne net.Error
	var errno syscall.Errno
	if errors.As(err, &ne) && !errors.As(err, &errno) {
		return Network
	}
	if strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "EOF") {
		return Network
	}
	return Other
}

// byStatus classifies an error whose code keywarden does not know ("UnknownError" from an
// endpoint not shaped like AWS, or a code AWS added later) by its HTTP status and operation.
func byStatus(err error) Class {
	switch Status(err) {
	case 401:
		return BadCredentials
	case 403:
		// STS answers every caller; a 403 there can only be the credentials themselves.
		if Operation(err) == "sts:GetCallerIdentity" {
			return BadCredentials
		}
		return AccessDenied
	case 429:
		return Throttled
	}
	return Other
}

// Status is the HTTP status of the answer that failed, or 0 when none came.
func Status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Answered reports whether AWS answered a failed call in a way that says it did nothing: a 4xx
// error (refused, throttled, invalid). No answer (a reset, a timeout) or a 5xx (the service
// failed, and may have done the work first) leaves it open whether the call took effect.
func Answered(err error) bool {
	s := Status(err)
	return s >= 400 && s < 500
}

func isNoCredentials(err error) bool {
	s := err.Error()
	return strings.Contains(s, "failed to retrieve credentials") ||
		strings.Contains(s, "no EC2 IMDS role found") ||
		strings.Contains(s, "failed to refresh cached credentials") ||
		strings.Contains(s, "static credentials are empty") ||
		strings.Contains(s, "anonymous credentials")
}

// Operation returns the IAM-style action for the API call that failed, e.g. "iam:UpdateAccessKey".
func Operation(err error) string {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return ""
	}
	svc := strings.ToLower(strings.ReplaceAll(oe.ServiceID, " ", ""))
	return svc + ":" + oe.OperationName
}

// AWS words the denial "User: arn:... is not authorized to perform: iam:X on resource: arn:...";
// some IAM denials name the resource as "user NAME" instead of an ARN. Compiled on first use:
// every command and cold start would otherwise build them at init for the rare denial.
var (
	deniedRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`not authorized to perform: ([a-zA-Z0-9-]+:[A-Za-z0-9]+)(?: on resource: (user \S+|\S+))?`)
	})
	callerAcctRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):`) })
)

// Denied returns the action and resource an AccessDenied error names (falling back to the
// operation that failed, and "*"). The resource is always something a policy can say.
func Denied(err error) (action, resource string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if m := deniedRE().FindStringSubmatch(msg); m != nil {
			action, resource = m[1], strings.TrimRight(m[2], ".,")
		}
		if name, ok := strings.CutPrefix(resource, "user "); ok {
			account := "*"
			if m := callerAcctRE().FindStringSubmatch(msg); m != nil {
				account = m[1]
			}
			resource = "arn:aws:iam::" + account + ":user/" + name
		}
	}
	if action == "" {
		action = Operation(err)
	}
	if resource == "" || (!strings.HasPrefix(resource, "arn:") && resource != "*") {
		resource = "*"
	}
	return action, resource
}

// Message is the one sentence keywarden prints for err (without the "keywarden: " prefix).
// what is the act that failed, e.g. "deactivate AKIA… of alice".
func Message(what string, err error) string {
	switch Classify(err) {
	case AccessDenied:
		a, r := Denied(err)
		return fmt.Sprintf("%s: access denied: the credentials in use may not %s on %s; grant it with the policy below", what, a, r)
	case NoCredentials:
		return fmt.Sprintf("%s: no AWS credentials found; set AWS_PROFILE or pass --profile, or run 'aws configure'", what)
	case BadCredentials:
		why := Code(err)
		if why == "" || why == "UnknownError" {
			why = fmt.Sprintf("HTTP %d", Status(err))
		}
		return fmt.Sprintf("%s: AWS rejected the credentials (%s); check the profile's access key, or renew the session", what, why)
	case Throttled:
		var mre *retry.MaxAttemptsError
		if errors.As(err, &mre) {
			return fmt.Sprintf("%s: AWS kept throttling the requests after %d attempts; try again later (where the command has --concurrency, lower it)", what, mre.Attempt)
		}
		// A call made once on purpose (CreateAccessKey is never retried) was throttled once.
		return fmt.Sprintf("%s: AWS throttled the request; run the command again in a minute", what)
	case Network:
		return fmt.Sprintf("%s: could not reach AWS (%s); check the network, the region and AWS_ENDPOINT_URL", what, rootCause(err))
	case NotAWS:
		var na *awsconfig.NotAWSError
		errors.As(err, &na)
		return fmt.Sprintf("%s: %s", what, na.Error())
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if c := ae.ErrorCode(); c != "" && c != "UnknownError" {
			return fmt.Sprintf("%s: %s: %s", what, c, strings.TrimSuffix(ae.ErrorMessage(), "."))
		}
		return fmt.Sprintf("%s: the endpoint answered HTTP %d with an error keywarden could not read; check AWS_ENDPOINT_URL, or run with --debug", what, Status(err))
	}
	return fmt.Sprintf("%s: %s", what, rootCause(err))
}

// rootCause drops the SDK's "operation error IAM: X, https response error StatusCode: ..., RequestID: ..."
// wrapping and keeps the innermost reason.
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// PolicyFor returns the minimal IAM policy document that grants action on resource.
func PolicyFor(action, resource string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]string{
			{"Effect": "Allow", "Action": action, "Resource": resource},
		},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return string(b)
}

// Wrap is err worded by Message as one sentence about what failed, with err kept in the chain
// for errors.As (where fmt.Errorf("%s", Message(…)) would drop it).
func Wrap(what string, err error) error { return &wrapped{what: what, err: err} }

type wrapped struct {
	what string
	err  error
}

func (w *wrapped) Error() string { return Message(w.what, w.err) }
func (w *wrapped) Unwrap() error { return w.err }
