package lambda

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/keywarden/keywarden/internal/awsconfig"
)

// Main serves Lambda invocations until the runtime stops the process. cmd/keywarden calls it
// when AWS_LAMBDA_RUNTIME_API is set, with the real sleeper (retries of notices and the STS
// checks of a new key wait on it; this package reads no clock).
func Main(sleep func(context.Context, time.Duration) error) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Region: os.Getenv("AWS_REGION")})
	if err != nil {
		// Before the first invocation there is nobody to return an error to; Lambda reports
		// an init failure with this line in the log.
		log.Error("init failed", "error", err.Error())
		os.Exit(1)
	}
	awslambda.StartWithOptions(&Handler{
		AWS:    cfg,
		SSM:    ssm.NewFromConfig(cfg),
		Getenv: os.Getenv,
		Now:    time.Now,
		Sleep:  sleep,
		Log:    log,
	})
}
