package awsconfig

import (
	"context"
	"log/slog"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// attemptsKey carries a per-call attempt counter from outside the retry loop to inside it.
type attemptsKey struct{}

// DebugCalls returns stack options that log each attempt of each AWS call: service,
// operation, HTTP status, duration and attempt number, so retries and throttling are
// visible. Only those fields are logged: never headers, bodies, credentials or signatures.
// now is the clock for durations.
func DebugCalls(log *slog.Logger, now func() time.Time) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		// Outside the retry loop: one counter per call.
		if err := st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("keywardenAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				return next.HandleFinalize(middleware.WithStackValue(ctx, attemptsKey{}, new(int)), in)
			}), "Retry", middleware.Before); err != nil {
			return err
		}
		// Inside it, around sending: once per attempt, with the raw response.
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("keywardenDebugCall",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				attempt := 1
				if n, ok := middleware.GetStackValue(ctx, attemptsKey{}).(*int); ok {
					*n++
					attempt = *n
				}
				start := now()
				out, md, err := next.HandleDeserialize(ctx, in)
				status := 0 // no HTTP response at all: a reset, a timeout, a refused connection
				if r, ok := out.RawResponse.(*smithyhttp.Response); ok && r != nil {
					status = r.StatusCode
				}
				attrs := []any{"service", awsmiddleware.GetServiceID(ctx), "operation", awsmiddleware.GetOperationName(ctx),
					"status", status, "duration", now().Sub(start), "attempt", attempt}
				if err != nil && status == 0 {
					attrs = append(attrs, "error", "no response")
				}
				log.Debug("aws call", attrs...)
				return out, md, err
			}), middleware.Before)
	}
}
