package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ProbeError is the first read call Probe made that failed, named by its IAM action.
type ProbeError struct {
	Action string // "iam:ListUsers", …
	Err    error
}

func (e *ProbeError) Error() string { return "try " + e.Action + ": " + e.Err.Error() }
func (e *ProbeError) Unwrap() error { return e.Err }

// Probe makes each read call a read of the inventory makes, once, on the first user and key
// it finds, and returns the first that fails (doctor's check of an account). With no user,
// the other reads cannot be tried, nor are they needed yet.
func Probe(ctx context.Context, c IAM) error {
	users, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	if err != nil {
		return &ProbeError{Action: "iam:ListUsers", Err: err}
	}
	if len(users.Users) == 0 {
		return nil
	}
	u := users.Users[0].UserName
	ks, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u})
	if err != nil {
		return &ProbeError{Action: "iam:ListAccessKeys", Err: err}
	}
	if len(ks.AccessKeyMetadata) > 0 {
		if _, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: ks.AccessKeyMetadata[0].AccessKeyId}); err != nil {
			return &ProbeError{Action: "iam:GetAccessKeyLastUsed", Err: err}
		}
	}
	if _, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: u}); err != nil {
		return &ProbeError{Action: "iam:ListUserTags", Err: err}
	}
	return nil
}
