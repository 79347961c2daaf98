package doctor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/inventory"
)

// reads answers ListUsers with one user and fails the call named fail with err.
type reads struct {
	inventory.IAM
	fail string
	err  error
}

func (r reads) ListUsers(context.Context, *iam.ListUsersInput, ...func(*iam.Options)) (*iam.ListUsersOutput, error) {
	if r.fail == "ListUsers" {
		return nil, r.err
	}
	return &iam.ListUsersOutput{Users: []iamtypes.User{{UserName: ptr("alice")}}}, nil
}

func (r reads) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{}, nil
}

func (r reads) ListUserTags(context.Context, *iam.ListUserTagsInput, ...func(*iam.Options)) (*iam.ListUserTagsOutput, error) {
	if r.fail == "ListUserTags" {
		return nil, r.err
	}
	return &iam.ListUserTagsOutput{}, nil
}

func ptr(s string) *string { return &s }

// A denied read names the permission to add and where; any other failure keeps its cause.
func TestProbeSaysWhatToAddToTheMemberRole(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "rate exceeded"}
	for _, c := range []struct {
		name, fail string
		err        error
		want       string
	}{
		{"all reads allowed", "", nil, ""},
		{"tags denied", "ListUserTags", denied, "iam:ListUserTags is denied; add it to the member role's policy ('keywarden policy -c FILE' prints it)"},
		{"users denied", "ListUsers", denied, "iam:ListUsers is denied; add it to the member role's policy"},
		{"another failure", "ListUsers", throttled, "try iam:ListUsers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := probe(context.Background(), reads{fail: c.fail, err: c.err})
			if c.want == "" {
				if err != nil {
					t.Fatalf("probe: %v, want ready", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("probe: %v, want %q", err, c.want)
			}
			if c.err != denied && !errors.Is(err, c.err) {
				t.Errorf("the SDK's error left the chain: %v", err)
			}
		})
	}
}
