package emu

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// AdminUser is the IAM user EnableAuth creates.
const AdminUser = "keywarden-admin"

// Admin is the identity allowed everything once auth is on.
type Admin struct {
	UserName        string
	AccessKeyID     string
	SecretAccessKey string
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// EnableAuth creates AdminUser with an allow-everything inline policy and a
// key, then makes moto check every request: the SigV4 signature against the
// keys it knows (unknown key: InvalidClientTokenId) and the signer's IAM
// policies (not allowed: AccessDenied). The test's cleanup turns auth off.
//
// moto does not check a key's status: an Inactive key still authenticates.
// Do not write a test that relies on moto refusing it.
//
// moto's auth switch is global to the server: tests sharing one must not
// run in parallel with this.
func (s *Server) EnableAuth(t testing.TB) Admin {
	t.Helper()
	// Admin calls below must not be checked yet; "inf" is moto's "never".
	if err := s.setAuth("inf"); err != nil {
		t.Fatal(err)
	}
	a, err := s.createAdmin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 0: the count of unchecked requests moto still allows, so every request
	// from now on is checked.
	if err := s.setAuth("0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.DisableAuth(t) })
	return a
}

// DisableAuth makes moto accept any request again.
func (s *Server) DisableAuth(t testing.TB) {
	t.Helper()
	if err := s.setAuth("inf"); err != nil {
		t.Error(err)
	}
}

// setAuth posts moto's INITIAL_NO_AUTH_ACTION_COUNT: the number of requests
// moto serves unchecked before it starts checking (and it resets the count).
func (s *Server) setAuth(count string) error {
	return s.post("/moto-api/reset-auth", count)
}

func (s *Server) createAdmin(ctx context.Context) (Admin, error) {
	c := iam.NewFromConfig(s.Config("bootstrap", "bootstrap"))
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(AdminUser)})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "EntityAlreadyExists") {
		return Admin{}, err
	}
	if err == nil {
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName:       aws.String(AdminUser),
			PolicyName:     aws.String("allow-all"),
			PolicyDocument: aws.String(allowAll),
		})
		if err != nil {
			return Admin{}, err
		}
	} else {
		// Enabled before on this server: drop old keys so the 2-key limit holds.
		keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(AdminUser)})
		if err != nil {
			return Admin{}, err
		}
		for _, k := range keys.AccessKeyMetadata {
			if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(AdminUser), AccessKeyId: k.AccessKeyId}); err != nil {
				return Admin{}, err
			}
		}
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(AdminUser)})
	if err != nil {
		return Admin{}, err
	}
	return Admin{UserName: AdminUser, AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}, nil
}
