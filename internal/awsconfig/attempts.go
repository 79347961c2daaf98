package awsconfig

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
)

// ForeignServerErrorAttempts is how many times one call is sent to an endpoint that answers
// 5xx without being AWS's API (a body that is not XML or JSON, or no request id): one retry
// tells a passing glitch of a proxy from an emulator's missing feature, and the SDK's eight
// attempts with backoff would spend tens of seconds on an answer that will not change. AWS's
// own 5xx (shaped, with a request id) and every throttle keep the full retryer.
const ForeignServerErrorAttempts = 2

// foreignKey carries, from outside the retry loop to inside it, how many foreign 5xx one
// call has had.
type foreignKey struct{}

// throttleKey carries OnThrottle's function in a call's context.
type throttleKey struct{}

// OnThrottle returns ctx carrying fn, which is told the service id of every throttled answer
// (each attempt, retried or not) of the calls made under ctx by clients of a config from Load
// or Normalize. The account fan-out uses it to see STS's per-caller throttling as it happens,
// which the retryer otherwise hides until its attempts run out.
func OnThrottle(ctx context.Context, fn func(service string)) context.Context {
	return context.WithValue(ctx, throttleKey{}, fn)
}

func addAttemptMiddleware(s *middleware.Stack) error {
	if _, ok := s.Finalize.Get("Retry"); !ok {
		return nil // a stack without retries (a presigner) has no attempts to watch
	}
	if _, ok := s.Finalize.Get(attemptID); ok {
		return nil
	}
	if err := s.Finalize.Insert(middleware.FinalizeMiddlewareFunc(attemptID+"Count",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			return next.HandleFinalize(middleware.WithStackValue(ctx, foreignKey{}, new(int)), in)
		}), "Retry", middleware.Before); err != nil {
		return err
	}
	return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc(attemptID, watchAttempt), "Retry", middleware.After)
}

const attemptID = "keywarden.Attempt"

// watchAttempt runs once per attempt, inside the retry loop, before the retryer sees the error.
func watchAttempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	if err == nil {
		return out, md, nil
	}
	if isThrottle.IsErrorThrottle(err) == aws.TrueTernary {
		if fn, ok := ctx.Value(throttleKey{}).(func(string)); ok {
			fn(awsmiddleware.GetServiceID(ctx))
		}
		return out, md, err
	}
	if !foreign5xx(err) {
		return out, md, err
	}
	if n, ok := middleware.GetStackValue(ctx, foreignKey{}).(*int); ok {
		*n++
		if *n >= ForeignServerErrorAttempts {
			err = &lastAttempt{err}
		}
	}
	return out, md, err
}

// foreign5xx is a server error that did not come from AWS's API: an answer that is not XML or
// JSON (NotAWSError, e.g. moto's HTML page for a feature it lacks), or one without the request
// id every AWS answer carries.
func foreign5xx(err error) bool {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() < 500 {
		return false
	}
	var na *NotAWSError
	return errors.As(err, &na) || re.ServiceRequestID() == ""
}

// lastAttempt tells the retryer not to retry err (its RetryableError is asked before the
// status code); it is otherwise err, which errors.As and the message still see.
type lastAttempt struct{ error }

func (e *lastAttempt) Unwrap() error        { return e.error }
func (e *lastAttempt) RetryableError() bool { return false }
