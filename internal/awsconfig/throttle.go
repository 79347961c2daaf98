package awsconfig

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// throttleTold wraps a retryer so each throttled attempt it retries is told, with the wait
// before the next one: a job AWS slows down says so instead of falling silent for a minute.
type throttleTold struct {
	aws.RetryerV2
	told func(wait time.Duration, code string)
}

var isThrottle = retry.IsErrorThrottles(retry.DefaultThrottles)

func (r throttleTold) RetryDelay(attempt int, err error) (time.Duration, error) {
	wait, derr := r.RetryerV2.RetryDelay(attempt, err)
	if derr == nil && isThrottle.IsErrorThrottle(err) == aws.TrueTernary {
		code := "Throttling"
		var ae smithy.APIError
		if errors.As(err, &ae) {
			code = ae.ErrorCode()
		}
		r.told(wait, code)
	}
	return wait, derr
}
