package awsconfig

import (
	"errors"
	"net"
	"strings"

	"github.com/aws/smithy-go"
)

// AssumeRoleFailure words a credentials error whose cause is a role_arn profile's AssumeRole,
// which the SDK reports as "failed to refresh cached credentials" and keywarden used to call
// "no AWS credentials found" although a profile had been named. ok is false for any other error.
func AssumeRoleFailure(err error) (msg string, ok bool) {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || oe.ServiceID != "STS" || !strings.HasPrefix(oe.OperationName, "AssumeRole") {
		return "", false
	}
	why := oe.Err.Error()
	var ne net.Error
	var ae smithy.APIError
	switch {
	case errors.As(oe.Err, &ae):
		why = ae.ErrorCode() + ": " + ae.ErrorMessage()
	case errors.As(oe.Err, &ne):
		why = "STS did not answer (" + ne.Error() + "); check the network, or AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS"
	}
	return "assuming the profile's role (sts:" + oe.OperationName + ") failed: " + why + "; check its role_arn and its source_profile or credential_source", true
}
